"""Spacing seen in a real browser, on a computer (1366 px) and a phone (375 px): the
SMS-code form keeps the design's space between « Valider le code » and « Pas reçu de
code ? », the help line's times (« 8 h 30 ») never break across lines, and the member
space's bottom bar never covers the last links of a page: the body keeps room for it,
as tall as the bar. Screenshots go to /tmp (``layers-*.png``)."""

import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from enrolment.enums import EnrolmentStatus
from tests.browser_support import login
from tests.enrolment.factories import EnrolmentFactory
from tests.member_portal.helpers import PASSWORD, add_offers, in_progress_enrolment, url
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.browser
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 800}
SCREENSHOTS = Path(tempfile.gettempdir())
# The space between a form's paragraphs (``form p`` and ``.actions`` in portal.css).
FORM_SPACING_PX = 16

# Times of day (« 8 h 30 ») in the footer drawn on more than one line box.
BROKEN_TIMES = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('footer'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/\\d{1,2}\\s+h(\\s+\\d{2})?/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""

# With the page scrolled to its end (once laid out again: the room for the bar follows
# its size before the next frame): the bar's top, the bottom of the last control outside
# the bar, the bar's height and the body's bottom padding.
BOTTOM = """async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  window.scrollTo(0, document.documentElement.scrollHeight);
  const bar = document.querySelector('.space-nav');
  const controls = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter((e) => e.getClientRects().length && !bar.contains(e));
  const last = controls[controls.length - 1];
  return {
    barTop: bar.getBoundingClientRect().top,
    barHeight: bar.getBoundingClientRect().height,
    lastBottom: last.getBoundingClientRect().bottom,
    last: last.textContent.trim(),
    padding: parseFloat(getComputedStyle(document.body).paddingBottom),
  };
}"""


@pytest.fixture
def enrolling(transactional_db):
    enrolment, user = in_progress_enrolment(wizard_step="profile")
    add_offers(enrolment)
    return enrolment, user


def gap_between(upper, lower) -> float:
    above, below = upper.bounding_box(), lower.bounding_box()
    return below["y"] - (above["y"] + above["height"])


def assert_bar_covers_nothing(page, name: str) -> None:
    page.set_viewport_size(PHONE)
    bottom = page.evaluate(BOTTOM)
    page.screenshot(path=SCREENSHOTS / f"layers-bottom-{name}.png")
    assert bottom["lastBottom"] <= bottom["barTop"], bottom
    assert bottom["padding"] == pytest.approx(bottom["barHeight"], abs=0.5), bottom


def test_code_form_spacing_unbroken_hours_and_the_bottom_bar(page, live_server, enrolling):
    _enrolment, user = enrolling
    page.set_viewport_size(WIDE)
    login(page, live_server, user.email, PASSWORD)
    page.goto(live_server.url + url("wizard_profile"))
    page.get_by_role("heading", name="Mon profil").wait_for()
    page.get_by_label("Situation familiale").select_option("marie")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Organisme de sécurité sociale").fill("01 751 0000")
    page.get_by_role("button", name="Suivant").click()
    page.get_by_role("heading", name="Confirmer mon mobile").wait_for()

    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        button = page.get_by_role("button", name="Valider le code")
        resend_line = page.locator("p", has_text="Pas reçu de code ?")
        assert gap_between(button, resend_line) >= FORM_SPACING_PX - 0.5, size
        page.screenshot(path=SCREENSHOTS / f"layers-code-{size['width']}.png", full_page=True)

    # « du lundi au vendredi de 8 h 30 à 18 h 30 et le samedi de 8 h 30 à 12 h »: no
    # width between a small phone and a tablet breaks a time.
    assert "8\u00a0h\u00a030" in page.locator("footer").inner_text()
    for width in range(300, 481, 6):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate(BROKEN_TIMES) == [], width

    # The bar holds « Reprendre mon adhésion »; at 200 % text it is taller, so is the room.
    assert_bar_covers_nothing(page, "code")
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert_bar_covers_nothing(page, "code-200")


def test_a_members_bar_scrolling_sideways_covers_nothing(page, live_server, transactional_db):
    """A member's bar has more entries than a phone is wide: they scroll sideways."""
    user = UserFactory()
    EnrolmentFactory(
        employee__user=user,
        status=EnrolmentStatus.ACTIVE,
        effective_date=timezone.localdate(),
    )
    login(page, live_server, user.email, PASSWORD)
    page.set_viewport_size(PHONE)
    for name in ("documents", "contact", "profile"):
        page.goto(live_server.url + url(name))
        page.get_by_role("heading", level=1).wait_for()
        overflow = page.locator(".space-nav").evaluate("(e) => e.scrollWidth - e.clientWidth")
        assert overflow > 0
        assert_bar_covers_nothing(page, name)
