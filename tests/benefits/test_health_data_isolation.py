"""Reimbursements are health data: no employer page, export or document shows any of
them, whatever the URL (every pattern of the employer space is visited)."""

import io
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from benefits.models import ReimbursementLine
from benefits.services.settlements import settlement_import_create, settlement_import_run
from benefits.settlement_files import build_csv
from tests.benefits.factories import covered_member, settlement
from tests.enrolment.signing import pdf_text
from tests.mutuelle.factories import CorrespondentAccessFactory

pytestmark = pytest.mark.django_db
MARKERS = ["Cabinet Marqueur", "4 321,09", "4\u00a0321,09", "4321,09", "4321.09", "SS-MARQUEUR-1"]


def employer_patterns(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from employer_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and namespace == "employer_portal":
            yield pattern


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content.startswith(b"%PDF"):
        return pdf_text(content)
    if content.startswith(b"PK"):
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    assert "text" in kind or "json" in kind or not content, kind
    return content.decode("utf-8-sig", errors="replace")


def test_no_employer_url_or_export_shows_reimbursements(client):
    member = covered_member()
    company = member.employee.company
    job = settlement_import_create(
        content=build_csv(
            [
                settlement(
                    member,
                    reference="SS-MARQUEUR-1",
                    code_acte="CHAMBRE_PARTICULIERE",
                    secteur="",
                    frais_reels=Decimal("4321.09"),
                    base_remboursement=Decimal("0"),
                    taux_ro=0,
                    montant_ro=Decimal("0"),
                    participation_forfaitaire=Decimal("0"),
                    professionnel="Cabinet Marqueur Santé",
                )
            ]
        ),
        filename="f.csv",
    )
    settlement_import_run(settlement_import=job)
    assert ReimbursementLine.objects.count() == 1
    correspondent = CorrespondentAccessFactory(company=company).user
    client.force_login(correspondent)
    assert not ReimbursementLine.objects.visible_to(correspondent).exists()
    values = {
        "company_id": company.pk,
        "enrolment_id": member.pk,
        "request_id": member.requests.first().pk,
        "offer_id": member.offer_id,
        "job_id": 0,
        "index": 0,
    }
    visited = 0
    for pattern in employer_patterns():
        names = list(pattern.pattern.regex.groupindex)
        formats = ["xlsx", "csv"] if "fmt" in names else [None]
        for fmt in formats:
            kwargs = {name: values[name] for name in names if name != "fmt"}
            if fmt:
                kwargs["fmt"] = fmt
            url = reverse(f"employer_portal:{pattern.name}", kwargs=kwargs)
            response = client.get(url)
            visited += 1
            if response.status_code != 200:
                continue
            text = body_text(response)
            for marker in MARKERS:
                assert marker not in text, (url, marker)
    assert visited >= 25
    # The member's own space shows it: the markers are real.
    client.force_login(member.employee.user)
    line = ReimbursementLine.objects.get()
    page = client.get(reverse("member_portal:reimbursement_detail", args=[line.pk])).text
    assert "Cabinet Marqueur Santé" in page and "4\u00a0321,09" in page
