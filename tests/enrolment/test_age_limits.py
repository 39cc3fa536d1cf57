"""Beneficiaries' rules of the contract: disabled children without age limit where the
contract says so, the yearly end of cover of children passing the limit, and the age of
a married or PACS partner."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from enrolment.enums import EnrolmentStatus, Relationship, SpouseKind
from enrolment.models import Beneficiary
from enrolment.services.age_limits import (
    beneficiary_record_student_proof,
    child_cover_end,
    children_age_limit_review,
)
from enrolment.services.wizard import beneficiary_rule_errors
from mutuelle.models import OutboxMessage

from .factories import EnrolmentFactory

pytestmark = pytest.mark.django_db
D = dt.date


def child(enrolment, birth_date, **kwargs):
    return Beneficiary.objects.create(
        enrolment=enrolment,
        relationship=Relationship.CHILD,
        civility="M",
        first_name=kwargs.pop("first_name", "Lucas"),
        last_name="Martin",
        birth_date=birth_date,
        **kwargs,
    )


def spouse_errors(enrolment, *, kind, birth_date):
    return beneficiary_rule_errors(
        enrolment=enrolment,
        data={"relationship": Relationship.SPOUSE, "spouse_kind": kind, "birth_date": birth_date},
    )


def test_married_or_pacs_partner_is_at_least_18(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC))
    enrolment = EnrolmentFactory(active=True, effective_date=D(2026, 11, 1))
    seventeen = D(2009, 1, 15)
    eighteen_today = D(2008, 11, 30)
    for kind in (SpouseKind.MARRIED, SpouseKind.PACS):
        errors = spouse_errors(enrolment, kind=kind, birth_date=seventeen)
        assert errors["birth_date"] == ["Un conjoint marié ou pacsé a au moins 18 ans."]
        assert "birth_date" not in spouse_errors(enrolment, kind=kind, birth_date=eighteen_today)
    # A cohabitant of 17 is possible (16 at least).
    assert "birth_date" not in spouse_errors(
        enrolment, kind=SpouseKind.COHABITING, birth_date=seventeen
    )


def test_disabled_child_covered_without_age_limit_only_where_the_contract_says_so():
    enrolment = EnrolmentFactory(active=True, effective_date=D(2024, 3, 1))
    data = {
        "relationship": Relationship.CHILD,
        "birth_date": D(1990, 5, 1),
        "disabled": True,
        "twin_rank": 1,
    }
    assert "birth_date" in beneficiary_rule_errors(enrolment=enrolment, data=data)
    contract = enrolment.contract
    contract.disabled_child_no_age_limit = True
    contract.save()
    assert "birth_date" not in beneficiary_rule_errors(enrolment=enrolment, data=data)
    assert child_cover_end(child(enrolment, D(1990, 5, 1), disabled=True), contract) is None


def test_cover_ends_the_day_before_the_birthday_of_the_limit():
    enrolment = EnrolmentFactory(active=True)
    contract = enrolment.contract  # 21, or 26 for students
    assert child_cover_end(child(enrolment, D(2006, 6, 15)), contract) == D(2027, 6, 14)
    student = child(
        enrolment, D(2006, 6, 15), first_name="Léa", twin_rank=2, is_student_or_apprentice=True
    )
    assert child_cover_end(student, contract) == D(2032, 6, 14)
    leap = child(enrolment, D(2008, 2, 29), first_name="Hugo")
    assert child_cover_end(leap, contract) == D(2029, 2, 28)


def test_yearly_review_tells_the_member_and_schedules_the_end(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(active=True)
    passing = child(enrolment, D(2006, 6, 15))  # 21 on 15/06/2027
    later = child(enrolment, D(2008, 6, 15), first_name="Léa")  # 21 in 2029
    terminated = EnrolmentFactory(status=EnrolmentStatus.TERMINATED)
    child(terminated, D(2006, 6, 15), first_name="Tom")
    with django_capture_on_commit_callbacks(execute=True):
        assert children_age_limit_review(today=D(2026, 12, 1)) == 1
        assert children_age_limit_review(today=D(2026, 12, 1)) == 0
    passing.refresh_from_db()
    later.refresh_from_db()
    assert passing.covered_until == D(2027, 6, 14)
    assert later.covered_until is None
    message = OutboxMessage.objects.get(key__startswith="child-age-limit")
    assert message.recipient == enrolment.employee.contact_email
    assert "prendra fin le 14/06/2027" in message.body_text
    assert "certificat de scolarité" in message.body_text
    assert "jusqu'à ses 26 ans" in message.body_text


def test_student_proof_moves_the_end_to_the_student_limit(time_machine):
    time_machine.move_to(dt.datetime(2027, 1, 10, 10, tzinfo=dt.UTC))
    enrolment = EnrolmentFactory(active=True)
    passing = child(enrolment, D(2006, 6, 15))
    children_age_limit_review(today=D(2026, 12, 1))
    assert beneficiary_record_student_proof(beneficiary=passing) == D(2032, 6, 14)
    passing.refresh_from_db()
    assert passing.is_student_or_apprentice and passing.covered_until is None
    too_old = child(enrolment, D(1995, 1, 1), first_name="Max")
    with pytest.raises(ValidationError, match="âge limite des étudiants"):
        beneficiary_record_student_proof(beneficiary=too_old)


def test_admin_action_records_the_student_proof(admin_client):
    from django.urls import reverse

    passing = child(EnrolmentFactory(active=True), D(2006, 6, 15))
    response = admin_client.post(
        reverse("admin:enrolment_beneficiary_changelist"),
        {"action": "record_student_proof", "_selected_action": [passing.pk]},
        follow=True,
    )
    assert "1 justificatif(s) enregistré(s)." in response.content.decode()
    passing.refresh_from_db()
    assert passing.is_student_or_apprentice
