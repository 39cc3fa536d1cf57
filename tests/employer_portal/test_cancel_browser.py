"""« Annuler la pré-affiliation » in a real browser (axe-core on every page): a
confirmation page first, then the cancellation, and the employee is e-mailed."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrolment.enums import EnrolmentStatus
from enrolment.services.invitation import enrolment_invite
from mutuelle.models import OutboxMessage
from tests.browser_support import login
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import PASSWORD, CorrespondentAccessFactory

pytestmark = pytest.mark.browser


def test_cancel_asks_for_confirmation(page, live_server, transactional_db):
    access = CorrespondentAccessFactory(user__email="rh@exemple.fr")
    enrolment = EnrolmentFactory(
        employee__company=access.company,
        group__contract__company=access.company,
        employee__first_name="Émilie",
        employee__last_name="Lefèvre",
        employee__email="emilie@example.fr",
    )
    enrolment_invite(enrolment=enrolment)
    request = enrolment.requests.get()
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    detail = reverse("employer_portal:request_detail", args=[access.company.pk, request.pk])
    page.goto(live_server.url + detail)
    page.get_by_role("link", name="Annuler la pré-affiliation").click()
    page.get_by_role("heading", name="Annuler la pré-affiliation d'Émilie LEFÈVRE").wait_for()
    page.get_by_role("link", name="Ne pas annuler").click()
    page.get_by_role("link", name="Annuler la pré-affiliation").wait_for()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVITED
    page.get_by_role("link", name="Annuler la pré-affiliation").click()
    page.get_by_label("Motif de l'annulation (facultatif)").fill("Doublon")
    page.get_by_role("button", name="Confirmer l'annulation").click()
    expect(page.get_by_text("La pré-affiliation d'Émilie LEFÈVRE a été annulée.")).to_be_visible()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED
    assert OutboxMessage.objects.filter(key=f"enrolment-cancelled:{enrolment.pk}").exists()
