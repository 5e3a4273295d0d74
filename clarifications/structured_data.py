"""ClaimReview JSON-LD for a clarification, as search engines and fact-check aggregators read it.

The verdict-to-rating mapping lives here and nowhere else. Ratings sit on a 1-5 scale of how accurate
the claim turned out to be; "unproven" has no place on that scale, so it carries its label
(``alternateName``, the one property the ClaimReview guidelines require of a rating) without a
number rather than pretending to a value.
"""

import json

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .branding import office_name
from .models import Verdict

WORST_RATING = 1
BEST_RATING = 5
RATING_VALUES = {
    Verdict.FALSE: 1,
    Verdict.MISLEADING: 2,
    Verdict.PARTLY_FALSE: 3,
    Verdict.UNPROVEN: None,
    Verdict.TRUE: 5,
}
# Guidelines ask for a claimReviewed under about 75 characters; a longer claim is cut at a word
# (English) or between characters (Chinese), and ends with the same ellipsis in both languages.
CLAIM_REVIEWED_LENGTH = 75
ELLIPSIS = "…"

# The same characters json_script escapes, so the text can never close the script element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def claim_review(clarification, request):
    """The ClaimReview of a public clarification, as a JSON-ready dict.

    None unless the clarification stands as published: a withdrawn one no longer claims a review, and
    a draft or scheduled one seen in a staff preview must not be announced.
    """
    if not clarification.is_public:
        return None
    home_url = request.build_absolute_uri(reverse("home:index"))
    rating = {
        "@type": "Rating",
        "alternateName": str(clarification.get_verdict_display()),
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
    }
    if RATING_VALUES[clarification.verdict] is not None:
        rating["ratingValue"] = RATING_VALUES[clarification.verdict]
    appearance = {"@type": "CreativeWork", "name": str(clarification.get_claim_platform_display())}
    if clarification.claim_url:
        appearance["url"] = clarification.claim_url
    claim = {"@type": "Claim", "appearance": appearance}
    if clarification.claim_author:
        # Who spread it may be a person or an outlet; schema.org's Organization is what fact-check
        # readers expect for an account (Google's own example uses it).
        claim["author"] = {"@type": "Organization", "name": clarification.claim_author}
    if clarification.claim_seen_on:
        claim["datePublished"] = clarification.claim_seen_on.isoformat()
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": request.build_absolute_uri(clarification.get_absolute_url()),
        "claimReviewed": shorten(clarification.claim, CLAIM_REVIEWED_LENGTH),
        "reviewRating": rating,
        "itemReviewed": claim,
        "author": {
            "@type": "Organization",
            "name": office_name(clarification.language),
            "url": settings.OFFICE_URL or home_url,
        },
        "datePublished": timezone.localtime(clarification.published_at).isoformat(),
        "dateModified": timezone.localtime(clarification.public_modified_at).isoformat(),
        "inLanguage": clarification.language,
    }


def shorten(text, limit):
    """``text`` on one line, at most ``limit`` characters, cut where a reader would cut it.

    A Latin word is never split: the cut moves back to the space before it. Chinese can be cut
    between any two characters. Trailing spaces and punctuation go before the ellipsis.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    if _is_word_char(text[len(cut)]) and _is_word_char(cut[-1]) and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:!?，。；：！？、") + ELLIPSIS


def _is_word_char(char):
    # Letters and digits of space-separated scripts; Chinese characters stand on their own.
    return char.isalnum() and not ("\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff")


def json_ld_script(data):
    """A ``<script type="application/ld+json">`` data block, escaped like ``json_script``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
