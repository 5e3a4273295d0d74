from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def personal_data_days():
    """How long personal data of a closed tip is kept, for the privacy page."""
    return settings.TIPS_PERSONAL_DATA_DAYS
