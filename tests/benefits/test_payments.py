import datetime as dt
from decimal import Decimal

import pytest
from defusedxml import ElementTree as ET
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from benefits.enums import BatchStatus
from benefits.models import PaymentBatch, Professional, ReimbursementLine
from benefits.services.payments import payment_batch_generate, payment_batch_mark_sent
from benefits.services.settlements import settlement_import_create, settlement_import_run
from benefits.settlement_files import build_csv
from enrolment.enums import BankAccountPurpose
from enrolment.models import BankAccount
from mutuelle.models import OutboxMessage
from mutuelle.roles import GESTIONNAIRE
from tests.benefits.factories import covered_member, settlement
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
DAY = dt.date(2026, 11, 30)
SPOUSE_IBAN = "FR7610107001010009876543293"
PRO_IBAN = "FR7620041010050012345678924"


def imported(rows):
    job = settlement_import_create(content=build_csv(rows), filename="f.csv")
    return settlement_import_run(settlement_import=job)


@pytest.fixture
def family():
    member = covered_member()
    spouse, child = member.beneficiaries.order_by("relationship")
    BankAccount.objects.create(
        enrolment=member,
        beneficiary=spouse,
        purpose=BankAccountPurpose.BENEFITS,
        holder="Claire Lambert",
        iban=SPOUSE_IBAN,
        bic="CMCIFRPP",
    )
    Professional.objects.create(name="Pharmacie du Marché", iban=PRO_IBAN, bic="CRLYFRPP")
    pharmacy = {
        "code_acte": "PHARMACIE",
        "secteur": "",
        "frais_reels": Decimal("23.57"),
        "base_remboursement": Decimal("23.57"),
        "taux_ro": 65,
        "montant_ro": Decimal("15.32"),
        "participation_forfaitaire": Decimal("0"),
        "tiers_payant": True,
        "professionnel": "Pharmacie du Marché",
    }
    imported(
        [
            settlement(member),  # 9,00 to the member
            settlement(member, child),  # 9,00 to the member (child has no account)
            settlement(member, spouse, code_acte="CONSULT_SPE", frais_reels=Decimal("45.33")),
            settlement(member, spouse, **pharmacy),  # 8,25 to the pharmacy
            settlement(member, **pharmacy),  # 8,25 to the pharmacy
            settlement(member, montant_ro=Decimal("28.00")),  # 0: left out
            settlement(member, tiers_payant=True, professionnel="Dr Sans RIB"),  # held
        ]
    )
    return member


