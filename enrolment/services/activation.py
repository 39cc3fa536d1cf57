"""Account activation from the invitation link, and confirmation of a personal e-mail.

Both links are single-use (``links.link_consume``): activation locks the link row,
checks it again and marks it used in the same transaction that creates the account, so
two submissions of the same link can never create two accounts.

The invitation link alone does not open the account: the employee also gives the birth
date the employer declared. Wrong answers are counted on the link row (not in the
session); the third locks the link, and only a new link sent by the correspondent
(« Relancer ») opens the account.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from mutuelle.enums import Channel
from mutuelle.notifications import notification_send
from mutuelle.pages import page_url

from ..enums import EnrolmentStatus, LinkKind, RequestType
from ..models import Enrolment, MemberChange, SingleUseLink
from .links import (
    LOCKED,
    LinkNotUsable,
    link_check_failed,
    link_consume,
    link_issue,
    link_lock,
    link_pending,
    link_use,
)
from .postal_login import has_postal_login

MAX_BIRTH_DATE_TRIES = 3
LINK_LOCKED_LABEL = "Lien d'activation bloqué (3 dates de naissance erronées)"


class EmailAlreadyUsed(Exception):
    """Another account already logs in with this address."""


class WrongBirthDate(Exception):
    """The birth date given at activation is not the one the employer declared."""

    def __init__(self, remaining: int):
        self.remaining = remaining
        plural = "s" if remaining > 1 else ""
        self.message = (
            "La date de naissance ne correspond pas à celle déclarée par votre employeur. "
            f"Il vous reste {remaining} essai{plural}."
        )
        super().__init__(self.message)


def login_email_taken(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()


def _username_for(enrolment: Enrolment) -> str:
    """The identifier shown to the employee: the member number, made unique if needed."""
    User = get_user_model()
    base = f"adh{enrolment.member_number}"
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def account_activate(
    *,
    raw_token: str,
    birth_date,
    password: str,
    personal_email: str = "",
    commercial_consent: bool = False,
):
    """Create the employee's account from a valid invitation link and log them in later.

    ``birth_date`` must be the one the employer declared: a wrong one raises
    ``WrongBirthDate`` (tries left) and the third locks the link (``LinkNotUsable``
    with state ``locked``). The login is the e-mail given by the employer; a personal
    address, when given, is confirmed by a link before it replaces it (without an
    employer address, the personal one is the login from the start). Moves the
    enrolment to « adhésion en cours ».
    """
    error: Exception | None = None
    with transaction.atomic():
        link = link_lock(raw_token, kind=LinkKind.INVITATION)
        if birth_date != link.enrolment.employee.birth_date:
            remaining = link_check_failed(link, max_failures=MAX_BIRTH_DATE_TRIES)
            if remaining:
                error = WrongBirthDate(remaining)
            else:
                request = link.enrolment.requests.get(type=RequestType.AFFILIATION)
                request.move_to(request.status, label=LINK_LOCKED_LABEL)
                error = LinkNotUsable(LOCKED)
        else:
            user = _account_create(
                enrolment=link_use(link).enrolment,
                password=password,
                personal_email=personal_email,
                commercial_consent=commercial_consent,
            )
    # Raised once the failed try is committed: it must count whatever happens next.
    if error is not None:
        raise error
    return user


def _account_create(*, enrolment, password, personal_email, commercial_consent):
    User = get_user_model()
    employee = enrolment.employee
    personal_email = (personal_email or "").strip().lower()
    if personal_email == (employee.email or "").lower():
        personal_email = ""
    login_email = employee.email or personal_email
    if not login_email or login_email_taken(login_email):
        raise EmailAlreadyUsed(login_email)
    user = User(
        username=_username_for(enrolment),
        email=login_email,
        first_name=employee.first_name,
        last_name=employee.last_name,
    )
    user.set_password(password)
    user.save()
    employee.user = user
    employee.commercial_consent = commercial_consent
    employee.save(update_fields=["user", "commercial_consent", "updated_at"])
    enrolment.start(by=user, label="Compte activé par le salarié")
    if personal_email and employee.email:
        email_confirmation_send(user=user, email=personal_email)
    return user


def enrolment_first_login(*, enrolment: Enrolment, user) -> None:
    """An employee whose account was created for the postal letters (no e-mail) logs in
    for the first time: the enrolment is now « adhésion en cours »."""
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if locked.status != EnrolmentStatus.INVITED or locked.employee.user_id != user.pk:
            return
        locked.start(
            by=user,
            label="Première connexion du salarié (identifiants reçus par courrier)",
        )
    enrolment.status = EnrolmentStatus.IN_PROGRESS


def email_confirmation_send(*, user, email: str) -> SingleUseLink:
    """Record the pending address (a single-use link, 7 days) and e-mail the link to it."""
    with transaction.atomic():
        confirmation, raw = link_issue(kind=LinkKind.EMAIL_CONFIRMATION, user=user, email=email)
        notification_send(
            key=f"email-confirmation:{confirmation.pk}",
            channel=Channel.EMAIL,
            to=email,
            template="email_confirmation",
            context={
                "user": user,
                "email": email,
                "link": page_url("member.confirm_email", raw),
                "expires_at": confirmation.expires_at,
                "postal": has_postal_login(user.email),
            },
        )
    return confirmation


def email_confirm(*, raw_token: str):
    """Make the confirmed personal address the login. Single-use, expires after 7 days."""
    with transaction.atomic():
        confirmation = link_consume(raw_token, kind=LinkKind.EMAIL_CONFIRMATION)
        user = confirmation.user
        if (
            get_user_model()
            .objects.filter(email__iexact=confirmation.email)
            .exclude(pk=user.pk)
            .exists()
        ):
            raise EmailAlreadyUsed(confirmation.email)
        previous = user.email
        user.email = confirmation.email
        user.save(update_fields=["email"])
        MemberChange.objects.bulk_create(
            MemberChange(
                employee=employee,
                actor=user,
                label="Adresse e-mail de connexion confirmée",
                old_value=previous,
                new_value=user.email,
            )
            for employee in user.employee_records.all()
        )
    return user


def pending_email(user) -> SingleUseLink | None:
    return link_pending(kind=LinkKind.EMAIL_CONFIRMATION, user=user)
