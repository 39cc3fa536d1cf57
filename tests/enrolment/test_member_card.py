import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrolment.enums import (
    EnrolmentStatus,
    MemberDocumentKind,
    TerminationReason,
    UnemploymentEligibility,
)
from enrolment.member_models import MemberCard, MemberDocument
from enrolment.services.backoffice import enrolment_validate
from enrolment.services.card import (
    card_from_verification_token,
    card_rights_open,
    card_validity,
    card_verification_token,
    member_card_issue,
    member_cards_renew_due,
)
from enrolment.services.termination import termination_process, termination_submit
from mutuelle.models import OutboxMessage
from tests.mutuelle.factories import UserFactory

from .factories import EnrolmentFactory, make_nir
from .signing import pdf_text, sign

pytestmark = pytest.mark.django_db


def read(document) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


@pytest.fixture
def member():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.save()
    return enrolment


@time_machine.travel(dt.datetime(2026, 11, 30, 10, 0))
def test_card_lists_every_beneficiary_with_masked_nir_and_the_calendar_year(member):
    card = member_card_issue(enrolment=member, reason="test")
    assert (card.valid_from, card.valid_until) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [h["role"] for h in card.holders] == ["Assuré principal", "Conjoint", "Enfant"]
    member_nir = member.employee.nir
    assert card.holders[0]["nir"].endswith(f"{member_nir[-3]} {member_nir[-2:]}")
    assert member_nir[:12] not in str(card.holders)
    # The child is attached to the member's NIR.
    assert card.holders[2]["attached"] and card.holders[2]["nir"] == card.holders[0]["nir"]
    text = pdf_text(read(card.document))
    assert member.member_number in text and "77553311" in text
    assert "SIMON Clémence" in text and "09/05/2022" in text
    assert "PHAR" in text and "OPTI" in text and "01/01/2026 au 31/12/2026" in text
    assert card.document.kind == MemberDocumentKind.CARD


def test_validity_stops_at_the_end_of_cover_and_starts_with_the_effective_date(member):
    member.effective_date = dt.date(2026, 3, 1)
    member.end_date = dt.date(2026, 6, 30)
    assert card_validity(member, today=dt.date(2026, 4, 1)) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 6, 30),
    )
    member.end_date = dt.date(2025, 12, 31)
    with pytest.raises(ValidationError):
        card_validity(member, today=dt.date(2026, 4, 1))


def test_a_new_card_replaces_the_current_one(member):
    first = member_card_issue(enrolment=member)
    second = member_card_issue(enrolment=member, reason="Ajout d'un bénéficiaire")
    first.refresh_from_db()
    assert first.replaced_at is not None and second.replaced_at is None
    assert MemberCard.objects.current().get(enrolment=member) == second


def test_no_card_before_the_member_is_covered():
    with pytest.raises(ValidationError):
        member_card_issue(enrolment=EnrolmentFactory(invited=True))


def test_verification_token_is_signed_and_rights_follow_the_cover(member):
    card = member_card_issue(enrolment=member)
    token = card_verification_token(card)
    assert card_from_verification_token(token) == card
    assert card_from_verification_token(token[:-2] + "xx") is None
    assert card_rights_open(card, today=card.valid_from)
    assert not card_rights_open(card, today=card.valid_until + dt.timedelta(days=1))
    member.status = EnrolmentStatus.TERMINATED
    member.save()
    card.refresh_from_db()
    assert not card_rights_open(card, today=card.valid_from)


# A NIR of the shape « 1 85 10 75 033 000 11 », spaced or not, or its masked card form.
NIR_SHAPED = re.compile(r"[12](?:\s?\d{2}){3}\s?\d{3}\s?\d{3}\s?\d{2}|•")


# The second NIR ends in « 011 », like the footer's « 75011 Paris »: the NIR's digits are
# looked for in the page's main content, where the card's data would be.
@pytest.mark.parametrize("nir", [None, make_nir(33)], ids=["factory", "ends-in-011"])
def test_public_verification_page_shows_names_and_rights_only(client, member, nir):
    if nir:
        member.employee.nir = nir
        member.employee.save()
    card = member_card_issue(enrolment=member)
    url = reverse("enrolment:card_verify", args=[card_verification_token(card)])
    page = client.get(url).content.decode()
    main = re.search(r"<main\b.*?</main>", page, re.DOTALL).group()
    assert "Droits ouverts" in main and "LAMBERT Claire" in main
    assert not NIR_SHAPED.search(page)
    spouse = member.beneficiaries.get(first_name="Claire")
    # Without the page's dates: « 01/12/2026 » holds « 026 », the end of some NIRs.
    undated = re.sub(r"\d{2}/\d{2}/\d{4}", "", main)
    for holder_nir in (member.employee.nir, spouse.nir):
        assert holder_nir[-3:] not in undated
    assert "1987" not in page
    assert "Paul" in page and member.employee.address_street not in page
    assert client.get(url[:-3] + "zz/").status_code == 404


def test_validation_issues_card_and_files_the_member_documents(
    django_capture_on_commit_callbacks,
):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    sign(enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_validate(enrolment=enrolment, by=UserFactory(staff=True))
    kinds = set(MemberDocument.objects.filter(enrolment=enrolment).values_list("kind", flat=True))
    assert kinds == {
        MemberDocumentKind.CARD,
        MemberDocumentKind.MEMBERSHIP_FORM,
        MemberDocumentKind.LETTER,
        MemberDocumentKind.EMAIL,
    }
    mail = OutboxMessage.objects.get(key__startswith="enrolment-validated:")
    assert "/adherent/contrat/carte/" in mail.body_text
    copy = MemberDocument.objects.get(enrolment=enrolment, kind=MemberDocumentKind.EMAIL)
    assert enrolment.member_number in pdf_text(read(copy))


@time_machine.travel(dt.datetime(2026, 11, 30, 10, 0))
def test_portability_card_ends_with_the_portability(member, django_capture_on_commit_callbacks):
    member_card_issue(enrolment=member)
    by = UserFactory(staff=True)
    termination = termination_submit(
        enrolment=member,
        by=by,
        hire_date=member.employee.hire_date,
        termination_date=dt.date(2026, 11, 15),
        reason=TerminationReason.DISMISSAL,
        unemployment=UnemploymentEligibility.YES,
    )
    with django_capture_on_commit_callbacks(execute=True):
        termination_process(termination=termination, by=by)
    card = MemberCard.objects.current().get(enrolment=member)
    member.refresh_from_db()
    assert card.portability and card.valid_until == member.end_date == dt.date(2027, 11, 15)
    assert MemberDocument.objects.filter(
        enrolment=member, kind=MemberDocumentKind.EMAIL, title__contains="portabilité"
    ).exists()


def test_daily_renewal_issues_the_new_year_card_once(member):
    with time_machine.travel(dt.datetime(2025, 12, 1, 10, 0)):
        member_card_issue(enrolment=member)
    with time_machine.travel(dt.datetime(2026, 1, 1, 3, 0)):
        assert member_cards_renew_due() == 1
        assert member_cards_renew_due() == 0
    card = MemberCard.objects.current().get(enrolment=member)
    assert card.valid_until == dt.date(2026, 12, 31)
