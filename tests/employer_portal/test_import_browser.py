import datetime as dt
import re

import pytest
from openpyxl import load_workbook

from employer_portal.imports.files import ERROR_HEADER
from enrolment.models import Enrolment
from tests.browser_support import login
from tests.enrolment.factories import make_nir
from tests.mutuelle.factories import (
    PASSWORD,
    ContractFactory,
    CorrespondentAccessFactory,
    InsuredGroupFactory,
)

from .test_import import values, xlsx_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def correspondent(transactional_db):
    contract = ContractFactory(number="CS-2024-00017", start_date=dt.date(2024, 1, 1))
    group = InsuredGroupFactory(contract=contract, name="Non-cadres")
    access = CorrespondentAccessFactory(
        company=contract.company, user__email="rh@exemple.fr", user__username="rh-import"
    )
    return contract, group, access.user


def test_upload_with_one_bad_row_then_download_rejection(
    page, live_server, correspondent, tmp_path
):
    contract, group, _user = correspondent
    company = contract.company
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    page.goto(f"{live_server.url}/entreprise/{company.pk}/affiliation/fichier/")
    page.get_by_role("heading", name="Fichier Excel ou structuré").wait_for()
    assert page.get_by_text("(20,00 Mo restants)").is_visible()

    with page.expect_download() as template:
        page.get_by_role("link", name="Télécharger le modèle Excel").click()
    assert template.value.suggested_filename == "modele_import_salaries.xlsx"

    content = xlsx_bytes([values(1), values(2), values(3, nir=make_nir(3)[:-2] + "00")])
    page.get_by_label("Groupe d'assurés").select_option(
        label=f"Non-cadres (contrat n° {contract.number})"
    )
    page.get_by_label(re.compile("^Ajouter fichier complété")).set_input_files(
        files=[{"name": "salaries.xlsx", "mimeType": "application/octet-stream", "buffer": content}]
    )
    assert "Mo restants" in page.locator("#file-remaining").inner_text()
    assert page.locator("#file-remaining").inner_text() != "(20,00 Mo restants)"
    page.get_by_role("button", name="Valider").click()

    page.get_by_role("heading", name="Confirmation des salariés renseignés").wait_for()
    assert page.get_by_text("2 salariés validés.").is_visible()
    assert page.get_by_text("1 salarié en erreur.").is_visible()
    row = page.get_by_role("row").filter(has_text="MARTIND")
    assert "Le numéro de sécurité sociale est invalide" in row.inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le fichier de rejet").click()
    path = tmp_path / "rejet.xlsx"
    download.value.save_as(path)
    table = list(load_workbook(path).active.values)
    assert table[0][-1] == ERROR_HEADER and len(table) == 2
    assert "clé de contrôle" in table[1][-1]

    page.get_by_role("link", name="Terminer").click()
    page.wait_for_url(f"{live_server.url}/entreprise/{company.pk}/")
    assert Enrolment.objects.filter(contract=contract, group=group).count() == 2
