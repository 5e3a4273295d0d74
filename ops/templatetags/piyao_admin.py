from django import template

from ops.dashboard import staff_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_dashboard(context):
    """The admin index's counts of work waiting (see ops/dashboard.py)."""
    return staff_counts(context["request"].user)
