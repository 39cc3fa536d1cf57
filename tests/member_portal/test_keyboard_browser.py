"""Issue 15 items 7 and 11: the wizard and the signature with the keyboard alone (Tab,
Space, Enter, arrows, typing). On every page each control is reached with Tab and shows
its focus ring (``keyboard_tour``), the page does not scroll sideways at 320 px; then it
is filled and sent with keys only."""

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from enrolment.enums import EnrolmentStatus
from enrolment.models import Enrolment
from mutuelle.models import OutboxMessage
from tests.browser_support import keyboard_tour
from tests.member_portal.helpers import PASSWORD, add_offers, in_progress_enrolment, url

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def enrolling(transactional_db):
    enrolment, user = in_progress_enrolment(wizard_step="profile")
    add_offers(enrolment)
    return enrolment, user


def tour_and_reflow(page) -> None:
    """The keyboard tour, then the same page at 320 px: nothing scrolls sideways."""
    keyboard_tour(page)
    name = "-".join(filter(None, page.url.split("?")[0].split("/")[3:])) or "accueil"
    page.screenshot(path=SCREENSHOTS / f"a11y-{name}-1280.png", full_page=True)
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 700})
    page.screenshot(path=SCREENSHOTS / f"a11y-{name}-320.png", full_page=True)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} déborde de {overflow} px à 320 px"
    page.set_viewport_size(size)


def press_on(page, locator, key: str = "Enter") -> None:
    """Put the focus on a control the tour showed reachable, then press a key."""
    locator.focus()
    page.keyboard.press(key)


def type_into(page, locator, text: str) -> None:
    locator.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_wizard_and_signature_with_the_keyboard_alone(page, live_server, enrolling):
    enrolment, user = enrolling
    page.goto(live_server.url + url("welcome"))
    page.get_by_role("heading", level=1).wait_for()
    keyboard_tour(page)
    type_into(page, page.get_by_label(re.compile(r"^Adresse e-mail ou identifiant")), user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda current: "/compte/login/" not in current)

    page.goto(live_server.url + url("wizard_profile"))
    page.get_by_role("heading", name="Mon profil").wait_for()
    tour_and_reflow(page)
    situation = page.get_by_label("Situation familiale")
    situation.focus()
    page.keyboard.type("Mari")
    expect(situation).to_have_value("marie")
    type_into(page, page.get_by_label("Téléphone"), "06 12 34 56 78")
    type_into(page, page.get_by_label("Organisme de sécurité sociale"), "01 751 0000")
    press_on(page, page.get_by_role("button", name="Suivant"))

    # A new mobile is confirmed on the profile step by the code sent to it.
    page.get_by_role("heading", name="Confirmer mon mobile").wait_for()
    tour_and_reflow(page)
    sms = OutboxMessage.objects.filter(channel="sms").latest("id")
    code = re.search(r"\b(\d{6})\b", sms.body_text).group(1)
    type_into(page, page.get_by_label("Code reçu par SMS"), code)
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Mes bénéficiaires").wait_for()
    tour_and_reflow(page)
    press_on(page, page.get_by_role("button", name="Poursuivre sans bénéficiaire"))

    page.get_by_role("heading", name="Mes garanties").wait_for()
    tour_and_reflow(page)
    first = page.get_by_role("radio").first
    first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio").nth(1)).to_be_checked()
    press_on(page, page.get_by_role("button", name="Suivant"))

    page.get_by_role("heading", name="Mes coordonnées bancaires").wait_for()
    tour_and_reflow(page)
    benefits = page.get_by_role("group", name="Pour bénéficier du remboursement de mes prestations")
    type_into(page, benefits.get_by_label("IBAN"), "FR76 3000 6000 0112 3456 7890 189")
    bic = benefits.get_by_label("BIC")
    if bic.is_visible() and not bic.input_value():
        type_into(page, bic, "AGRIFRPP")
    press_on(page, page.get_by_label("Mensuelle"), "Space")
    day = page.get_by_label("Jour de prélèvement")
    day.focus()
    page.keyboard.press("ArrowDown")  # from « le 5 du mois »
    expect(day).to_have_value("10")
    press_on(page, page.get_by_role("button", name="Suivant"))

    page.get_by_role("heading", name="Récapitulatif").wait_for()
    tour_and_reflow(page)
    press_on(page, page.get_by_role("button", name="Valider"))

    page.get_by_role("heading", name="Bientôt terminé !").wait_for()
    tour_and_reflow(page)
    press_on(page, page.get_by_role("link", name="Vérifier mon bulletin"))

    # The form's preview scrolls with the keyboard (End) and that counts as read.
    page.get_by_role("heading", name="Mon bulletin d'adhésion").wait_for()
    preview = page.get_by_role("region", name=re.compile("Aperçu du bulletin"))
    press_on(page, preview, "End")
    certify = page.get_by_label(re.compile("^Je certifie avoir répondu avec exactitude"))
    expect(certify).to_be_enabled(timeout=20_000)
    tour_and_reflow(page)
    press_on(page, certify, "Space")
    press_on(page, page.get_by_label(re.compile("^J'ai pris connaissance")), "Space")
    press_on(page, page.get_by_role("button", name="Signer"))

    page.get_by_role("heading", name="Signature").wait_for()
    tour_and_reflow(page)
    press_on(page, page.get_by_role("button", name="Recevoir mon code par SMS"))
    page.get_by_role("heading", name="Signature").wait_for()
    expect(page.locator(".code-countdown")).to_contain_text(re.compile(r"encore 9 min \d+ s"))
    tour_and_reflow(page)
    sms = OutboxMessage.objects.filter(channel="sms").latest("id")
    code = re.search(r"\b(\d{6})\b", sms.body_text).group(1)
    type_into(page, page.get_by_label("Code reçu par SMS"), code)
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Votre adhésion est terminée !").wait_for()
    tour_and_reflow(page)
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.SIGNED
