from django.conf import settings


def brand(request):
    return {"mutuelle": settings.MUTUELLE, "dev_outbox_enabled": settings.DEV_OUTBOX_ENABLED}
