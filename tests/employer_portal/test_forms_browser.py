"""After a failed submit the focus is on the error summary, whose links lead to the
fields (RGAA 11.10), in the company space and in the wizard."""

import pytest
from django.urls import reverse

from tests.browser_support import login
from tests.member_portal.helpers import in_progress_enrolment
from tests.mutuelle.factories import PASSWORD, CorrespondentAccessFactory, InsuredGroupFactory

pytestmark = pytest.mark.browser

SUMMARY_STATE = """() => {
  const summary = document.querySelector("[data-error-summary]");
  const links = [...summary.querySelectorAll("a")].map((a) => a.getAttribute("href").slice(1));
  return {
    focused: document.activeElement === summary,
    links: links,
    missing: links.filter((id) => !document.getElementById(id)),
  };
}"""


def _summary_has_focus(page) -> dict:
    state = page.evaluate(SUMMARY_STATE)
    assert state["focused"], "Le focus n'est pas sur le récapitulatif des erreurs."
    assert state["links"] and not state["missing"], state
    return state


def test_failed_submit_focuses_the_summary_of_every_error(page, live_server, transactional_db):
    access = CorrespondentAccessFactory(user__email="rh@exemple.fr")
    InsuredGroupFactory(contract__company=access.company, name="Cadres")
    InsuredGroupFactory(contract__company=access.company, name="Non-cadres")
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    form = reverse("employer_portal:preaffiliation_form", args=[access.company.pk])
    page.goto(f"{live_server.url}{form}")
    page.get_by_role("heading", name="Informations personnelles").wait_for()
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Affiliation de salariés").wait_for()
    state = _summary_has_focus(page)
    # The group and the eight others, at once.
    assert {"id_civility_0", "id_first_name", "id_group", "id_effective_date"} <= set(
        state["links"]
    )
    page.locator("[data-error-summary] a[href='#id_first_name']").click()
    assert page.evaluate("document.activeElement.id") == "id_first_name"


def test_wizard_profile_failed_submit_focuses_the_summary(page, live_server, transactional_db):
    _enrolment, user = in_progress_enrolment(wizard_step="profile")
    login(page, live_server, user.email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('member_portal:wizard_profile')}")
    page.get_by_role("heading", name="Mon profil").wait_for()
    page.get_by_label("Prénom").fill("")
    page.get_by_label("Code postal").fill("7500")
    page.get_by_label("Téléphone").fill("")
    page.get_by_role("button", name="Suivant").click()
    page.get_by_role("heading", name="Mon profil").wait_for()
    state = _summary_has_focus(page)
    assert state["links"] == ["id_first_name", "id_postal_code"]
    # The missing phone is said at once, tied to its field.
    described = page.get_by_label("Téléphone").get_attribute("aria-describedby")
    assert "id_phone_warning" in described.split()
