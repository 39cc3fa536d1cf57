"""Adding and removing a beneficiary: the wizard's rules, effective dates, the card,
the contribution, the member told."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from contributions.models import Instalment
from contributions.services import instalments_generate
from enrolment.enums import MemberDocumentKind, Relationship
from member_requests.beneficiaries import (
    BIRTH_CERTIFICATE,
    VITALE,
    beneficiary_add_submit,
    beneficiary_remove_submit,
    contribution_preview,
)
from member_requests.enums import RemovalReason
from member_requests.models import ContractMemberSettings
from member_requests.services import member_request_accept
from mutuelle.models import OutboxMessage
from tests.dispensations.factories import pdf_upload
from tests.mutuelle.factories import UserFactory

from .factories import covered_member

pytestmark = pytest.mark.django_db
CHILD = Decimal("15.20")


def child_data(birth_date, **overrides):
    data = {
        "relationship": Relationship.CHILD,
        "civility": "MME",
        "first_name": "Léa",
        "last_name": "Durand",
        "birth_date": birth_date,
        "twin_rank": 1,
        "same_address": True,
        "teletransmission": True,
        "attached_to_member_nir": True,
        "alsace_moselle": False,
    }
    data.update(overrides)
    return data


def documents():
    return [(VITALE, pdf_upload("vitale.pdf")), (BIRTH_CERTIFICATE, pdf_upload("acte.pdf"))]


def setup_member():
    enrolment = covered_member(effective_date=dt.date(2026, 1, 1))
    contract = enrolment.group.contract
    contract.beneficiaries_debited = True
    contract.save(update_fields=["beneficiaries_debited"])
    enrolment.refresh_from_db()
    return enrolment


def test_newborn_covered_from_birth_card_renewed_contribution_changes_member_told(
    django_capture_on_commit_callbacks,
):
    staff = UserFactory(staff=True)
    with time_machine.travel(dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC), tick=False):
        enrolment = setup_member()
        instalments_generate(enrolment=enrolment, until=dt.date(2026, 6, 30))
        before = contribution_preview(enrolment, on=dt.date(2026, 5, 1))
        assert before["with_child"] == before["current"] + CHILD
        with pytest.raises(ValidationError) as refused:
            beneficiary_add_submit(
                enrolment=enrolment,
                data=child_data(dt.date(2026, 3, 2)),
                documents=[(VITALE, pdf_upload())],
                by=enrolment.employee.user,
            )
        assert "Extrait d'acte de naissance" in refused.value.message_dict["documents"][0]
        member_request = beneficiary_add_submit(
            enrolment=enrolment,
            data=child_data(dt.date(2026, 3, 2)),
            documents=documents(),
            by=enrolment.employee.user,
        )
        change = member_request.beneficiary_change
        assert change.effective_date == dt.date(2026, 3, 2)  # declared within 3 months
        assert change.monthly_after == change.monthly_before + CHILD
        assert enrolment.beneficiaries.count() == 2  # nothing before acceptance
        with django_capture_on_commit_callbacks(execute=True):
            member_request_accept(member_request=member_request, by=staff)
    newborn = enrolment.beneficiaries.get(first_name="Léa")
    assert newborn.covered_from == dt.date(2026, 3, 2)
    card = enrolment.member_documents.filter(kind=MemberDocumentKind.CARD).get()
    assert "Ajout" in card.title or card.pk
    amounts = dict(Instalment.objects.filter(enrolment=enrolment).values_list("due_date", "amount"))
    assert amounts[dt.date(2026, 5, 10)] == amounts[dt.date(2026, 1, 10)] + CHILD
    message = OutboxMessage.objects.get(key=f"member-request-accepted:{member_request.pk}")
    assert "Léa Durand est couvert(e) à partir du 02/03/2026" in message.body_text
    assert "Votre cotisation mensuelle devient" in message.body_text


def test_late_declaration_or_contract_setting_gives_first_of_next_month():
    with time_machine.travel(dt.datetime(2026, 7, 20, 9, tzinfo=dt.UTC), tick=False):
        enrolment = setup_member()
        late = beneficiary_add_submit(
            enrolment=enrolment,
            data=child_data(dt.date(2026, 3, 2)),
            documents=documents(),
            by=enrolment.employee.user,
        )
        assert late.beneficiary_change.effective_date == dt.date(2026, 8, 1)
        ContractMemberSettings.objects.create(
            contract=enrolment.contract, birth_effective_at_birth=False
        )
        setting = beneficiary_add_submit(
            enrolment=enrolment,
            data=child_data(dt.date(2026, 7, 1), first_name="Tom", twin_rank=1),
            documents=documents(),
            by=enrolment.employee.user,
        )
        assert setting.beneficiary_change.effective_date == dt.date(2026, 8, 1)


def test_the_wizard_rules_apply_on_the_effective_date():
    with time_machine.travel(dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC), tick=False):
        enrolment = setup_member()
        with pytest.raises(ValidationError) as refused:
            beneficiary_add_submit(
                enrolment=enrolment,
                data=child_data(dt.date(1990, 5, 1)),
                documents=documents(),
                by=enrolment.employee.user,
            )
        assert "birth_date" in refused.value.message_dict
        with pytest.raises(ValidationError) as spouse:
            beneficiary_add_submit(
                enrolment=enrolment,
                data=child_data(
                    dt.date(1990, 5, 1), relationship=Relationship.SPOUSE, spouse_kind="pacse"
                ),
                documents=[(VITALE, pdf_upload())],
                by=enrolment.employee.user,
            )
        # Already a spouse on the contract, and the PACS proof is missing.
        assert {"relationship", "documents"} <= set(spouse.value.message_dict)


def test_removal_from_next_month_card_and_contribution():
    staff = UserFactory(staff=True)
    with time_machine.travel(dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC), tick=False):
        enrolment = setup_member()
        instalments_generate(enrolment=enrolment, until=dt.date(2026, 6, 30))
        spouse = enrolment.beneficiaries.get(relationship=Relationship.SPOUSE)
        with pytest.raises(ValidationError):
            beneficiary_remove_submit(
                enrolment=enrolment, beneficiary=spouse, reason="", by=enrolment.employee.user
            )
        member_request = beneficiary_remove_submit(
            enrolment=enrolment,
            beneficiary=spouse,
            reason=RemovalReason.DIVORCE,
            by=enrolment.employee.user,
        )
        member_request_accept(member_request=member_request, by=staff)
    spouse.refresh_from_db()
    assert spouse.covered_until == dt.date(2026, 4, 30)
    amounts = dict(Instalment.objects.filter(enrolment=enrolment).values_list("due_date", "amount"))
    assert amounts[dt.date(2026, 5, 10)] == amounts[dt.date(2026, 4, 10)] - Decimal("25.50")
    card = enrolment.member_cards.get(replaced_at__isnull=True)
    assert [h["role"] for h in card.holders] == ["Assuré principal", "Enfant"]


def test_add_a_child_through_the_page(client):
    import html as htmllib

    from django.urls import reverse

    with time_machine.travel(dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC), tick=False):
        enrolment = setup_member()
        client.force_login(enrolment.employee.user)
        url = reverse("member_portal:beneficiary_add")
        page = client.get(url)
        html = htmllib.unescape(page.content.decode())
        assert "Votre cotisation mensuelle est aujourd'hui de" in html
        key = page.context["form"]["submission_key"].value()
        data = {
            "submission_key": key,
            "relationship": "enfant",
            "civility": "MME",
            "last_name": "Durand",
            "first_name": "Léa",
            "birth_date": "2026-03-02",
            "twin_rank": "1",
            "same_address": "on",
            "teletransmission": "on",
            "attached_to_member_nir": "member",
            "alsace_moselle": "non",
        }
        missing = client.post(url, {**data, "vitale": pdf_upload("vitale.pdf")})
        assert missing.status_code == 400
        assert "Joignez l'extrait d'acte de naissance" in htmllib.unescape(missing.content.decode())
        assert 'value="Léa"' in htmllib.unescape(missing.content.decode())
        done = client.post(
            url,
            {
                **data,
                "vitale": pdf_upload("vitale.pdf"),
                "birth_certificate": pdf_upload("acte.pdf"),
            },
        )
        assert done.status_code == 302
        change = enrolment.member_requests.get().beneficiary_change
        assert change.effective_date == dt.date(2026, 3, 2)
        assert change.request.documents.count() == 2
        remove = client.get(reverse("member_portal:beneficiary_remove"))
        assert "Claire" in htmllib.unescape(remove.content.decode())
