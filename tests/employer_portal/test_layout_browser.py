"""The employer space as people see it (issue 11 polish, issue 15 items 7 and 11):
the width used on a wide screen, cards and a collapsed menu on a phone, 44 px buttons,
page numbers, no sideways scrolling at 320 px nor at 200 % text, and the
pre-affiliation form done with the keyboard alone. Screenshots go to /tmp."""

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from enrolment.enums import EnrolmentStatus
from enrolment.models import Request
from enrolment.services.invitation import enrolment_invite
from tests.browser_support import keyboard_tour, login
from tests.enrolment.factories import EnrolmentFactory, make_nir
from tests.mutuelle.factories import PASSWORD, CorrespondentAccessFactory, InsuredGroupFactory

pytestmark = pytest.mark.browser
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 800}
NARROW = {"width": 320, "height": 700}
SCREENSHOTS = Path(tempfile.gettempdir())


def shot(page, name: str, *, full_page: bool = True) -> None:
    """Screenshots to look at (``/tmp/a11y-*.png``): the layout is judged by eye too."""
    page.screenshot(path=SCREENSHOTS / f"a11y-{name}.png", full_page=full_page)


@pytest.fixture
def company_space(transactional_db):
    access = CorrespondentAccessFactory(
        user__email="rh@exemple.fr", company__legal_name="Boulangerie Martin & Fils SARL"
    )
    company = access.company
    group = InsuredGroupFactory(
        contract__company=company, contract__number="CS-2024-00017", name="Non-cadres"
    )
    for n in range(30):
        EnrolmentFactory(
            group=group,
            employee__company=company,
            employee__last_name=f"Salarié{n:02d}",
            employee__nir=make_nir(400 + n),
            status=EnrolmentStatus.ACTIVE,
        )
    waiting = EnrolmentFactory(
        group=group, employee__company=company, employee__last_name="Attente"
    )
    enrolment_invite(enrolment=waiting)
    Request.objects.filter(enrolment=waiting).update(
        created_at=timezone.now() - dt.timedelta(days=1)
    )
    return company, group, waiting


