from django.conf import settings

from .branding import office_name


def site(_request):
    return {"SITE_NAME": settings.SITE_NAME, "SITE_NAME_ZH": settings.SITE_NAME_ZH, "OFFICE_NAME": office_name()}
