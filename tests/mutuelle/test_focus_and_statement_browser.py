"""Issue 15 items 6 and 10 in a real browser: the focus ring has a 3:1 contrast with
what surrounds it (white, the page background, the brand header), date inputs
included; the accessibility statement and the site map are linked from every footer."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser

# The outline and the colour around it: the first ancestor (from the parent, since the
# ring is drawn outside the element) that paints a background.
_RING = """(element) => {
  const style = getComputedStyle(element);
  let around = element.parentElement, background = "rgba(0, 0, 0, 0)";
  while (around) {
    background = getComputedStyle(around).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(background) && background !== "transparent") break;
    around = around.parentElement;
  }
  if (!around) background = "rgb(255, 255, 255)";
  return {color: style.outlineColor, width: parseFloat(style.outlineWidth),
          style: style.outlineStyle, offset: parseFloat(style.outlineOffset), background};
}"""


def luminance(rgb: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+(?:\.\d+)?", rgb)[:3])

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_visible_ring(locator, *, background: str | None = None) -> float:
    ring = locator.evaluate(_RING)
    assert ring["style"] != "none" and ring["width"] >= 2, ring
    if background:
        assert ring["background"] == background, ring
    ratio = contrast(ring["color"], ring["background"])
    assert ratio >= 3, f"contraste du focus {ratio:.2f}:1 ({ring})"
    return ratio


def test_focus_ring_contrast_on_white_page_background_header_and_date_input(
    page, live_server, transactional_db
):
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("heading", level=1).wait_for()

    email = page.get_by_label(re.compile(r"^Adresse e-mail ou identifiant"))
    email.focus()
    assert_visible_ring(email, background="rgb(255, 255, 255)")

    footer_link = page.get_by_role("link", name="Plan du site")
    footer_link.focus()
    assert_visible_ring(footer_link, background="rgb(246, 248, 249)")

    brand = page.locator(".site-header .brand a")
    brand.focus()
    assert_visible_ring(brand, background="rgb(11, 90, 115)")

    # A date input, reached with the keyboard as a person would.
    page.goto(live_server.url + reverse("member_portal:account_create"))
    page.get_by_label("Prénom").focus()
    page.keyboard.press("Tab")
    date = page.get_by_label("Date de naissance")
    assert date.evaluate("(e) => e.matches(':focus-within')")
    assert_visible_ring(date, background="rgb(255, 255, 255)")


def test_statement_and_site_map_reached_from_the_footer(page, live_server, transactional_db):
    page.goto(live_server.url + reverse("account_login"))
    footer = page.get_by_role("navigation", name="Liens de pied de page")
    footer.get_by_role("link", name="Accessibilité : partiellement conforme").click()
    page.get_by_role("heading", level=1, name="Déclaration d'accessibilité").wait_for()
    for heading in (
        "État de conformité",
        "Contenus non accessibles",
        "Non-conformités",
        "Dérogations pour charge disproportionnée",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        page.get_by_role("heading", name=heading, exact=True).wait_for()
    assert "partiellement conforme" in page.locator("main").inner_text()
    assert "Défenseur des droits" in page.locator("main").inner_text()

    page.get_by_role("link", name="Plan du site").click()
    page.get_by_role("heading", level=1, name="Plan du site").wait_for()
    page.get_by_role("link", name="Créer mon espace").click()
    page.get_by_role("heading", level=1, name="Créer mon espace").wait_for()


def test_session_warning_shows_before_the_end_and_extends_in_place(
    page, live_server, settings, transactional_db
):
    from playwright.sync_api import expect

    from tests.browser_support import check_a11y, login
    from tests.mutuelle.factories import PASSWORD, CorrespondentAccessFactory

    # Warn at once instead of five minutes before the 8 hours.
    settings.SESSION_WARNING_SECONDS = settings.SESSION_COOKIE_AGE
    CorrespondentAccessFactory(user__email="rh@exemple.fr")
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    warning = page.locator("#session-warning")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_have_attribute("role", "alert")
    expect(warning).to_contain_text("Votre session se termine à")
    check_a11y(page)
    url = page.url
    with page.expect_response(lambda r: r.url.endswith(reverse("session_extend"))) as answer:
        page.get_by_role("button", name="Prolonger ma session").press("Enter")
    assert answer.value.json()["remaining"] == settings.SESSION_COOKIE_AGE
    # Hidden, then shown again at once by the next timer (warning = whole session here).
    expect(warning).to_contain_text("Votre session se termine à")
    assert page.url == url  # what was typed on the page stays
