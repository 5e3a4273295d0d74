from django import template
from django.utils.safestring import mark_safe

from clarifications.markup import render_markdown
from clarifications.templatetags.seo import path_in_language

register = template.Library()


@register.filter
def markdown(text):
    return mark_safe(render_markdown(text))  # noqa: S308 (sanitised by nh3 in render_markdown)


@register.simple_tag(takes_context=True)
def url_in_language(context, language_code):
    """The current page (query string included) in another interface language."""
    request = context["request"]
    return path_in_language(request.get_full_path(), language_code)
