"""Tags for what machines read in a page's head: canonical and alternate URLs, share cards, JSON-LD."""

import re
from urllib.parse import urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_from_path

from clarifications import share_font
from clarifications.structured_data import claim_review, json_ld_script

register = template.Library()

# Open Graph wants language_TERRITORY.
OG_LOCALES = {"zh-hans": "zh_CN", "en": "en_US"}
# ASCII control characters: URL parsers (browsers, Python's urlsplit) drop tab, newline and carriage
# return anywhere in an address, so "/<tab>/evil.example" would read as "//evil.example".
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class CaptureNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # The nodes escaped what they rendered; strip() would drop the "safe" mark.
        context[self.name] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308
        return ""


@register.tag
def capture(parser, token):
    """``{% capture as name %}...{% endcapture %}``: render once, use twice (a title in <title> and og:title).

    Blocks inside still take part in template inheritance.
    """
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}...{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


def local_path(path):
    """``path`` as a path on this site: ``//evil.example/`` (a path a visitor may request) would be read
    by browsers, and by ``build_absolute_uri``, as another host, so control characters are removed
    (parsers drop tab and newline, which would otherwise join slashes) and leading slashes and
    backslashes are collapsed into one slash."""
    return "/" + CONTROL_CHARACTERS.sub("", path).lstrip("/\\")


def on_this_host(request, path):
    """The absolute URL of ``path`` on the request's own host; the site's root should anything make it
    point elsewhere (a last guard: no page announces another host as its address)."""
    url = request.build_absolute_uri(local_path(path))
    if urlsplit(url).netloc != request.get_host():
        return request.build_absolute_uri("/")
    return url


def path_in_language(path, language_code):
    """``path`` (query string included) in another interface language, even for a path that no URL
    pattern matches, such as a 404 page's.

    The default language lives at unprefixed URLs, the others under ``/<code>/``.
    """
    path = local_path(path)
    translated = translate_url(path, language_code)
    if translated != path:
        return local_path(translated)
    parts = urlsplit(path)
    current = get_language_from_path(parts.path)
    bare = parts.path[len(current) + 1 :] if current else parts.path
    if language_code != settings.LANGUAGE_CODE:
        bare = f"/{language_code}{bare}"
    return local_path(urlunsplit(("", "", bare or "/", parts.query, "")))


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's absolute URL without its query string, except a page number past the first."""
    request = context.get("request")
    if request is None:
        return ""
    url = on_this_host(request, request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and int(page) > 1:
        url += f"?page={page}"
    return url


@register.simple_tag(takes_context=True)
def alternate_urls(context):
    """(hreflang, absolute URL) for each interface language, then x-default (the default language)."""
    request = context.get("request")
    if request is None:
        return []
    urls = [(code, on_this_host(request, path_in_language(request.path, code))) for code, _ in settings.LANGUAGES]
    urls.append(("x-default", on_this_host(request, path_in_language(request.path, settings.LANGUAGE_CODE))))
    return urls


@register.simple_tag(takes_context=True)
def share_image_url(context, clarification=None):
    request = context.get("request")
    if request is None:
        return static("img/share-default.png")
    if clarification is not None and share_font.available():
        # The picture drawn for sharing (verdict, rumor, truth): see clarifications/share_images.py.
        return request.build_absolute_uri(reverse("clarifications:share_image", args=[clarification.pk]))
    return request.build_absolute_uri(static("img/share-default.png"))


@register.simple_tag
def og_locale(language_code):
    return OG_LOCALES.get(language_code, language_code.replace("-", "_"))


@register.simple_tag(takes_context=True)
def claim_review_json_ld(context, clarification):
    """The page's one ClaimReview block; nothing for a withdrawn clarification."""
    request = context.get("request")
    data = claim_review(clarification, request) if request is not None else None
    return json_ld_script(data) if data else ""
