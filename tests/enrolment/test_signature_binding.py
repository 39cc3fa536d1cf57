"""Issue 12, item 1: the signature is bound to the employee.

The SMS code only goes to the mobile on record (the employer's, or one confirmed by a
code on the profile step, at the signature step after the password, or in the member
area); the evidence says where the number came from and when it was confirmed. The
invitation link alone no longer opens the account: the birth date the employer
declared is asked, and three wrong answers lock the link until the correspondent
sends a new one.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, LinkKind, PhoneSource
from enrolment.models import MemberChange, SingleUseLink
from enrolment.services.activation import WrongBirthDate, account_activate
from enrolment.services.invitation import (
    ReminderTooSoon,
    enrolment_invite,
    enrolment_remind,
    reminders_send_due,
)
from enrolment.services.links import LOCKED, LinkNotUsable
from enrolment.services.profile import (
    WrongPassword,
    phone_change_confirm,
    phone_change_start,
    signature_phone_change_start,
)
from enrolment.signature.membership_form import phone_origin_text
from enrolment.signature.services import (
    CodeExpired,
    CodeLocked,
    PhoneChanged,
    WrongCode,
    signature_code_send,
    signature_code_verify,
)
from mutuelle.models import OutboxMessage
from tests.mutuelle.factories import PASSWORD, UserFactory

from .factories import EnrolmentFactory
from .signing import ORIGIN, last_sms_code, pdf_text, prepare_attempt, send_code

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1985, 10, 12)  # the factory's: what the employer declared


# ---- The code goes to the number on record ---------------------------------------------


def _dossier_text(evidence) -> str:
    with evidence.dossier.open("rb") as handle:
        return pdf_text(handle.read())


def _sms_recipients() -> list[str]:
    return list(
        OutboxMessage.objects.filter(channel="sms")
        .order_by("id")
        .values_list("recipient", flat=True)
    )


def test_employer_number_receives_the_code_and_the_evidence_says_so():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    evidence = signature_code_verify(
        attempt=attempt, code=send_code(attempt), by=enrolment.employee.user, origin=ORIGIN
    )
    assert _sms_recipients() == ["+33612345678"]
    assert evidence.phone == "+33612345678"
    assert evidence.phone_source == PhoneSource.EMPLOYER
    assert evidence.phone_confirmed_at is None
    assert "Déclaré par l'employeur" in phone_origin_text(evidence)
    dossier = _dossier_text(evidence)
    assert "Origine de ce numéro Déclaré par l'employeur à la pré-affiliation" in dossier


def test_number_confirmed_on_the_profile_step_is_recorded_then_used():
    enrolment = EnrolmentFactory(ready_to_sign=True, employee__phone="")
    user = enrolment.employee.user
    confirmation = phone_change_start(
        enrolment=enrolment, phone="07 81 22 33 44", source=PhoneSource.PROFILE
    )
    # Not on record before the code is typed back.
    enrolment.employee.refresh_from_db()
    assert not enrolment.employee.phone
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1), tick=False):
        confirmed_at = timezone.now()
        phone_change_confirm(attempt=confirmation, code=last_sms_code(), by=user, origin=ORIGIN)
    employee = enrolment.employee
    employee.refresh_from_db()
    assert employee.phone == "+33781223344"
    assert employee.phone_source == PhoneSource.PROFILE
    assert employee.phone_confirmed_at == confirmed_at
    assert MemberChange.objects.get(employee=employee).label.startswith("Mobile saisi à l'étape")
    attempt = prepare_attempt(enrolment)
    evidence = signature_code_verify(
        attempt=attempt, code=send_code(attempt), by=user, origin=ORIGIN
    )
    assert _sms_recipients() == ["+33781223344", "+33781223344"]
    assert evidence.phone_source == PhoneSource.PROFILE
    assert evidence.phone_confirmed_at == confirmed_at
    local = timezone.localtime(confirmed_at)
    assert f"code de confirmation saisi le {local:%d/%m/%Y} à {local:%H:%M:%S}" in (
        phone_origin_text(evidence)
    )
    assert "Saisi à l'étape « Mon profil » et confirmé par code SMS" in _dossier_text(evidence)


def test_profile_code_has_the_signature_code_limits():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    user = enrolment.employee.user
    confirmation = phone_change_start(
        enrolment=enrolment, phone="07 81 22 33 44", source=PhoneSource.PROFILE
    )
    code = last_sms_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for remaining in (4, 3, 2, 1):
        with pytest.raises(WrongCode) as exc:
            phone_change_confirm(attempt=confirmation, code=wrong, by=user, origin=ORIGIN)
        assert exc.value.remaining == remaining
    with pytest.raises(CodeLocked):
        phone_change_confirm(attempt=confirmation, code=wrong, by=user, origin=ORIGIN)
    with pytest.raises(CodeLocked):
        phone_change_confirm(attempt=confirmation, code=code, by=user, origin=ORIGIN)
    # A new code, typed after its 10 minutes: expired.
    phone_change_start(enrolment=enrolment, phone="07 81 22 33 44", source=PhoneSource.PROFILE)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=11)),
        pytest.raises(CodeExpired),
    ):
        phone_change_confirm(attempt=confirmation, code=last_sms_code(), by=user, origin=ORIGIN)
    enrolment.employee.refresh_from_db()
    assert enrolment.employee.phone == "+33612345678"
    assert enrolment.employee.phone_source == PhoneSource.EMPLOYER


def test_change_at_signature_needs_the_password_then_a_code():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    user = enrolment.employee.user
    with pytest.raises(WrongPassword):
        signature_phone_change_start(
            enrolment=enrolment, user=user, password="pas-le-bon", phone="07 81 22 33 44"
        )
    assert not OutboxMessage.objects.filter(channel="sms").exists()
    attempt = prepare_attempt(enrolment)
    signature_code_send(attempt=attempt)
    first_code = last_sms_code()
    confirmation = signature_phone_change_start(
        enrolment=enrolment, user=user, password=PASSWORD, phone="07 81 22 33 44"
    )
    phone_change_confirm(attempt=confirmation, code=last_sms_code(), by=user, origin=ORIGIN)
    # The code sent to the old number no longer signs.
    with pytest.raises(PhoneChanged):
        signature_code_verify(attempt=attempt, code=first_code, by=user, origin=ORIGIN)
    # The form shows the mobile: it is read and ticked again before signing.
    attempt = prepare_attempt(enrolment)
    evidence = signature_code_verify(
        attempt=attempt, code=send_code(attempt), by=user, origin=ORIGIN
    )
    assert _sms_recipients() == ["+33612345678", "+33781223344", "+33781223344"]
    assert evidence.phone == "+33781223344"
    assert evidence.phone_source == PhoneSource.SIGNATURE
    assert evidence.phone_confirmed_at is not None
    assert "Modifié à la signature (mot de passe et code SMS)" in _dossier_text(evidence)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.SIGNED


def test_admin_shows_where_the_number_came_from(client):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    evidence = signature_code_verify(
        attempt=attempt, code=send_code(attempt), by=enrolment.employee.user, origin=ORIGIN
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/gestion/enrolment/signatureevidence/{evidence.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode().replace("&#x27;", "'")
    assert "Origine du mobile" in html
    assert "Déclaré par l'employeur à la pré-affiliation" in html


# ---- The birth date at activation ------------------------------------------------------


@pytest.fixture
def invited(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(employee__email="paul.pro@entreprise.example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(enrolment=enrolment)
    enrolment.refresh_from_db()
    return enrolment


def _token(message: OutboxMessage) -> str:
    line = next(x for x in message.body_text.splitlines() if "/invitation/" in x)
    return line.strip().rstrip("/").rsplit("/", 1)[1]


def _activate(token: str, birth_date=BIRTH):
    return account_activate(raw_token=token, birth_date=birth_date, password="Soleil-Levant-2026!")


def test_wrong_birth_dates_are_counted_on_the_link_and_the_third_locks_it(invited):
    token = _token(OutboxMessage.objects.get(key=f"invitation:{invited.pk}"))
    for remaining in (2, 1):
        with pytest.raises(WrongBirthDate) as exc:
            _activate(token, dt.date(1985, 12, 10))
        assert exc.value.remaining == remaining
    link = SingleUseLink.objects.get(kind=LinkKind.INVITATION)
    assert link.failed_checks == 2 and link.locked_at is None and link.used_at is None
    with pytest.raises(LinkNotUsable) as exc:
        _activate(token, dt.date(1986, 10, 12))
    assert exc.value.state == LOCKED
    link.refresh_from_db()
    assert link.failed_checks == 3 and link.locked_at is not None
    with pytest.raises(LinkNotUsable) as exc:
        _activate(token)
    assert exc.value.state == LOCKED
    invited.refresh_from_db()
    assert invited.employee.user is None and invited.status == EnrolmentStatus.INVITED


def test_right_birth_date_opens_the_account(invited):
    token = _token(OutboxMessage.objects.get(key=f"invitation:{invited.pk}"))
    with pytest.raises(WrongBirthDate):
        _activate(token, dt.date(1990, 1, 1))
    user = _activate(token)
    invited.refresh_from_db()
    assert invited.employee.user == user and invited.status == EnrolmentStatus.IN_PROGRESS


def test_correspondent_resend_unlocks_with_a_fresh_link_even_within_24_hours(
    invited, django_capture_on_commit_callbacks
):
    correspondent = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_remind(enrolment=invited, by=correspondent)
    with pytest.raises(ReminderTooSoon):
        enrolment_remind(enrolment=invited, by=correspondent)
    token = _token(OutboxMessage.objects.get(key__startswith="manual-reminder"))
    for day in (1, 2, 3):
        with pytest.raises((WrongBirthDate, LinkNotUsable)):
            _activate(token, dt.date(1990, 1, day))
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_remind(enrolment=invited, by=correspondent)
    fresh = _token(OutboxMessage.objects.filter(key__startswith="manual-reminder").latest("id"))
    assert fresh != token
    with pytest.raises(LinkNotUsable) as exc:
        _activate(token)
    assert exc.value.state == "unknown"  # replaced by the new link
    assert _activate(fresh).email == "paul.pro@entreprise.example.fr"


def test_automatic_reminders_leave_a_locked_link_to_the_correspondent(
    invited, django_capture_on_commit_callbacks
):
    other = EnrolmentFactory(employee__email="autre@entreprise.example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(enrolment=other)
    token = _token(OutboxMessage.objects.get(key=f"invitation:{invited.pk}"))
    for day in (1, 2, 3):
        with pytest.raises((WrongBirthDate, LinkNotUsable)):
            _activate(token, dt.date(1990, 1, day))
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders_send_due(now=timezone.now() + dt.timedelta(days=8))
    assert sent == 1
    assert OutboxMessage.objects.filter(key__startswith=f"reminder:{other.pk}:").exists()
    assert not OutboxMessage.objects.filter(key__startswith=f"reminder:{invited.pk}:").exists()
    assert SingleUseLink.objects.get(enrolment=invited).locked_at is not None
