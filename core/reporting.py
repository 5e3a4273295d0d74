"""What Django's error reports (the DEBUG page, error e-mails) may show of the settings.

Django masks settings whose names contain KEY, SECRET, PASS, TOKEN, ...; ours also carry secrets in
URLs (a Redis or database password in ``REDIS_URL``, ``DATABASE_URL``, ``EMAIL_URL``, and in the
``CACHES`` location built from it), so those are masked too.
"""

import re

from django.views.debug import SafeExceptionReporterFilter


class SecretSettingsFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL|REDIS_URL|EMAIL_URL|^CACHES$|^DATABASES$",
        flags=re.IGNORECASE,
    )
