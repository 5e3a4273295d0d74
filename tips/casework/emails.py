"""The e-mail a citizen who agreed to be contacted receives when their report is answered."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from clarifications.models import Clarification
from tips.models import Tip

logger = logging.getLogger(__name__)


def send_answer_email(tip_id, clarification_id, site_url):
    """Tell the citizen, in the language of their form, where the answer is (run by the task queue).

    A mail server error is logged and raised, so that the queue tries again later; the answer itself
    was committed before and stays."""
    try:
        tip = Tip.objects.get(pk=tip_id)
        clarification = Clarification.objects.get(pk=clarification_id)
        if not (tip.contact_email and tip.contact_consent):
            return
        with translation.override(tip.language):
            context = {
                "tip": tip,
                "clarification": clarification,
                "clarification_url": site_url.rstrip("/") + clarification.get_absolute_url(),
                "status_url": site_url.rstrip("/") + tip.get_absolute_url(),
                "site_name": settings.SITE_NAME,
            }
            subject = _("Your report %(code)s has been answered") % {"code": tip.code}
            body = render_to_string("tips/answer_email.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [tip.contact_email])
    except Exception:
        # The answer is saved whatever the mail server says; the citizen can still check the code.
        logger.exception("Could not send the answer e-mail for tip %s; the queue will try again", tip_id)
        raise
