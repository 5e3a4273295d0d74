"""Other words for the same thing: the synonym and abbreviation list, applied to the query.

A rumor comes back in other words: 新冠 for 新型冠状病毒, 轨道交通 for 地铁, 维C for 维生素C, "USA" for
"United States". A *group* lists forms that mean the same thing; when a text holds one form (its
terms, side by side), the ranking asks for the others too (``Alternative``), and a clarification
holding another form earns what the text's form is worth (``weighing``), never more.

Two lists make the groups:

- the built-in list, ``synonyms.txt`` beside this module: maintained and reviewed with the code;
- the office's own groups, which editors and publishers add in the admin (the ``SynonymGroup`` model,
  its table read here with one plain SQL statement, as the statistics are: this package imports no
  model).

Each process keeps the compiled list. A change in the admin (``changed()``, called by the model)
writes a new random version into the term statistics' table (the row ``statistics.SYNONYMS``), which
every search reads anyway in its one statistics lookup: a process that finds another version than
its own reads the list again (one more query, only after a change). So a change takes effect at the
next search of every worker and app server, without a restart and without a query on searches in
between. The model also bumps the content version, which retires cached pages of results.
"""

import re
import secrets
import threading
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from . import statistics
from .analysis import Alternative, tokenize

BUILT_IN = Path(__file__).with_name("synonyms.txt")
TABLE = "clarifications_synonymgroup"
FORM_SEPARATOR = re.compile(r"[,，、;；\n]+")
MAX_FORMS = 20


def split_forms(text):
    """The forms of a group as written: separated by commas (either width), semicolons or new lines."""
    return [form.strip() for form in FORM_SEPARATOR.split(text or "") if form.strip()]


def form_terms(form):
    """The terms of one form: as the query's analysis reads them (a lone Chinese character is none)."""
    return tuple(term for term, _start, _end, prefix in tokenize(form, for_query=True) if not prefix)


def compile_group(text):
    """The distinct forms of a group (tuples of terms), the forms without terms left out."""
    forms = []
    for form in split_forms(text)[:MAX_FORMS]:
        terms = form_terms(form)
        if terms and terms not in forms:
            forms.append(terms)
    return tuple(forms)


@lru_cache(maxsize=1)
def built_in_groups():
    """The groups of the built-in list, as written (for the admin) and compiled."""
    groups = []
    for line in BUILT_IN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            groups.append((tuple(split_forms(line)), compile_group(line)))
    return tuple(groups)


@dataclass(frozen=True)
class SynonymList:
    """The compiled groups of one database, at one version."""

    version: int
    groups: tuple  # each a tuple of forms, each a tuple of terms

    def alternatives(self, query):
        """The ``Alternative``s of ``query``: for each group one of whose forms the text holds (the
        longest, among those whose terms no other group took), every form the text does not hold."""
        terms, matched = set(query.terms), []
        for group in self.groups:
            held = [form for form in group if _holds(query, terms, form)]
            if held:
                matched.append((max(held, key=len), group, held))
        matched.sort(key=lambda entry: -len(entry[0]))
        taken: set[str] = set()
        found: list[Alternative] = []
        for form, group, held in matched:
            if taken & set(form):
                continue
            taken.update(form)
            found.extend(Alternative(of=form, terms=other) for other in group if other not in held)
        return tuple(found)


def _holds(query, terms, form):
    """Whether the text holds ``form``: its terms, each next to the following one, and not only stop words."""
    if not all(term in terms for term in form) or not any(query.informative(term) for term in form):
        return False
    return all(pair in query.pairs for pair in pairwise(form))


_lists: dict[str, SynonymList] = {}  # database alias -> SynonymList
_lock = threading.Lock()


def current(alias):
    """This process's list for a database (the built-in groups alone until the office's are read)."""
    known = _lists.get(alias)
    if known is None:
        known = SynonymList(version=0, groups=tuple(compiled for _written, compiled in built_in_groups()))
    return known


def load(connection, version):
    """Read the office's groups again (one query) and keep them with ``version``; version 0 means none
    was ever saved in this database, so there is nothing to read."""
    groups = [compiled for _written, compiled in built_in_groups()]
    if version:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT forms FROM {connection.ops.quote_name(TABLE)} WHERE active ORDER BY id")  # noqa: S608
            groups.extend(group for (text,) in cursor.fetchall() if len(group := compile_group(text)) > 1)
    loaded = SynonymList(version=version, groups=tuple(groups))
    with _lock:
        _lists[connection.alias] = loaded
    return loaded


def changed(connection):
    """Record a change to the office's groups: every process reads them again at its next search."""
    statistics.mark(connection, statistics.SYNONYMS, secrets.randbelow(2**31 - 1) + 1)


def forget():
    """Drop every process-local list (tests)."""
    with _lock:
        _lists.clear()
