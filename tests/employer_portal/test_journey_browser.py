"""The correspondent's journey in a real browser, with axe-core on every page."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from enrolment.enums import EnrolmentStatus, RequestType
from enrolment.models import Enrolment, Request, Termination
from enrolment.services.invitation import enrolment_invite
from mutuelle.models import OutboxMessage
from tests.browser_support import login
from tests.enrolment.factories import EnrolmentFactory, make_nir
from tests.mutuelle.factories import PASSWORD, CorrespondentAccessFactory, InsuredGroupFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def company_space(transactional_db):
    access = CorrespondentAccessFactory(
        user__email="rh@exemple.fr", company__legal_name="Boulangerie Martin SARL"
    )
    company = access.company
    group = InsuredGroupFactory(contract__company=company, name="Non-cadres")
    waiting = EnrolmentFactory(
        group=group, employee__company=company, employee__last_name="Attente"
    )
    enrolment_invite(enrolment=waiting)
    active = EnrolmentFactory(
        group=group,
        employee__company=company,
        employee__last_name="Partant",
        employee__hire_date=dt.date(2024, 3, 1),
        status=EnrolmentStatus.ACTIVE,
    )
    return company, waiting, active


def test_add_by_form_remind_export_and_terminate_with_portability(page, live_server, company_space):
    _company, waiting, active = company_space
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    page.get_by_role("heading", name="Bonjour ! Content de vous revoir.").wait_for()

    # Add one employee by the form, with the address check.
    page.get_by_role("link", name="Ajouter des salariés").click()
    page.get_by_role("heading", name="Affiliation de salariés").wait_for()
    page.get_by_label("Formulaire").check()
    page.get_by_role("button", name="Poursuivre").click()
    page.get_by_role("heading", name="Informations personnelles").wait_for()
    page.get_by_label("Madame").check()
    page.get_by_label("Prénom").fill("Hélène")
    page.get_by_label(re.compile(r"^Nom")).fill("Lefèvre")
    page.get_by_label("Date de naissance").fill("12/05/1990")
    page.get_by_label("Numéro de sécurité sociale").fill(make_nir(77, sex="2", year=90, month=5))
    page.get_by_label("Numéro", exact=True).fill("8")
    page.get_by_label("Libellé de la voie").fill("boulevard de la Libération")
    page.get_by_label("Code postal").fill("13001")
    page.get_by_label("Ville").fill("Marseille")
    page.get_by_label("Email").fill("helene.lefevre@example.fr")
    page.get_by_label("Date d'embauche").fill("01/03/2024")
    page.get_by_label("Non").check()
    page.get_by_label("Date d'effet du contrat").fill("01/03/2024")
    page.get_by_role("button", name="Valider").click()

    page.get_by_role("heading", name="Valider l'adresse du collaborateur").wait_for()
    assert "8 BOULEVARD DE LA LIBERATION" in page.content()
    page.get_by_label(re.compile("Adresse mise en forme, non vérifiée")).check()
    page.get_by_role("button", name="Confirmer cette adresse").click()
    page.get_by_role("heading", name="Vérifier les informations saisies").wait_for()
    assert "Hélène" in page.content()
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Mes demandes").wait_for()
    assert "1 salarié pré-affilié" in page.content()
    created = Enrolment.objects.get(employee__last_name="Lefèvre")
    assert created.status == EnrolmentStatus.INVITED
    assert created.employee.address_street == "BOULEVARD DE LA LIBERATION"

    # See the requests and send a reminder to the one waiting since yesterday.
    Request.objects.filter(enrolment=waiting).update(
        created_at=timezone.now() - dt.timedelta(days=1)
    )
    page.reload()
    page.get_by_role("button", name=re.compile("Relancer .*ATTENTE")).click()
    page.get_by_text("Votre demande a bien été prise en compte").wait_for()
    assert OutboxMessage.objects.filter(key__startswith="manual-reminder").count() == 1

    # Export the employees.
    page.get_by_role("link", name="Mes collaborateurs").click()
    page.get_by_role("heading", name="Mes collaborateurs").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    sheet = load_workbook(io.BytesIO(download_info.value.path().read_bytes())).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"Lefèvre", waiting.employee.last_name, active.employee.last_name}

    # Terminate one with portability.
    page.get_by_role("link", name=re.compile("PARTANT")).click()
    page.get_by_role("heading", name="Informations contrat").wait_for()
    page.get_by_role("link", name="Résilier son contrat").click()
    page.get_by_role("heading", name=re.compile("Résilier le contrat")).wait_for()
    assert page.get_by_label("Date d'embauche").input_value() == "01/03/2024"
    page.get_by_label("Date de résiliation").fill("15/08/2024")
    page.get_by_label("Licenciement (hors faute lourde)").check()
    page.get_by_label("Oui", exact=True).check()
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("heading", name=re.compile("Confirmer la résiliation")).wait_for()
    assert "6 mois" in page.content() and "15/02/2025" in page.content()
    assert "La portabilité s'ouvre de droit" in page.content()
    page.get_by_role("button", name="Confirmer l'envoi").click()
    page.get_by_role("heading", name=re.compile("Résiliation n°")).wait_for()
    termination = Termination.objects.get()
    assert termination.portability and termination.portability_end_date == dt.date(2025, 2, 15)
    assert termination.request.type == RequestType.TERMINATION
