"""Every transition of the member-request state machine, and every refusal."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from enrolment.exceptions import InvalidTransition
from member_requests import kinds
from member_requests.enums import MemberRequestStatus as S
from member_requests.models import MEMBER_REQUEST_TRANSITIONS, MemberRequest
from member_requests.services import (
    member_request_accept,
    member_request_ask_complement,
    member_request_complete,
    member_request_refuse,
    member_request_take_up,
    member_request_withdraw,
)
from mutuelle.models import OutboxMessage
from tests.dispensations.factories import pdf_upload
from tests.mutuelle.factories import UserFactory

from .factories import sent_request

pytestmark = pytest.mark.django_db


def _at(status: str) -> MemberRequest:
    member_request = sent_request()
    if status != S.SUBMITTED:
        MemberRequest.objects.filter(pk=member_request.pk).update(status=status)
        member_request.refresh_from_db()
    return member_request


# What each named transition does, driven by a back-office user or the member.
def _operations(member_request, staff):
    member = member_request.enrolment.employee.user
    return {
        S.IN_PROGRESS: lambda: member_request.take_up(by=staff),
        S.AWAITING_COMPLEMENT: lambda: member_request.ask_complement(by=staff, message="RIB"),
        S.ACCEPTED: lambda: member_request.accept(by=staff),
        S.REFUSED: lambda: member_request.refuse(by=staff, reason="Hors délai"),
        S.WITHDRAWN: lambda: member_request.withdraw(by=member),
    }


@pytest.mark.parametrize(
    ("start", "target"),
    [(a, b) for a, b in itertools.product(S.values, S.values) if b != S.SUBMITTED],
)
def test_every_pair_follows_the_table(start, target):
    member_request = _at(start)
    staff = UserFactory(staff=True)
    operation = _operations(member_request, staff)[target]
    before = member_request.events.count()
    if target in MEMBER_REQUEST_TRANSITIONS[start]:
        event = operation()
        member_request.refresh_from_db()
        assert member_request.status == target
        assert (event.from_status, event.to_status) == (start, target)
        assert event.actor is not None and member_request.events.count() == before + 1
    else:
        with pytest.raises(InvalidTransition):
            operation()
        member_request.refresh_from_db()
        assert member_request.status == start
        assert member_request.events.count() == before


def test_complete_goes_back_in_progress_only_when_a_complement_is_awaited():
    member_request = _at(S.AWAITING_COMPLEMENT)
    member_request.complete(by=member_request.enrolment.employee.user, note="Voici")
    assert member_request.status == S.IN_PROGRESS
    with pytest.raises(InvalidTransition):
        member_request.complete(by=None)


def test_full_story_through_the_services_with_history_and_mails(django_capture_on_commit_callbacks):
    staff = UserFactory(staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        member_request = sent_request()
    member = member_request.enrolment.employee.user
    member_request_take_up(member_request=member_request, by=staff)
    with pytest.raises(ValidationError):
        member_request_ask_complement(member_request=member_request, by=staff, message="  ")
    member_request_ask_complement(member_request=member_request, by=staff, message="Joignez le RIB")
    with pytest.raises(ValidationError):  # neither a message nor a file
        member_request_complete(member_request=member_request, by=member)
    member_request = member_request_complete(
        member_request=member_request, by=member, documents=[("RIB", pdf_upload("rib.pdf"))]
    )
    assert member_request.status == S.IN_PROGRESS
    assert member_request.documents.count() == 2
    with pytest.raises(ValidationError):
        member_request_refuse(member_request=member_request, by=staff, reason="")
    member_request = member_request_accept(member_request=member_request, by=staff, note="Fait")
    assert member_request.status == S.ACCEPTED and member_request.decided_by == staff
    assert [e.to_status for e in member_request.events.all()] == [
        S.SUBMITTED,
        S.IN_PROGRESS,
        S.AWAITING_COMPLEMENT,
        S.IN_PROGRESS,
        S.ACCEPTED,
    ]
    subjects = list(
        OutboxMessage.objects.filter(recipient=member_request.enrolment.employee.contact_email)
        .order_by("id")
        .values_list("subject", flat=True)
    )
    number = member_request.number
    assert subjects == [
        f"Votre demande n° {number} a bien été reçue",
        f"Votre demande n° {number} est à compléter",
        f"Votre demande n° {number} a été acceptée",
    ]
    with pytest.raises(ValidationError):
        member_request_withdraw(member_request=member_request, by=member)
    with pytest.raises(InvalidTransition):
        member_request_refuse(member_request=member_request, by=staff, reason="Trop tard")


def test_refusal_and_withdrawal_run_the_kind_effects_in_the_same_transaction(monkeypatch):
    calls = []

    def effect(*, member_request, by):
        calls.append((member_request.status, by))

    def blocking(*, member_request, by):
        raise ValidationError("Bénéficiaire déjà couvert.")

    monkeypatch.setattr(kinds, "_EFFECTS", {})
    kinds.register_kind("test_kind", on_refuse=effect, on_withdraw=effect, on_accept=blocking)
    staff = UserFactory(staff=True)
    refused = sent_request(kind="test_kind")
    member_request_refuse(member_request=refused, by=staff, reason="Non")
    withdrawn = sent_request(kind="test_kind")
    member = withdrawn.enrolment.employee.user
    member_request_withdraw(member_request=withdrawn, by=member)
    assert calls == [(S.SUBMITTED, staff), (S.SUBMITTED, member)]
    blocked = sent_request(kind="test_kind")
    with pytest.raises(ValidationError):
        member_request_accept(member_request=blocked, by=staff)
    blocked.refresh_from_db()
    assert blocked.status == S.SUBMITTED and blocked.events.count() == 1
