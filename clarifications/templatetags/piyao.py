from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from clarifications.branding import office_name
from clarifications.excerpts import excerpt_chars
from clarifications.markup import render_markdown
from clarifications.templatetags.seo import on_this_host, path_in_language

register = template.Library()

# "Copy for WeChat" keeps the truth short enough to read in a group chat without opening anything.
WECHAT_TRUTH_CHARS = 120


@register.filter
def markdown(text):
    return mark_safe(render_markdown(text))  # noqa: S308 (sanitised by nh3 in render_markdown)


@register.filter
def truth_excerpt(text, limit):
    """``text`` in at most ``limit`` characters, cut after a whole sentence with "…" (see excerpts.py)."""
    return excerpt_chars(text, int(limit))


@register.simple_tag(takes_context=True)
def url_in_language(context, language_code):
    """The current page (query string included) in another interface language."""
    request = context["request"]
    return path_in_language(request.get_full_path(), language_code)


@register.simple_tag(takes_context=True)
def page_address(context, clarification):
    """The absolute address of a clarification's page, in the page's language, on this host."""
    request = context.get("request")
    path = clarification.get_absolute_url()
    return on_this_host(request, path) if request is not None else path


@register.simple_tag
def wechat_text(clarification, address):
    """What "copy for WeChat" puts on the clipboard: the verdict (or "withdrawn") and title, the truth in
    about WECHAT_TRUTH_CHARS characters (cut after a sentence), who confirms it, and the link."""
    verdict = _("Withdrawn") if clarification.is_withdrawn else clarification.get_verdict_display()
    return "\n".join(
        [
            _("[%(verdict)s] %(title)s") % {"verdict": verdict, "title": clarification.title},
            _("The truth: %(truth)s") % {"truth": excerpt_chars(clarification.truth, WECHAT_TRUTH_CHARS)},
            _("Confirmed by: %(authority)s") % {"authority": clarification.authority_name or office_name()},
            address,
        ]
    )
