from django.conf import settings


def site(request):
    return {"SITE_NAME": "mail_service", "SITE_URL": settings.SITE_URL}
