"""Snippets: a few lines of a clarification around the matched words, with the words in <mark>.

Built in Python from the stored text (never with FTS5's ``snippet()``): the same analysis finds the
matched words' offsets, every piece of text is HTML-escaped, and only our own <mark> tags are added.
The snippet comes from the claim, truth or body with the most matched terms, cut around the densest
group of matches. For a long pasted message, only the query's informative terms are highlighted
(``Ranking.highlight``), so that 朋友 or 上班 in a forward's preamble are not marked everywhere.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .analysis import TOKEN_RE, Query, fold_char, parse_query, word_terms

SNIPPET_CHARS = 120
SNIPPET_BODY_CHARS = 5000  # a snippet comes from the start of a long body

MARKDOWN_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Emphasis marks go without a trace (so that **属实** reads 属实, not " 属实 "); block marks become a space.
MARKDOWN_EMPHASIS_RE = re.compile(r"[*_`~]+")
MARKDOWN_MARKUP_RE = re.compile(r"[#>|]+|^\s*[-+]\s+", re.MULTILINE)
SPACE_RE = re.compile(r"\s+")


def _plain(markdown_text):
    """Readable text of a Markdown body, good enough for a snippet (links keep their words)."""
    text = MARKDOWN_LINK_RE.sub(r"\1", markdown_text)
    text = MARKDOWN_MARKUP_RE.sub(" ", MARKDOWN_EMPHASIS_RE.sub("", text))
    return SPACE_RE.sub(" ", text).strip()


def _matched_spans(text, query):
    """Merged (start, end) spans of ``text`` matching the query, and the number of distinct terms hit.

    The same analysis as tokenize(), inlined: it runs on every result shown, so it makes no token list.
    """
    terms, prefixes = set(query.terms), set(query.prefixes)
    spans, hit = [], set()
    for match in TOKEN_RE.finditer(text):
        start = match.start()
        if match.lastgroup == "cjk":
            previous = None
            for offset, char in enumerate(match.group(), start=start):
                char = fold_char(char)
                # Every character starts a stored term, so a prefix matches wherever the character is.
                if char in prefixes:
                    spans.append((offset, offset + 1))
                    hit.add(char)
                if previous is not None and previous + char in terms:
                    spans.append((offset - 1, offset + 1))
                    hit.add(previous + char)
                previous = char
        else:
            for term in word_terms(match.group()):
                if term in terms:
                    spans.append((start, match.end()))
                    hit.add(term)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged, len(hit)


def _marked(text, spans, start=0, end=None):
    """HTML of text[start:end]: everything escaped, the spans inside <mark>."""
    end = len(text) if end is None else end
    parts: list[str] = []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(escape(text[position:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    return "".join(parts)


def snippet(clarification, query, length=SNIPPET_CHARS):
    """About ``length`` characters of claim, truth or body around the matched words, highlighted."""
    parsed = query if isinstance(query, Query) else parse_query(query)
    best = None
    for text in (clarification.claim, clarification.truth, _plain(clarification.body[:SNIPPET_BODY_CHARS])):
        spans, hits = _matched_spans(text, parsed)
        if hits and (best is None or hits > best[2]):
            best = (text, spans, hits)
            if hits == parsed.size:
                break
    if best is None:
        text, spans = clarification.truth, []
    else:
        text, spans, _ = best
    start = 0
    if len(text) > length and spans:
        # Start a little before the densest group of matches.
        densest = max(spans, key=lambda span: sum(1 for other in spans if span[0] <= other[0] < span[0] + length))
        start = max(0, min(densest[0] - length // 5, len(text) - length))
    end = min(len(text), start + length)
    html = _marked(text, spans, start, end)
    html = ("…" if start > 0 else "") + html + ("…" if end < len(text) else "")
    return mark_safe(html)  # noqa: S308 (every piece of text went through escape())


def add_snippets(clarifications, query):
    """Set ``search_snippet`` (safe HTML) on each clarification of a result page."""
    parsed = query if isinstance(query, Query) else parse_query(query)
    for clarification in clarifications:
        clarification.search_snippet = snippet(clarification, parsed)
    return clarifications
