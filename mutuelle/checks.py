"""System checks. Production ones (``manage.py check --deploy``): settings whose absence
would otherwise show only when a message or a debit batch fails. Always: every page
the lower layers link to is registered by a space (mutuelle/pages.py)."""

import re

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.urls import get_resolver
from stdnum.iso7064 import mod_97_10

from . import pages

HTTP_SMS_BACKEND = "mutuelle.sms.HttpGatewaySmsBackend"
SMTP_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def ics_is_valid(ics: str) -> bool:
    """SEPA creditor identifier (ICS, ``FRkkZZZnnnnnn``): the key is the ISO 7064
    mod 97-10 check of the national part followed by the country code and the key,
    the 3-character business code being left out (EPC262-08)."""
    ics = ics.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}", ics):
        return False
    checked = ics[7:] + ics[:4]
    return mod_97_10.is_valid("".join(str(int(char, 36)) for char in checked))


@register(deploy=True)
def delivery_settings_check(app_configs, **kwargs):
    errors = []
    if settings.SMS_BACKEND == HTTP_SMS_BACKEND and not settings.SMS_GATEWAY_URL:
        errors.append(
            Error(
                "SMS_GATEWAY_URL is empty: no SMS (signature codes) can be sent.",
                hint="Set SMS_GATEWAY_URL to the operator's HTTP gateway.",
                id="mutuelle.E001",
            )
        )
    if settings.EMAIL_BACKEND == SMTP_EMAIL_BACKEND and not settings.EMAIL_HOST:
        errors.append(
            Error(
                "EMAIL_HOST is empty: no e-mail (invitations, resets) can be sent.",
                hint="Set EMAIL_HOST to the SMTP server.",
                id="mutuelle.E002",
            )
        )
    if not (settings.SEAL_CERT_FILE and settings.SEAL_KEY_FILE):
        errors.append(
            Error(
                "SEAL_CERT_FILE / SEAL_KEY_FILE are empty: signed dossiers would be sealed "
                "with a self-signed development certificate.",
                hint="Set both to the PEM certificate and key of the mutuelle's seal.",
                id="mutuelle.E004",
            )
        )
    ics = settings.MUTUELLE["sepa_creditor_ics"]
    if not ics_is_valid(ics):
        errors.append(
            Error(
                f"SEPA_CREDITOR_ICS is missing or invalid ({ics!r}): SEPA mandates and "
                "debit batches need the mutuelle's creditor identifier.",
                hint="Set SEPA_CREDITOR_ICS to the ICS given by the bank (FRkkZZZnnnnnn).",
                id="mutuelle.E003",
            )
        )
    return errors


def _url_name_exists(url_name: str) -> bool:
    """Whether the URLconf has ``url_name`` (« member_portal:card »), namespaces included."""
    resolver = get_resolver()
    *namespaces, name = url_name.split(":")
    for namespace in namespaces:
        if namespace not in resolver.namespace_dict:
            return False
        resolver = resolver.namespace_dict[namespace][1]
    return name in resolver.reverse_dict


@register(Tags.urls)
def page_links_check(app_configs, **kwargs):
    errors = []
    for page in pages.PAGES:
        url_name = pages.page_url_name(page)
        if url_name is None:
            errors.append(
                Error(
                    f"No space registered the page {page!r}: the e-mails and redirects "
                    "linking to it would fail when sent.",
                    hint="Register its URL name with mutuelle.pages.pages_register() in the "
                    "AppConfig.ready() of the space that serves it.",
                    id="mutuelle.E005",
                )
            )
        elif not _url_name_exists(url_name):
            errors.append(
                Error(
                    f"The page {page!r} is registered to the URL name {url_name!r}, "
                    "which no URL pattern has.",
                    hint="Register the page's current URL name.",
                    id="mutuelle.E006",
                )
            )
    return errors
