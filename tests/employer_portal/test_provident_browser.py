"""In a real browser (axe-core on every page): the correspondent affiliates a member of
the health contract to the prévoyance contract with the form, sees both contracts on
the employee's page and the notice; the member sees both in « Mon contrat »."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrolment.enums import EnrolmentStatus
from enrolment.models import Enrolment
from mutuelle.models import OutboxMessage
from tests.browser_support import login
from tests.enrolment.factories import EnrolmentFactory, make_nir
from tests.mutuelle.factories import (
    PASSWORD,
    CorrespondentAccessFactory,
    InsuredGroupFactory,
    OfferFactory,
)

pytestmark = pytest.mark.browser
NIR = make_nir(31, sex="2", year=90, month=5)


def _detail_path(enrolment) -> str:
    return reverse(
        "employer_portal:employee_detail", args=[enrolment.employee.company_id, enrolment.pk]
    )


@pytest.fixture
def setup(transactional_db):
    access = CorrespondentAccessFactory(user__email="rh@exemple.fr")
    company = access.company
    cadres = InsuredGroupFactory(contract__company=company, name="Cadres")
    offer = OfferFactory(group=cadres, level="base_opt1")
    health = EnrolmentFactory(
        ready_to_sign=True,
        group=cadres,
        offer=offer,
        employee__company=company,
        employee__civility="MME",
        employee__first_name="Léa",
        employee__last_name="Morel",
        employee__birth_date=dt.date(1990, 5, 12),
        employee__nir=NIR,
        employee__email="lea.morel@example.fr",
        employee__user__email="lea.morel@example.fr",
    )
    health.status = EnrolmentStatus.ACTIVE
    health.save()
    provident = InsuredGroupFactory(
        contract__company=company,
        contract__product_line="prevoyance",
        contract__number="PV-0042",
        name="Ensemble du personnel",
    )
    return company, health, provident


def test_correspondent_affiliates_to_provident_and_member_sees_both(page, live_server, setup):
    _company, health, provident = setup
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    page.get_by_role("link", name="Ajouter des salariés").click()
    page.get_by_label("Formulaire").check()
    page.get_by_role("button", name="Poursuivre").click()
    page.get_by_role("heading", name="Informations personnelles").wait_for()
    page.get_by_label("Madame").check()
    page.get_by_label("Prénom").fill("Léa")
    page.get_by_label(re.compile(r"^Nom")).fill("Morel")
    page.get_by_label("Date de naissance").fill("12/05/1990")
    page.get_by_label("Numéro de sécurité sociale").fill(NIR)
    page.get_by_label("Email").fill("lea.morel@example.fr")
    page.get_by_label("Non").check()
    page.get_by_label("Groupe d'assurés").select_option(str(provident.pk))
    expect(page.get_by_text("Le groupe désigne le contrat")).to_be_visible()
    page.get_by_label("Date d'embauche").fill("01/03/2024")
    page.get_by_label("Date d'effet du contrat").fill("01/03/2024")
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Vérifier les informations saisies").wait_for()
    expect(page.get_by_text("Ensemble du personnel (contrat n° PV-0042)")).to_be_visible()
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Mes demandes").wait_for()
    expect(
        page.get_by_text("1 salarié affilié au contrat de prévoyance (affiliation obligatoire)")
    ).to_be_visible()

    affiliated = Enrolment.objects.get(contract=provident.contract)
    assert affiliated.status == EnrolmentStatus.ACTIVE
    assert affiliated.employee_id == health.employee_id

    # « Mes collaborateurs » has a row per contract; each page shows both contracts.
    page.get_by_role("link", name="Mes collaborateurs").first.click()
    page.get_by_role("heading", name="Mes collaborateurs").wait_for()
    rows = page.get_by_role("link", name="MOREL Léa")
    expect(rows).to_have_count(2)
    page.goto(f"{live_server.url}{_detail_path(affiliated)}")
    page.get_by_role("heading", name="Contrats du salarié").wait_for()
    contracts = page.get_by_role("table", name=re.compile("Contrats de complémentaire santé"))
    expect(contracts).to_contain_text(f"Complémentaire santé n° {health.contract.number}")
    expect(contracts).to_contain_text("Prévoyance n° PV-0042")
    expect(page.get_by_text("Décès, incapacité de travail, invalidité")).to_be_visible()
    expect(page.get_by_role("link", name="notice d'information (PDF)")).to_be_visible()
    expect(page.get_by_role("link", name="Résilier son contrat")).to_be_visible()
    link = contracts.get_by_role("link")
    expect(link).to_have_count(1)
    link.click()
    page.get_by_role("heading", name="Contrats du salarié").wait_for()
    expect(page.get_by_text("Base + Option 1", exact=True)).to_be_visible()

    # The member (her account from the health enrolment) sees both contracts.
    page.context.clear_cookies()
    login(page, live_server, "lea.morel@example.fr", PASSWORD)
    page.get_by_role("link", name="Mon contrat").first.click()
    page.get_by_role("heading", name="Mon contrat").wait_for()
    expect(page.get_by_role("heading", name="Complémentaire santé")).to_be_visible()
    expect(page.get_by_text("Base + Option 1").first).to_be_visible()
    provident_section = page.get_by_role("region", name="Prévoyance")
    expect(provident_section).to_contain_text("PV-0042")
    expect(provident_section).to_contain_text(affiliated.member_number)
    expect(
        provident_section.get_by_role("link", name="Afficher la notice d'information (PDF)")
    ).to_be_visible()
    assert OutboxMessage.objects.filter(key=f"provident_notice:{affiliated.pk}").exists()
