"""Reading a pasted post: the parts of a text that are not the rumor's own words, and what they weigh.

People paste what they saw: a tweet with its signature line, a forward with its chatter, links,
handles and hashtags. ``read()`` finds those parts so that the query weighs each word as what it is:

- the signature line of an embedded tweet, "— Name (@handle) February 18, 2016", at the end of the
  text: SIGNATURE_WEIGHT. The author's name, handle and the date are rare words that would outweigh
  the claim, yet sometimes its subject ("Donald Trump tweeted ... in November 2012"): a little weight;
- a retweet's "RT @handle:" at the start: the handle as a signature, "RT" as chatter;
- links (https://t.co/…, pic.twitter.com/…, www.…): their words weigh LINK_WEIGHT, and a link glued
  to the word before it (#DefundTheCBChttps://t.co/…) is cut off that word;
- handles and hashtags are split where the case changes or digits begin, as people write them:
  @BernieSanders → bernie sanders, #PizzaVendingMachine → pizza vending machine, #Trump2020 → trump
  2020 (an all-capitals tag such as #MAGA stays whole). Their words weigh fully (hashtags) or
  HANDLE_WEIGHT (handles name an account, not always the rumor's subject); the tag as one word is an
  alternative form (a claim may write #MeToo, stored as metoo);
- a tag written in one case (#stonemanshooting, @marcorubio) has no case change to split at: its
  possible splits into two or three words of three letters or more (``splits``) are looked up with
  the query's terms, and the likeliest whose words the archive holds (``likeliest``: each word as
  likely as it is common, the fewest words) becomes another form of the tag, unless the archive holds
  the tag itself as a word (#therapist is no "the rapist");
- dotted abbreviations (U.S., D.C.) are names, so their letters are not stop words.

Forwarding chatter (FWD, RT, "please share", 转发, 扩散) and stop words are words, not parts of a post:
``stopwords`` weighs them.

Everything else is the rumor's text. ``read()`` gives a copy of the text in which links and tags are
blanked (same length, so offsets stay those of the original) and the parts it found; the analysis
(``analysis.parse_query``) tokenises both and weighs each token.
"""

import math
import re
from dataclasses import dataclass

SIGNATURE_WEIGHT = 0.4
LINK_WEIGHT = 0.1
HANDLE_WEIGHT = 0.7

MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
SIGNATURE_RE = re.compile(
    rf"[\s.!?\"”'’)]\s*[—–]{{1,2}}\s*[^—–\n]{{0,80}}?\(@\w{{1,30}}\)\s*(?:{MONTH}\s+\d{{1,2}},?\s+\d{{4}})?\s*$"
)
RETWEET_RE = re.compile(r"^\s*RT\s+@\w{1,30}:?")
LINK_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|pic\.twitter\.com/\S*"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|cn|co|io|ly|me|uk|info|news)/\S*",
    re.IGNORECASE,
)
# A tag: # or @ (also full-width) at the start of a word, then letters, digits and underscores.
TAG_RE = re.compile(r"(?<![^\W_])(?P<mark>[#＃@＠])(?P<word>[^\W_][\w]*)")
DOTTED_RE = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.){2,}")
# Where a tag's word splits: lower to upper (realDonald), letter to digit (Trump2020), and before the
# last capital of a run that a lower-case letter follows (NHCAtlantic → NHC Atlantic).
CAMEL_PART_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
PLAIN_PART_RE = re.compile(r"[^\W\d_]+|\d+")


@dataclass(frozen=True)
class Tag:
    """A handle or hashtag: where its word is, its parts (start, end) within the text, and its kind."""

    start: int
    end: int
    parts: tuple
    handle: bool


@dataclass(frozen=True)
class Post:
    """A pasted text, read: ``text`` with links and tags blanked, and the parts found."""

    text: str
    signature: int | None = None  # where the signature line (or a retweet's "RT @handle:") ends the rumor
    retweet_end: int = 0
    links: tuple = ()  # (start, end)
    tags: tuple = ()  # Tag
    dotted: tuple = ()  # (start, end) of U.S., D.C.

    def region_weight(self, start):
        """The weight of a token starting at ``start`` for the part of the post it is in."""
        if self.signature is not None and start >= self.signature:
            return SIGNATURE_WEIGHT
        if start < self.retweet_end:
            return SIGNATURE_WEIGHT
        return 1.0

    def in_dotted(self, start):
        return bool(self.dotted) and any(first <= start < last for first, last in self.dotted)


def split_tag(word):
    """The parts of a handle's or hashtag's word, as (start, end) within it: case changes split an ASCII
    word written in mixed case; digits and underscores split any."""
    mixed = word.isascii() and not (word.isupper() or word.islower())
    return tuple((match.start(), match.end()) for match in (CAMEL_PART_RE if mixed else PLAIN_PART_RE).finditer(word))


def read(text):
    """The ``Post`` of ``text`` (see the module docstring)."""
    blanked = list(text)
    links = tuple((match.start(), match.end()) for match in LINK_RE.finditer(text))
    for start, end in links:
        blanked[start:end] = " " * (end - start)
    without_links = "".join(blanked)
    tags = []
    for match in TAG_RE.finditer(without_links):
        start = match.start("word")
        parts = tuple((start + first, start + last) for first, last in split_tag(match.group("word")))
        tags.append(Tag(start, match.end("word"), parts, handle=match.group("mark") in "@＠"))
        blanked[start : match.end("word")] = " " * (match.end("word") - start)
    signature = SIGNATURE_RE.search(text)
    retweet = RETWEET_RE.match(text)
    return Post(
        text="".join(blanked),
        signature=signature.start() + 1 if signature else None,
        retweet_end=retweet.end() if retweet else 0,
        links=links,
        tags=tuple(tags),
        dotted=tuple((match.start(), match.end()) for match in DOTTED_RE.finditer(text)),
    )


JOINED_MIN, JOINED_MAX, PIECE_MIN = 6, 24, 3


def splits(word):
    """The ways to split a tag's word written in one case into two or three pieces of PIECE_MIN letters
    or more, as tuples of pieces (none for a short, long, or mixed word)."""
    if not (JOINED_MIN <= len(word) <= JOINED_MAX and word.isascii() and word.isalpha()):
        return ()
    if not (word.islower() or word.isupper()):
        return ()
    found: list[tuple[str, ...]] = []
    for first in range(PIECE_MIN, len(word) - PIECE_MIN + 1):
        found.append((word[:first], word[first:]))
        for second in range(first + PIECE_MIN, len(word) - PIECE_MIN + 1):
            found.append((word[:first], word[first:second], word[second:]))
    return tuple(found)


def likeliest(guesses, counts, total):
    """Of ``guesses`` (``Alternative``s: a tag's term and a split of it into terms), for each tag the
    split whose terms are all in the archive and likeliest as words (the product of their document
    frequencies), if the tag itself is not a word of the archive."""
    best: dict[tuple, tuple] = {}  # {a tag's term: (likelihood, its likeliest Alternative)}
    for guess in guesses:
        if counts.get(guess.of[0]) or not all(counts.get(term) for term in guess.terms):
            continue
        likelihood = sum(math.log(counts[term] / total) for term in guess.terms)
        if guess.of not in best or likelihood > best[guess.of][0]:
            best[guess.of] = (likelihood, guess)
    return [guess for _likelihood, guess in best.values()]
