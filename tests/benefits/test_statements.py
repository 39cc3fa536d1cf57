import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from benefits.enums import StatementKind
from benefits.models import Statement
from benefits.services.payments import payment_batch_generate, payment_batch_mark_sent
from benefits.services.settlements import settlement_import_create, settlement_import_run
from benefits.settlement_files import build_csv
from benefits.tasks import produce_monthly_statements
from enrolment.enums import MemberDocumentKind
from tests.benefits.factories import covered_member, settlement
from tests.enrolment.signing import pdf_text
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db


def paid_history(member, *, paid_on=dt.date(2026, 10, 20)):
    job = settlement_import_create(
        content=build_csv(
            [settlement(member, date_soins=dt.date(2026, 10, 2)), settlement(member)]
        ),
        filename="f.csv",
    )
    settlement_import_run(settlement_import=job)
    batch = payment_batch_generate(execution_date=paid_on)
    payment_batch_mark_sent(batch=batch, by=UserFactory(staff=True))


def read(statement) -> str:
    with statement.document.file.open("rb") as handle:
        return pdf_text(handle.read())


def test_monthly_job_on_the_first_produces_last_month_once_for_e_courriers_members():
    member, paper = covered_member(), covered_member()
    paper.employee.paperless_mail = False
    paper.employee.save()
    paid_history(member)
    with time_machine.travel(dt.datetime(2026, 11, 1, 5, 0, tzinfo=dt.UTC)):
        produce_monthly_statements.delay()
        produce_monthly_statements.delay()
    statement = Statement.objects.get()
    assert (statement.enrolment, statement.kind) == (member, StatementKind.MONTHLY)
    assert (statement.period_start, statement.period_end) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )
    assert statement.line_count == 2
    assert statement.document.kind == MemberDocumentKind.STATEMENT
    assert statement.document.title == "Relevé de prestations — octobre 2026"
    text = read(statement)
    assert "Relevé de prestations — octobre 2026" in text
    assert "Total (2 lignes)" in text and "18,00 €" in text
    with time_machine.travel(dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)):
        produce_monthly_statements.delay()  # nothing paid in November
    assert Statement.objects.count() == 1


def test_member_asks_a_statement_for_a_period_and_downloads_it(client):
    member = covered_member()
    paid_history(member)
    client.force_login(member.employee.user)
    url = reverse("member_portal:statement_list")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"du": "2026-10-31", "au": "2026-10-01"})
    assert "La date de fin doit être postérieure" in bad.text
    response = client.post(
        url, {"du": "2026-10-01", "au": "2026-10-31", "beneficiaires": ["adherent"]}
    )
    assert response.status_code == 302
    statement = Statement.objects.get(kind=StatementKind.ON_DEMAND)
    assert statement.line_count == 1
    assert "du 01/10/2026 au 31/10/2026" in client.get(url).text
    download = client.get(reverse("member_portal:statement_download", args=[statement.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(covered_member().employee.user)
    other = client.get(reverse("member_portal:statement_download", args=[statement.pk]))
    assert other.status_code == 404