def amounts(batch) -> dict[str, Decimal]:
    with batch.file.open("rb") as handle:
        root = ET.fromstring(handle.read())
    result = {}
    for tx in root.iter(f"{{{NS['p']}}}CdtTrfTxInf"):
        iban = tx.find("p:CdtrAcct/p:Id/p:IBAN", NS).text
        result[iban] = Decimal(tx.find("p:Amt/p:InstdAmt", NS).text)
    header_sum = Decimal(root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", NS).text)
    assert header_sum == sum(result.values())
    return result


def test_batch_pays_each_recipient_the_computed_shares_to_the_cent(family):
    batch = payment_batch_generate(execution_date=DAY)
    paid = ReimbursementLine.objects.filter(payment_batch=batch)
    assert paid.count() == 5
    file_amounts = amounts(batch)
    assert file_amounts == {
        "FR7630006000011234567890189": Decimal("18.00"),
        SPOUSE_IBAN: Decimal("24.33"),
        PRO_IBAN: Decimal("16.50"),
    }
    assert sum(file_amounts.values()) == sum(line.mutuelle_share for line in paid)
    assert batch.total == Decimal("58.83")
    assert (batch.transfer_count, batch.line_count, batch.held_count) == (3, 5, 1)
    # Zero lines never go in a batch; a professional without RIB waits.
    assert not ReimbursementLine.objects.filter(mutuelle_share=0, payment_batch__isnull=False)
    waiting = ReimbursementLine.objects.get(professional_name="Dr Sans RIB")
    assert waiting.payment_batch is None
    with batch.file.open("rb") as handle:
        xml = handle.read().decode()
    assert "CONSULT" not in xml and "Lambert" in xml  # no act in the bank file


def test_accounts_follow_benefit_account_for(family):
    from benefits.services.payments import _benefit_accounts
    from member_requests.bank import benefit_account_for

    accounts = _benefit_accounts([family.pk])
    for beneficiary in family.beneficiaries.all():
        expected = benefit_account_for(beneficiary)
        found = accounts.get((family.pk, beneficiary.pk)) or accounts[(family.pk, None)]
        assert found == expected


def test_same_day_gives_the_same_batch_and_next_day_pays_the_waiting_line(family):
    first = payment_batch_generate(execution_date=DAY)
    assert payment_batch_generate(execution_date=DAY) == first
    assert PaymentBatch.objects.count() == 1
    assert payment_batch_generate(execution_date=DAY + dt.timedelta(days=1)) is None
    professional = Professional.objects.get(name="Dr Sans RIB")
    professional.iban = "FR7614505000010800112233435"
    professional.save()
    second = payment_batch_generate(execution_date=DAY + dt.timedelta(days=2))
    assert amounts(second) == {"FR7614505000010800112233435": Decimal("9.00")}


def test_invalid_iban_is_never_sent(family):
    # A wrong RIB key passes sepaxml but not our own check: the line waits.
    Professional.objects.filter(name="Dr Sans RIB").update(iban="")
    account = BankAccount.objects.get(beneficiary__isnull=False)
    BankAccount.objects.filter(pk=account.pk).update(
        iban=account._meta.get_field("iban").get_prep_value("FR7610107001010009876543294")
    )
    batch = payment_batch_generate(execution_date=DAY)
    assert SPOUSE_IBAN not in amounts(batch)
    assert batch.held_count == 2


def test_mark_sent_dates_the_lines_and_alerts_members_once_a_day(
    family, django_capture_on_commit_callbacks
):
    batch = payment_batch_generate(execution_date=DAY)
    staff = UserFactory(staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        payment_batch_mark_sent(batch=batch, by=staff)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT
    assert set(batch.lines.values_list("paid_on", flat=True)) == {DAY}
    alert = OutboxMessage.objects.get(key__startswith="reimbursement-alert:")
    assert alert.subject == "Un nouveau remboursement est disponible"
    link = f"Voir mes remboursements :\n{settings.SITE_URL}/adherent/remboursements/\n"
    assert link in alert.body_text
    for health_word in ("Consultation", "9,00", "Claire", "Pharmacie", "€"):
        assert health_word not in alert.body_text
    with django_capture_on_commit_callbacks(execute=True):
        imported([settlement(family, reference="SS-LATE")])
        second = payment_batch_generate(execution_date=DAY + dt.timedelta(days=1))
        payment_batch_mark_sent(batch=second, by=staff)
    # Same day: still one e-mail.
    assert OutboxMessage.objects.filter(key__startswith="reimbursement-alert:").count() == 1


def test_no_alert_when_the_member_turned_it_off(family, django_capture_on_commit_callbacks):
    family.employee.reimbursement_alerts = False
    family.employee.save()
    batch = payment_batch_generate(execution_date=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        payment_batch_mark_sent(batch=batch, by=UserFactory(staff=True))
    assert not OutboxMessage.objects.filter(key__startswith="reimbursement-alert:").exists()


def test_admin_downloads_and_marks_sent_after_confirmation(
    client, family, django_capture_on_commit_callbacks
):
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    batch = payment_batch_generate(execution_date=DAY)
    changelist = reverse("admin:benefits_paymentbatch_changelist")
    assert "Télécharger le fichier pain.001" in client.get(changelist).text
    download = client.get(reverse("admin:benefits_paymentbatch_download", args=[batch.pk]))
    assert b"CstmrCdtTrfInitn" in b"".join(download.streaming_content)
    form = {"action": "mark_sent", "_selected_action": [batch.pk]}
    confirm = client.post(changelist, form)
    assert confirm.status_code == 200
    assert "irréversible" in confirm.text
    batch.refresh_from_db()
    assert batch.status == BatchStatus.GENERATED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {**form, "apply": "1"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT
    assert batch.sent_by == user
