"""Browser-test harness: Playwright on Debian's Chromium, with axe-core on every page.

How a journey uses it (the fixtures live in ``tests/conftest.py``)::

    import pytest
    from tests.browser_support import check_a11y, login

    @pytest.mark.browser
    def test_journey(page, live_server, transactional_db):
        login(page, live_server, "rh@example.fr", PASSWORD)
        page.get_by_role("link", name="Mes demandes").click()
        page.get_by_role("heading", name="Mes demandes").wait_for()
        ...

The ``page`` fixture audits **every document the journey visits** with axe-core
(bundled with ``axe-playwright-python``: no network needed). A new document is audited,
once loaded, the next time the test talks to ``page`` (``page.get_by_role(...)``,
``page.goto(...)``, ``page.wait_for_url(...)``, ``page.fill(...)``…), and the last one
at the end of the test. Any violation, at every impact level (minor, moderate, serious,
critical: RGAA asks for them all), fails the test with the page's URL, the rule and the
offending elements. Interacting only through a locator
kept from an earlier page skips the audit of the pages in between: go through ``page``
at least once per page (a ``page.get_by_role("heading", ...).wait_for()`` is enough).
The same fixture fails the test on any Content-Security-Policy violation a visited page
reports (``watch_csp_violations``): an inline script or style, a foreign resource.
Call ``check_a11y(page)`` to audit the current state on purpose (e.g. an error shown
without navigation); it fails at once. Tests using ``page`` are marked ``browser``
automatically; they need ``transactional_db`` (or ``live_server``'s own) data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = frozenset({"minor", "moderate", "serious", "critical"})
_axe = Axe()

# Page methods after which (or before which) a new document is audited.
_AUDIT_BEFORE = (
    "get_by_role",
    "get_by_label",
    "get_by_text",
    "get_by_placeholder",
    "get_by_alt_text",
    "get_by_title",
    "get_by_test_id",
    "locator",
    "click",
    "fill",
    "check",
    "uncheck",
    "select_option",
    "press",
    "set_input_files",
    "content",
    "inner_text",
    "text_content",
    "title",
    "goto",
    "reload",
    "go_back",
    "go_forward",
    "expect_download",
    "expect_navigation",
)
_AUDIT_AFTER = ("goto", "reload", "go_back", "go_forward", "wait_for_url", "wait_for_load_state")


@dataclass
class A11yReport:
    """Violations found on the documents audited during one test."""

    audited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    documents_seen: int = 0
    documents_audited: int = 0

    def record(self, url: str, response: dict) -> list[str]:
        self.audited.append(url)
        found = []
        for violation in response.get("violations", []):
            if violation.get("impact") not in BLOCKING_IMPACTS:
                continue
            targets = ", ".join(
                " ".join(map(str, node.get("target", []))) for node in violation["nodes"][:5]
            )
            found.append(
                f"{url}: [{violation['impact']}] {violation['id']} — {violation['help']} "
                f"({targets})"
            )
        self.problems.extend(found)
        return found

    def audit_pending(self, page, *, final: bool = False) -> None:
        """Audit the current document if it has not been audited yet."""
        if self.documents_seen == self.documents_audited:
            return
        if not page.url.startswith("http"):
            self.documents_audited = self.documents_seen
            return
        # The unwrapped method: the wrapped one would come back here.
        type(page).wait_for_load_state(page, "load")
        seen = self.documents_seen
        run_axe(page, self)
        self.documents_audited = seen


# Every id that an ARIA reference or a <label for> names must exist (RGAA 11.10: an
# error or a help text tied to a field by a missing id is never read out).
_DANGLING_REFERENCES = """() => {
  const found = [];
  const attributes = ["aria-describedby", "aria-labelledby", "aria-controls"];
  for (const element of document.querySelectorAll("*")) {
    const names = element.tagName === "LABEL" ? [...attributes, "for"] : attributes;
    for (const name of names) {
      for (const id of (element.getAttribute(name) || "").split(/\\s+/)) {
        if (id && !document.getElementById(id)) {
          found.push(`<${element.tagName.toLowerCase()} ${name}="${id}">`);
        }
      }
    }
  }
  return found;
}"""


def dangling_references(page) -> list[str]:
    """The references of the page's current document to ids it does not have."""
    return page.evaluate(_DANGLING_REFERENCES)


def run_axe(page, report: A11yReport | None = None) -> list[str]:
    """Audit the page's current document; return the violations found (axe-core, and
    references to missing ids)."""
    results = _axe.run(page)
    report = report or A11yReport()
    found = report.record(page.url, results.response)
    missing = [f"{page.url}: id absent — {reference}" for reference in dangling_references(page)]
    report.problems.extend(missing)
    return found + missing


