"""The member's reimbursement journey in a real browser, axe-core auditing every page the
member sees: filter, open a detail, download a statement, ask for an estimate, send a
reimbursement request; the back office processes it and the line appears."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from benefits.models import ReimbursementRequest
from benefits.services.settlements import settlement_import_create, settlement_import_run
from benefits.settlement_files import build_csv
from member_requests.enums import MemberRequestStatus
from member_requests.models import MemberRequest

from ..browser_support import login
from ..dispensations.factories import pdf_bytes
from ..mutuelle.factories import PASSWORD, UserFactory
from .factories import covered_member, settlement

pytestmark = pytest.mark.browser


def test_reimbursement_journey(page, live_server, browser, transactional_db):
    enrolment = covered_member()
    spouse, _child = enrolment.beneficiaries.order_by("relationship")
    job = settlement_import_create(
        content=build_csv(
            [
                settlement(enrolment, date_soins=dt.date(2026, 10, 5)),
                settlement(
                    enrolment,
                    spouse,
                    date_soins=dt.date(2026, 11, 3),
                    code_acte="CONSULT_SPE",
                    secteur="NON_OPTAM",
                    frais_reels=Decimal("80.00"),
                ),
            ]
        ),
        filename="f.csv",
    )
    settlement_import_run(settlement_import=job)
    back_office = UserFactory(staff=True, is_superuser=True)
    base = live_server.url
    member = page

    login(member, live_server, enrolment.employee.user.email, PASSWORD)
    member.goto(f"{base}/adherent/")
    expect(member.get_by_role("heading", level=1)).to_have_text("Mes remboursements")
    expect(member.locator("table.reimbursements tbody tr")).to_have_count(2)
    member.get_by_label("Claire LAMBERT").check()
    member.get_by_role("button", name="Afficher").click()
    expect(member.locator("table.reimbursements tbody tr")).to_have_count(1)
    member.get_by_role("link", name="Consultation d'un médecin spécialiste").click()
    expect(member.get_by_role("heading", name="Détail du calcul")).to_be_visible()
    expect(member.get_by_text(re.compile("Garantie 180\u00a0% de la base"))).to_be_visible()

    member.get_by_role("link", name="Mes remboursements").first.click()
    member.get_by_role("link", name="Afficher mes relevés").click()
    member.locator("#id_du").fill("2026-10-01")
    member.locator("#id_au").fill("2026-11-30")
    member.get_by_role("button", name="Obtenir le relevé").click()
    expect(member.get_by_text("Votre relevé est prêt")).to_be_visible()
    with member.expect_download() as download:
        member.get_by_role("link", name="du 01/10/2026 au 30/11/2026", exact=False).click()
    assert download.value.suggested_filename.endswith(".pdf")

    member.goto(f"{base}/adherent/remboursements/estimation/")
    member.get_by_label("Quels soins ?").select_option("OPTIQUE_ADULTE")
    member.get_by_label("Prix demandé par le professionnel (€)").fill("420")
    member.get_by_role("button", name="Estimer").click()
    expect(member.get_by_text("250,00\u00a0€").first).to_be_visible()

    member.goto(f"{base}/adherent/remboursements/demande/")
    member.get_by_label("Date des soins").fill("2026-11-02")
    member.get_by_label("Nature des soins").select_option("medecines_douces")
    member.get_by_label("Montant payé (€)").fill("60,00")
    member.get_by_label("Professionnel de santé").fill("Julie Roux, ostéopathe")
    member.set_input_files(
        "input[name=facture]",
        {"name": "facture.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()},
    )
    member.get_by_role("button", name="Envoyer ma demande").click()
    expect(member.get_by_text(re.compile("Votre demande n° .* est envoyée"))).to_be_visible()
    member_request = MemberRequest.objects.get()

    staff_context = browser.new_context(locale="fr-FR")
    staff = staff_context.new_page()
    login(staff, live_server, back_office.email, PASSWORD)
    staff.goto(f"{base}/gestion/benefits/benefitrequest/{member_request.pk}/change/")
    staff.select_option("select[name$='act_code']", "MEDECINES_DOUCES")
    staff.check("input[name$='out_of_nomenclature']")
    staff.locator("input[name=_save]").click()
    staff.goto(f"{base}/gestion/benefits/benefitrequest/")
    staff.check(f"input[name=_selected_action][value='{member_request.pk}']")
    staff.select_option("select[name=action]", label="Accepter la demande")
    staff.locator("button[name=index]").click()
    expect(staff.get_by_text("1 demande(s) traitée(s).")).to_be_visible()
    staff_context.close()

    member_request.refresh_from_db()
    assert member_request.status == MemberRequestStatus.ACCEPTED
    line = ReimbursementRequest.objects.get().line
    assert line.mutuelle_share == Decimal("40.00")
    member.goto(f"{base}/adherent/remboursements/")
    expect(member.get_by_role("link", name=re.compile("Ostéopathe"))).to_be_visible()
