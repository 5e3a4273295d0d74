"""Tags for what machines read in a page's head: canonical and alternate URLs, share cards, JSON-LD."""

from urllib.parse import urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_from_path

from clarifications.structured_data import claim_review, json_ld_script

register = template.Library()

# Open Graph wants language_TERRITORY.
OG_LOCALES = {"zh-hans": "zh_CN", "en": "en_US"}


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
    by browsers, and by ``build_absolute_uri``, as another host, so leading slashes and backslashes
    are collapsed into one slash."""
    return "/" + path.lstrip("/\\")


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
    url = request.build_absolute_uri(local_path(request.path))
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
    urls = [(code, request.build_absolute_uri(path_in_language(request.path, code))) for code, _ in settings.LANGUAGES]
    urls.append(("x-default", request.build_absolute_uri(path_in_language(request.path, settings.LANGUAGE_CODE))))
    return urls


@register.simple_tag(takes_context=True)
def share_image_url(context, clarification=None):
    request = context.get("request")
    if request is None:
        return static("img/share-default.png")
    if clarification is not None:
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
