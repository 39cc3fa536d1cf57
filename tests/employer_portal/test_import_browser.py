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
        label=f"Complémentaire santé — Non-cadres (contrat n° {contract.number})"
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


def test_libreoffice_ods_upload_gives_an_ods_rejection_file(
    page, live_server, correspondent, tmp_path
):
    """Issue 11 §12: the page says which formats are accepted; a file saved by
    LibreOffice is imported and its rejection file comes back as an .ods."""
    from pathlib import Path

    from python_calamine import CalamineWorkbook

    contract, group, _user = correspondent
    company = contract.company
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    page.goto(f"{live_server.url}/entreprise/{company.pk}/affiliation/fichier/")
    assert page.get_by_text(".xlsx, .ods, .xls ou .csv", exact=True).is_visible()
    page.get_by_label("Groupe d'assurés").select_option(
        label=f"Complémentaire santé — Non-cadres (contrat n° {contract.number})"
    )
    fixture = Path(__file__).parent / "fixtures" / "salaries_libreoffice.ods"
    page.get_by_label(re.compile("^Ajouter fichier complété")).set_input_files(fixture)
    page.get_by_role("button", name="Valider").click()

    page.get_by_role("heading", name="Confirmation des salariés renseignés").wait_for()
    assert page.get_by_text("2 salariés validés.").is_visible()
    assert page.get_by_text("1 salarié en erreur.").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le fichier de rejet (.ods)").click()
    assert download.value.suggested_filename.endswith(".ods")
    path = tmp_path / "rejet.ods"
    download.value.save_as(path)
    table = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert table[0][-1] == ERROR_HEADER and table[1][1] == "Martin"
    assert Enrolment.objects.filter(contract=contract, group=group).count() == 2


def test_failed_import_shows_its_message_and_can_be_retried(page, live_server, correspondent):
    """Issue 12 §3: after three lost workers the correspondent reads why, and
    « Relancer l'import » processes the same file again."""
    from django.core.files.base import ContentFile

    from employer_portal.imports.service import GAVE_UP, import_job_create
    from employer_portal.models import ImportJob, ImportStatus

    contract, group, _user = correspondent
    company = contract.company
    job = import_job_create(
        company=company,
        contract=contract,
        group=group,
        upload=ContentFile(xlsx_bytes([values(1), values(2)]), name="salaries.xlsx"),
        by=None,
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, attempts=3, refusal_reason=GAVE_UP.format(attempts=3)
    )
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    page.goto(f"{live_server.url}/entreprise/{company.pk}/affiliation/fichier/{job.pk}/")
    page.get_by_role("heading", name="Échec du traitement de votre fichier").wait_for()
    assert page.get_by_text("interrompu 3 fois par un incident technique").is_visible()
    page.get_by_role("button", name="Relancer l'import").click()
    page.get_by_text("Le traitement de votre fichier a été relancé.").wait_for()
    page.get_by_role("heading", name="Confirmation des salariés renseignés").wait_for()
    assert page.get_by_text("2 salariés validés.").is_visible()
    assert Enrolment.objects.filter(contract=contract, group=group).count() == 2
