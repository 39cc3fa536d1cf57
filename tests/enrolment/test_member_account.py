"""« Créer mon espace » (seed 004) at the service level: matching, no enumeration,
the 24-hour single-use activation link."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, LinkKind
from enrolment.models import SingleUseLink
from enrolment.services.links import EXPIRED, USED, LinkNotUsable
from enrolment.services.member_account import (
    comparable_name,
    member_account_activate,
    member_account_request,
)
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Soleil-Levant-2026!"


@pytest.fixture
def member():
    return EnrolmentFactory(
        status=EnrolmentStatus.ACTIVE,
        imported_member_number="18004512",
        employee__user=None,
        employee__first_name="Jean-Noël",
        employee__last_name="D'Argenson",
        employee__birth_date=dt.date(1979, 6, 14),
    )


def _request(**overrides):
    keys = {}

    def activation_url(key):
        keys["key"] = key
        return f"http://testserver/adherent/activer/{key}/"

    data = {
        "member_number": "18004512",
        "last_name": "dargenson",
        "first_name": "JEAN NOEL",
        "birth_date": dt.date(1979, 6, 14),
        "email": "Jean.Noel@perso.example.fr",
        "password": PASSWORD,
        "paperless_mail": False,
        "activation_url": activation_url,
        "password_reset_url": "http://testserver/compte/mot-de-passe/reinitialisation/",
        **overrides,
    }
    member_account_request(**data)
    return keys.get("key")


def test_comparable_name_ignores_case_accents_hyphens_apostrophes():
    assert comparable_name("Lefèbvre-D'Arc") == comparable_name("LEFEBVRE d arc")
    assert comparable_name("Zoë  O’Neil") == comparable_name("zoe oneil")
    assert comparable_name("Martin") != comparable_name("Martine")


def test_matching_member_gets_an_activation_link(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        key = _request()
    link = SingleUseLink.objects.get(kind=LinkKind.ACCOUNT_ACTIVATION)
    assert link.enrolment == member
    assert link.email == "jean.noel@perso.example.fr"
    assert link.expires_at == link.created_at + dt.timedelta(hours=24)
    assert PASSWORD not in str(link.data)
    message = OutboxMessage.objects.get(key=f"member-account-activation:{link.pk}")
    assert message.recipient == "jean.noel@perso.example.fr"
    assert key in message.body_text and "24 heures" in message.body_text
    # A double submission sends nothing more.
    assert _request() is None
    assert OutboxMessage.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"member_number": "18004513"},
        {"last_name": "Dargenton"},
        {"first_name": "Jean"},
        {"birth_date": dt.date(1979, 6, 15)},
    ],
)
def test_no_match_sends_nothing(member, overrides):
    assert _request(**overrides) is None
    assert not SingleUseLink.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_member_not_covered_cannot_create_a_space(member):
    member.status = EnrolmentStatus.TERMINATED
    member.save()
    _request()
    assert not OutboxMessage.objects.exists()


def test_existing_account_is_told_with_the_reset_link(member):
    member.employee.user = UserFactory(email="jn@exemple.fr")
    member.employee.save()
    _request()
    assert not SingleUseLink.objects.exists()
    message = OutboxMessage.objects.get()
    assert message.recipient == "jn@exemple.fr"
    assert "déjà un espace" in message.body_text
    assert "/compte/mot-de-passe/reinitialisation/" in message.body_text


def test_an_address_used_by_another_account_is_told_so(member):
    UserFactory(email="jean.noel@perso.example.fr")
    _request()
    assert not SingleUseLink.objects.exists()
    message = OutboxMessage.objects.get()
    assert message.recipient == "jean.noel@perso.example.fr"
    assert "sert déjà d'identifiant" in message.body_text


def test_activation_creates_the_account_once(member):
    key = _request()
    user = member_account_activate(raw_key=key)
    assert user.username == "18004512"
    assert user.email == "jean.noel@perso.example.fr"
    assert user.check_password(PASSWORD)
    member.employee.refresh_from_db()
    assert member.employee.user == user
    assert member.employee.paperless_mail is False
    assert member.employee.changes.filter(actor=user, label__contains="Créer mon espace").exists()
    link = SingleUseLink.objects.get()
    assert link.used_at is not None and link.data == {}
    with pytest.raises(LinkNotUsable) as exc:
        member_account_activate(raw_key=key)
    assert exc.value.state == USED
    assert get_user_model().objects.count() == 1


def test_activation_link_lasts_24_hours(member):
    key = _request()
    later = timezone.now() + dt.timedelta(hours=24, minutes=1)
    with time_machine.travel(later), pytest.raises(LinkNotUsable) as exc:
        member_account_activate(raw_key=key)
    assert exc.value.state == EXPIRED
    assert member_account_activate(raw_key=key).username == "18004512"
