import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contributions.enums import InstalmentStatus as I
from contributions.models import Instalment
from contributions.schedule import year_schedule
from contributions.services import (
    debit_batch_build,
    debit_batch_mark_sent,
    debit_returns_parse,
    debit_returns_record,
    instalments_generate,
)
from enrolment.enums import Relationship
from member_requests.models import SepaMandate
from mutuelle.enums import DebitFrequency
from mutuelle.models import OutboxMessage
from tests.mutuelle.factories import UserFactory

from .factories import member_with_instalments

pytestmark = pytest.mark.django_db
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
MONTH = Decimal("12.40") + Decimal("25.50") + Decimal("15.20")  # member, spouse, child


def test_schedule_follows_frequency_and_beneficiaries_over_time():
    enrolment = member_with_instalments()
    lines = year_schedule(enrolment, 2026)
    assert [line.due_date for line in lines][:3] == [
        dt.date(2026, 1, 10),
        dt.date(2026, 2, 10),
        dt.date(2026, 3, 10),
    ]
    assert {line.amount for line in lines} == {MONTH}
    # The child leaves on 15/06 (June is still due), a new child arrives on 20/09.
    child = enrolment.beneficiaries.get(relationship=Relationship.CHILD)
    child.covered_until = dt.date(2026, 6, 15)
    child.save(update_fields=["covered_until"])
    newborn = enrolment.beneficiaries.create(
        relationship=Relationship.CHILD,
        civility="MME",
        first_name="Léa",
        last_name="Durand",
        birth_date=dt.date(2026, 9, 20),
        covered_from=dt.date(2026, 9, 20),
    )
    assert newborn.pk
    amounts = {line.due_date.month: line.amount for line in year_schedule(enrolment, 2026)}
    assert amounts[6] == MONTH
    assert amounts[7] == amounts[8] == MONTH - Decimal("15.20")
    assert amounts[9] == MONTH
    enrolment.debit_frequency = DebitFrequency.QUARTERLY
    quarters = year_schedule(enrolment, 2026)
    assert [(q.due_date, q.amount) for q in quarters] == [
        (dt.date(2026, 1, 10), MONTH * 3),
        (dt.date(2026, 4, 10), MONTH * 3),
        (dt.date(2026, 7, 10), (MONTH - Decimal("15.20")) * 2 + MONTH),
        (dt.date(2026, 10, 10), MONTH * 3),
    ]


def test_generation_is_idempotent_and_updates_amounts_not_yet_presented():
    enrolment = member_with_instalments()
    assert Instalment.objects.filter(enrolment=enrolment).count() == 3
    assert instalments_generate(enrolment=enrolment, until=dt.date(2026, 3, 31)) == []
    child = enrolment.beneficiaries.get(relationship=Relationship.CHILD)
    child.covered_until = dt.date(2026, 1, 31)
    child.save(update_fields=["covered_until"])
    instalments_generate(enrolment=enrolment, until=dt.date(2026, 3, 31))
    amounts = list(Instalment.objects.filter(enrolment=enrolment).values_list("amount", flat=True))
    assert amounts == [MONTH, MONTH - Decimal("15.20"), MONTH - Decimal("15.20")]


def _amounts(xml: bytes):
    root = ET.fromstring(xml)  # noqa: S314 - the file this test just built
    txs = root.findall(".//p:DrctDbtTxInf", NS)
    return root, [Decimal(t.find("p:InstdAmt", NS).text) for t in txs]


