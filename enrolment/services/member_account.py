"""« Créer mon espace » (seed 004): an existing member without an online account creates
one from their member number, names and birth date, then activates it from an e-mailed
link valid 24 hours and once.

No account enumeration: whatever the data, the caller shows the same answer. What
happens depends on what matched, and only the mailbox learns it:
- an unactivated member: an activation link to the address given;
- a member who already has an account: an e-mail to that account's address saying so,
  with the password-reset page;
- nothing: nothing is sent.
The chosen password is hashed at once and travels inside the link row (never in clear);
the account exists only once the link is used.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from mutuelle.enums import Channel
from mutuelle.notifications import notification_send

from ..enums import COVERED_STATES, LinkKind
from ..models import Enrolment, MemberChange
from .links import link_consume, link_issue, link_sent_since
from .postal_login import has_postal_login

# Members who can create their space: those the mutuelle covers today.
ACCOUNT_STATES = COVERED_STATES
_NOT_LETTERS = re.compile(r"[^a-z0-9]")
# A second identical request within this window sends nothing new.
RESUBMIT_WINDOW = dt.timedelta(minutes=2)


def comparable_name(name: str) -> str:
    """« Lefèbvre-D'Arc » and « lefebvre d arc » compare equal: no case, accents,
    hyphens, apostrophes or spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_LETTERS.sub("", ascii_only.casefold())


def _find_member(*, member_number: str, last_name: str, first_name: str, birth_date: dt.date):
    enrolment = (
        Enrolment.objects.with_member_number(member_number)
        .filter(status__in=ACCOUNT_STATES)
        .select_related("employee__user", "employee__company")
        .first()
    )
    if enrolment is None:
        return None
    employee = enrolment.employee
    if (
        employee.birth_date == birth_date
        and comparable_name(employee.last_name) == comparable_name(last_name)
        and comparable_name(employee.first_name) == comparable_name(first_name)
    ):
        return enrolment
    return None


def member_account_request(
    *,
    member_number: str,
    last_name: str,
    first_name: str,
    birth_date: dt.date,
    email: str,
    password: str,
    paperless_mail: bool,
    activation_url: Callable[[str], str],
    password_reset_url: str,
) -> None:
    """Act on a « Créer mon espace » form. Returns nothing on purpose: the page says
    the same thing whatever happened here."""
    email = email.strip().lower()
    with transaction.atomic():
        enrolment = _find_member(
            member_number=member_number.strip(),
            last_name=last_name,
            first_name=first_name,
            birth_date=birth_date,
        )
        if enrolment is None:
            return
        employee = enrolment.employee
        user = employee.user
        if user is not None:
            if has_postal_login(user.email):
                # Identifiers went by post: no address to write to; the letters
                # and the help line cover it.
                return
            notification_send(
                key=f"member-account-exists:{enrolment.pk}:{timezone.now():%Y%m%d%H}",
                channel=Channel.EMAIL,
                to=user.email,
                template="member_account_exists",
                context={
                    "employee": employee,
                    "login": user.email,
                    "password_reset_url": password_reset_url,
                },
            )
            return
        if get_user_model().objects.filter(email__iexact=email).exists():
            notification_send(
                key=f"member-account-email-taken:{enrolment.pk}:{timezone.now():%Y%m%d%H}",
                channel=Channel.EMAIL,
                to=email,
                template="member_account_email_taken",
                context={"employee": employee, "password_reset_url": password_reset_url},
            )
            return
        if link_sent_since(
            kind=LinkKind.ACCOUNT_ACTIVATION,
            enrolment=enrolment,
            email=email,
            since=timezone.now() - RESUBMIT_WINDOW,
        ):
            # A double submission: the link just sent still works.
            return
        link, raw = link_issue(
            kind=LinkKind.ACCOUNT_ACTIVATION,
            enrolment=enrolment,
            email=email,
            data={"password": make_password(password), "paperless_mail": bool(paperless_mail)},
        )
        notification_send(
            key=f"member-account-activation:{link.pk}",
            channel=Channel.EMAIL,
            to=email,
            template="member_account_activation",
            context={
                "employee": employee,
                "link": activation_url(raw),
                "expires_at": link.expires_at,
                "member_number": enrolment.member_number,
            },
        )


def _username(enrolment: Enrolment) -> str:
    """The member number is the identifier (« n° d'adhérent » on the login page)."""
    User = get_user_model()
    base = enrolment.member_number
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


class EmailTakenMeanwhile(Exception):
    """The address got an account between the request and the activation."""


def member_account_activate(*, raw_key: str):
    """Create the account from a valid activation link (24 h, once): login = the
    member number or the e-mail given, password = the one chosen on the form."""
    User = get_user_model()
    with transaction.atomic():
        link = link_consume(raw_key, kind=LinkKind.ACCOUNT_ACTIVATION)
        enrolment = link.enrolment
        employee = enrolment.employee
        if User.objects.filter(email__iexact=link.email).exists():
            raise EmailTakenMeanwhile(link.email)
        user = User(
            username=_username(enrolment),
            email=link.email,
            first_name=employee.first_name,
            last_name=employee.last_name,
            password=link.data["password"],
        )
        user.save()
        employee.user = user
        employee.paperless_mail = link.data["paperless_mail"]
        employee.save(update_fields=["user", "paperless_mail", "updated_at"])
        # The hash is not needed any more: the link row keeps only its dates.
        link.data = {}
        link.save(update_fields=["data"])
        MemberChange.objects.create(
            employee=employee,
            actor=user,
            label="Espace adhérent créé (« Créer mon espace »)",
            new_value=f"Identifiant {user.username}, e-mail {user.email}, e-courriers "
            + ("oui" if employee.paperless_mail else "non"),
        )
    return user
