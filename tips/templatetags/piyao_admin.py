from django import template

from tips.analytics import trends
from tips.analytics.dashboard import staff_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_dashboard(context):
    """The admin index's counts of work waiting (see tips/analytics/dashboard.py)."""
    return staff_counts(context["request"].user)


@register.simple_tag(takes_context=True)
def staff_charts(context):
    """The admin index's charts for this user, over the period the page asks for (``?days=90``)."""
    request = context["request"]
    period = trends.period_from(request.GET.get("days"))
    # The period switch only changes the report charts, which only tip staff see.
    periods = trends.PERIODS if request.user.has_perm("tips.view_tip") else ()
    return {"charts": trends.index_charts(request.user, days=period), "period": period, "periods": periods}