def test_pain008_validated_summed_to_the_cent_first_then_recurring():
    members = [member_with_instalments() for _ in range(3)]
    staff = UserFactory(staff=True)
    january = debit_batch_build(collection_date=dt.date(2026, 1, 10), by=staff)
    with january.file.open("rb") as f:
        root, amounts = _amounts(f.read())
    assert january.count == 3 and january.total == MONTH * 3 == sum(amounts)
    assert Decimal(root.find(".//p:GrpHdr/p:CtrlSum", NS).text) == january.total
    assert {e.text for e in root.findall(".//p:SeqTp", NS)} == {"FRST"}
    assert root.find(".//p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", NS).text == "FR72ZZZ123456"
    february = debit_batch_build(collection_date=dt.date(2026, 2, 10), by=staff)
    with february.file.open("rb") as f:
        root, _ = _amounts(f.read())
    assert {e.text for e in root.findall(".//p:SeqTp", NS)} == {"RCUR"}
    assert set(Instalment.objects.filter(batch=january).values_list("status", flat=True)) == {
        I.PRESENTED
    }
    with pytest.raises(ValidationError):  # nothing left for that date
        debit_batch_build(collection_date=dt.date(2026, 1, 10), by=staff)
    sent = debit_batch_mark_sent(batch=january, by=staff)
    assert sent.status == "envoye" and sent.sent_by == staff
    assert members


def test_returned_debit_becomes_arrears_and_the_member_is_told(
    django_capture_on_commit_callbacks,
):
    enrolment = member_with_instalments()
    debit_batch_build(collection_date=dt.date(2026, 1, 10))
    instalment = Instalment.objects.get(enrolment=enrolment, due_date=dt.date(2026, 1, 10))
    content = f"reference;motif\n{instalment.end_to_end_id};AM04\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        changed = debit_returns_record(returns=debit_returns_parse(content))
    assert [i.pk for i in changed] == [instalment.pk]
    instalment.refresh_from_db()
    assert (instalment.status, instalment.return_reason) == (I.ARREARS, "AM04")
    message = OutboxMessage.objects.get(key=f"contribution-returned:{instalment.pk}")
    assert "Provision insuffisante" in message.body_text and "53,10\u00a0€" in message.body_text
    # The same return imported again changes nothing and sends nothing.
    assert debit_returns_record(returns=debit_returns_parse(content)) == []
    with pytest.raises(ValidationError) as refused:
        debit_returns_record(returns=[("ECH-999999", "AM04"), (instalment.end_to_end_id, "ZZ99")])
    assert len(refused.value.messages) == 2
    not_presented = Instalment.objects.get(enrolment=enrolment, due_date=dt.date(2026, 2, 10))
    with pytest.raises(ValidationError):
        debit_returns_record(returns=[(not_presented.end_to_end_id, "AM04")])


def _batch_queries(collection_date, django_assert_num_queries):
    # Lock and read the instalments, read the mandates, save the batch, mark the
    # instalments (one executemany), mark the mandates' first use, and the savepoint
    # and its release: the same with 1 and 3.
    with django_assert_num_queries(7):
        return debit_batch_build(collection_date=collection_date)


def test_batch_queries_do_not_grow_with_the_instalments(django_assert_num_queries):
    member_with_instalments()
    assert _batch_queries(dt.date(2026, 1, 10), django_assert_num_queries).count == 1
    for _ in range(2):
        member_with_instalments()
    assert _batch_queries(dt.date(2026, 2, 10), django_assert_num_queries).count == 3


def test_batch_reads_mandates_and_names_the_imported_member_number():
    enrolment = member_with_instalments(imported_member_number="18004512")
    batch = debit_batch_build(collection_date=dt.date(2026, 1, 10))
    with batch.file.open("rb") as f:
        root = ET.fromstring(f.read())  # noqa: S314 - the file this test just built
    assert (
        root.find(".//p:RmtInf/p:Ustrd", NS).text == "Cotisation 01/2026-01/2026 adherent 18004512"
    )
    # A mandate without its row (never validated) is not created by the batch.
    SepaMandate.objects.filter(enrolment=enrolment).update(
        status="revoque", revoked_from=dt.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError, match="adhérent 18004512"):
        debit_batch_build(collection_date=dt.date(2026, 2, 10))
    assert SepaMandate.objects.count() == 1