def no_sideways_scroll(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def action(page, name: str):
    """A button, or a link styled as one (irreversible actions open a confirmation)."""
    return page.get_by_role("button", name=name).or_(page.get_by_role("link", name=name))


def assert_target_size(locator) -> None:
    box = locator.bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44, box


def test_wide_screen_phone_and_320_px(page, live_server, company_space):
    company, _group, waiting = company_space
    page.set_viewport_size(WIDE)
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    employees = live_server.url + reverse("employer_portal:employees", args=[company.pk])
    page.goto(employees)
    page.get_by_role("heading", name="Mes collaborateurs").wait_for()
    shot(page, "employees-1366")
    assert page.locator("main").bounding_box()["width"] > 1000
    number = page.locator("td .nowrap").first
    assert number.inner_text() == "n° CS-2024-00017"
    assert number.evaluate("(e) => e.getClientRects().length") == 1
    pages = page.get_by_role("navigation", name="Pages de la liste")
    expect(pages).to_contain_text("1 à 25 sur 31 — page 1 sur 2")
    expect(pages.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
    pages.get_by_role("link", name="Page 2").click()
    page.get_by_role("heading", name="Mes collaborateurs").wait_for()
    expect(page.get_by_role("navigation", name="Pages de la liste")).to_contain_text(
        "26 à 31 sur 31 — page 2 sur 2"
    )

    # A phone: rows become cards, the menu is one « Menu » button (keyboard too).
    page.set_viewport_size(PHONE)
    page.goto(employees)
    page.get_by_role("heading", name="Mes collaborateurs").wait_for()
    shot(page, "employees-375")
    assert no_sideways_scroll(page) <= 0
    row = page.locator("tbody tr").first
    for label in ("Statut", "Date d'effet", "Contrat"):
        box = row.locator(f'td[data-label="{label}"]').bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)
    # A column name wrapping onto two lines stays inside its cell (no overlap with the next).
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('td[data-label]')]
            .filter((td) => parseFloat(getComputedStyle(td, '::before').height)
                            > td.getBoundingClientRect().height + 0.5)
            .map((td) => td.dataset.label)"""
    )
    assert overflowing == []
    nav = page.get_by_role("navigation", name="Menu principal de l'espace entreprise")
    menu_link = nav.get_by_role("link", name="Mes demandes")
    expect(menu_link).to_be_hidden()
    summary = nav.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(menu_link).to_be_visible()
    assert_target_size(summary)
    shot(page, "menu-open-375", full_page=False)
    menu_link.click()
    page.get_by_role("heading", name="Mes demandes").wait_for()
    page.get_by_label(re.compile("^Rechercher")).fill("Attente")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("heading", name="Mes demandes").wait_for()
    assert_target_size(action(page, re.compile("Relancer .*ATTENTE")))
    page.get_by_role("link", name=re.compile(r"n° \d+")).first.click()
    page.get_by_role("heading", level=1).wait_for()
    assert_target_size(action(page, "Annuler la pré-affiliation"))
    shot(page, "request-375")

    # 320 px: no page of the space scrolls sideways.
    page.set_viewport_size(NARROW)
    for name, args in (
        ("home", [company.pk]),
        ("company", [company.pk]),
        ("requests", [company.pk]),
        ("employees", [company.pk]),
        ("employee_detail", [company.pk, waiting.pk]),
        ("documents", [company.pk]),
        ("add_employees", [company.pk]),
        ("import_start", [company.pk]),
        ("preaffiliation_form", [company.pk]),
    ):
        page.goto(live_server.url + reverse(f"employer_portal:{name}", args=args))
        page.get_by_role("heading", level=1).wait_for()
        assert no_sideways_scroll(page) <= 0, name
    shot(page, "import-320")

    # 200 % text: the employee's definition lists stay inside their box.
    page.set_viewport_size(WIDE)
    page.goto(
        live_server.url + reverse("employer_portal:employee_detail", args=[company.pk, waiting.pk])
    )
    page.get_by_role("heading", level=1).wait_for()
    assert_text_zoom_fits(page, "employee-200")


def assert_text_zoom_fits(page, screenshot: str) -> None:
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    shot(page, screenshot)
    assert no_sideways_scroll(page) <= 0
    overflowing = page.evaluate(
        """() => Array.from(document.querySelectorAll('dl, dt, dd')).filter(
             (e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.outerHTML.slice(0, 80))"""
    )
    assert not overflowing, overflowing
    page.evaluate("() => { document.documentElement.style.fontSize = ''; }")


def test_preaffiliation_form_with_the_keyboard_alone(page, live_server, company_space):
    company, _group, _waiting = company_space
    page.set_viewport_size(WIDE)
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    page.goto(live_server.url + reverse("employer_portal:add_employees", args=[company.pk]))
    page.get_by_role("heading", name="Affiliation de salariés").wait_for()
    keyboard_tour(page)
    # The mode: a radio group, Space picks, arrows move, Enter sends.
    page.get_by_label("Fichier").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Formulaire")).to_be_checked()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Informations personnelles").wait_for()
    keyboard_tour(page)

    def type_into(label, text):
        page.get_by_label(label).focus()
        page.keyboard.type(text)

    page.get_by_label("Madame").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Madame")).to_be_checked()
    type_into("Prénom", "Hélène")
    type_into(re.compile(r"^Nom"), "Lefèvre")
    type_into("Date de naissance", "12/05/1990")
    type_into("Numéro de sécurité sociale", make_nir(77, sex="2", year=90, month=5))
    type_into("Email", "helene.lefevre@example.fr")
    type_into("Date d'embauche", "01/03/2024")
    page.get_by_label("Non").focus()
    page.keyboard.press("Space")
    type_into("Date d'effet du contrat", "01/03/2024")
    page.keyboard.press("Enter")
    # No screenshot before the next page is there: one taken while the form was being
    # sent waited for a page that was going away (a CI timeout); review-1366 shows it.
    page.get_by_role("heading", name="Vérifier les informations saisies").wait_for()
    keyboard_tour(page)
    shot(page, "review-1366")
    assert_text_zoom_fits(page, "review-200")

    page.set_viewport_size(PHONE)
    for name in ("Supprimer Hélène Lefèvre", "Abandonner la saisie"):
        assert_target_size(action(page, name))
    shot(page, "review-375")
    page.set_viewport_size(NARROW)
    assert no_sideways_scroll(page) <= 0
    page.get_by_role("button", name="Valider").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Mes demandes").wait_for()
    assert "1 salarié pré-affilié" in page.content()