def audit_every_document(page) -> A11yReport:
    """Count main-frame documents and audit each new one around the page's methods."""
    report = A11yReport()
    page._a11y_report = report

    def on_navigated(frame):
        if frame == page.main_frame:
            report.documents_seen += 1

    page.on("framenavigated", on_navigated)

    def wrap(name):
        original = getattr(page, name)

        def wrapped(*args, **kwargs):
            if name in _AUDIT_BEFORE:
                report.audit_pending(page)
            result = original(*args, **kwargs)
            if name in _AUDIT_AFTER:
                report.audit_pending(page)
            return result

        wrapped.__name__ = name
        wrapped.__doc__ = original.__doc__
        return wrapped

    for name in {*_AUDIT_BEFORE, *_AUDIT_AFTER}:
        # Instance attributes shadow the methods: ``page`` stays a real Page for expect().
        setattr(page, name, wrap(name))
    return report


_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def watch_csp_violations(page) -> list[str]:
    """Collect the CSP violations of every document the page shows (the listener is
    an init script, so it runs before the page's own scripts, whatever the policy)."""
    violations: list[str] = []
    page.add_init_script(_REPORT_CSP_VIOLATIONS)

    def on_console(message):
        text = message.text
        if message.type == "error" and (
            "CSP violation" in text or "Content Security Policy" in text
        ):
            violations.append(f"{page.url}: {text}")

    page.on("console", on_console)
    return violations


def check_a11y(page) -> None:
    """Audit the current document now and fail on any violation."""
    report = getattr(page, "_a11y_report", None) or A11yReport()
    found = run_axe(page, report)
    # Reported here: the teardown must not report the same problems twice.
    for problem in found:
        report.problems.remove(problem)
    assert not found, "Violations d'accessibilité :\n" + "\n".join(found)


def login(page, live_server, email: str, password: str) -> None:
    """Log in through the real login page and wait for the landing page."""
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label(re.compile(r"^Adresse e-mail ou identifiant")).fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/compte/login/" not in url)


# Every control a person can operate, as the page shows it (hidden or disabled ones are
# left out: they cannot take the focus).
_CONTROLS = """() => Array.from(document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, '
  + '[tabindex]:not([tabindex="-1"])'
)).filter((e) => !e.disabled && e.getClientRects().length
  && getComputedStyle(e).visibility !== 'hidden'
  && !e.closest('[hidden], details:not([open]) > :not(summary)')
).map((e) => {
  // Tab reaches one radio button of a group; the arrows move within it.
  if (e.type === 'radio') { e.dataset.kbd = 'radio:' + e.name; return e.dataset.kbd; }
  e.dataset.kbd = e.dataset.kbd || Math.random().toString(36).slice(2);
  return e.dataset.kbd;
}).filter((id, i, all) => all.indexOf(id) === i)"""

_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {id: e.dataset.kbd || null, tag: e.tagName,
          name: e.getAttribute('name') || e.textContent.trim().slice(0, 40),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== 'none'};
}"""


def keyboard_tour(page, *, max_steps: int = 250) -> list[dict]:
    """Press Tab from the top of the page to its end: every visible control must take
    the focus, each with a visible focus ring. Returns the focused controls in order."""
    # The page's deferred scripts first (they run before « load »): a heading can be on
    # screen while a block that a script hides on DOMContentLoaded is still visible, and
    # the controls counted then were no longer there to reach.
    page.wait_for_load_state("load")
    expected = page.evaluate(_CONTROLS)
    # Start from the top of the document, as after loading the page: a focus point
    # before everything (Tab then goes to the first control), removed at once.
    page.evaluate(
        """() => { const start = document.createElement('span'); start.tabIndex = -1;
                   document.body.prepend(start); start.focus(); }"""
    )
    page.keyboard.press("Tab")
    page.evaluate("() => document.body.firstElementChild.remove()")
    reached: list[dict] = []
    seen: set[str] = set()
    for _ in range(max_steps):
        focused = page.evaluate(_FOCUSED)
        if focused is None:
            break
        key = focused["id"] or f"{focused['tag']}:{focused['name']}"
        if reached and key == (reached[-1]["id"] or f"{reached[-1]['tag']}:{reached[-1]['name']}"):
            # A date input takes Tab once per part (day, month, year).
            page.keyboard.press("Tab")
            continue
        if key in seen:
            break
        seen.add(key)
        reached.append(focused)
        assert focused["outline"] or focused["shadow"], f"focus invisible sur {focused}"
        page.keyboard.press("Tab")
    missing = [control for control in expected if control not in seen]
    assert not missing, f"Après {[r['name'] for r in reached]}, jamais atteints : " + ", ".join(
        page.evaluate(
            "(ids) => ids.map((id) => document.querySelector(`[data-kbd='${id}']`)"
            ".outerHTML.slice(0, 120))",
            missing,
        )
    )
    return reached
