"""On a phone (375 px) the member's wide tables scroll sideways inside their wrapper:
keyboard users reach the wrapper with Tab, see its focus ring and scroll it with the
arrows, and axe-core finds nothing on « Mon contrat » and « Mes remboursements » (it
reported ``scrollable-region-focusable`` there before the wrappers took the focus)."""

import datetime as dt

import pytest

from benefits.services.settlements import settlement_import_create, settlement_import_run
from benefits.settlement_files import build_csv
from tests.benefits.factories import covered_member, settlement
from tests.browser_support import check_a11y, login
from tests.mutuelle.factories import PASSWORD

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 800}

# The page's table wrappers that scroll sideways: their accessible name (the caption they
# point at), whether they take the focus, and their outline once focused.
SCROLLING_WRAPPERS = """() => [...document.querySelectorAll('.table-wrap')]
  .filter((e) => e.scrollWidth > e.clientWidth)
  .map((e) => {
    e.focus();
    const style = getComputedStyle(e);
    return {
      name: document.getElementById(e.getAttribute('aria-labelledby'))?.textContent.trim(),
      role: e.getAttribute('role'),
      focused: document.activeElement === e,
      outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    };
  })"""


def test_wide_tables_scroll_from_the_keyboard_on_a_phone(page, live_server, transactional_db):
    enrolment = covered_member()
    spouse, _child = enrolment.beneficiaries.order_by("relationship")
    rows = [
        settlement(enrolment, date_soins=dt.date(2026, 10, 5)),
        settlement(enrolment, spouse, date_soins=dt.date(2026, 11, 3), code_acte="CONSULT_SPE"),
    ]
    settlement_import_run(
        settlement_import=settlement_import_create(content=build_csv(rows), filename="f.csv")
    )
    page.set_viewport_size(PHONE)
    login(page, live_server, enrolment.employee.user.email, PASSWORD)
    for path in ("/adherent/contrat/", "/adherent/remboursements/"):
        page.goto(f"{live_server.url}{path}")
        page.get_by_role("heading", level=1).wait_for()
        check_a11y(page)
        wrappers = page.evaluate(SCROLLING_WRAPPERS)
        # The test is about scrolling tables: the page must have one at this width.
        assert wrappers, f"{path}: no table scrolls sideways at 375 px"
        for wrapper in wrappers:
            assert wrapper["name"] and wrapper["role"] == "region", (path, wrapper)
            assert wrapper["focused"] and wrapper["outline"], (path, wrapper)
        region = page.get_by_role("region", name=wrappers[0]["name"])
        region.focus()
        page.keyboard.press("ArrowRight")
        # Keyboard scrolling may be animated: wait for it rather than read at once.
        page.wait_for_function("(e) => e.scrollLeft > 0", arg=region.element_handle(), timeout=5000)
