"""The harness itself: axe-core runs offline and catches violations at every level."""

import pytest

from tests.browser_support import check_a11y

pytestmark = pytest.mark.browser

BAD_PAGE = (
    "<!DOCTYPE html><html lang='fr'><head><title>Mauvaise page</title></head>"
    "<body><main><h1>Formulaire</h1><form><input type='text' name='nom'></form>"
    "<a href='/suite'>Suite</a></main></body></html>"
)
GOOD_PAGE = (
    "<!DOCTYPE html><html lang='fr'><head><title>Suite</title></head>"
    "<body><main><h1>Suite</h1><p>Tout va bien.</p></main></body></html>"
)


def test_every_visited_document_is_audited_and_violations_are_reported(page):
    pages = {"/depart": BAD_PAGE, "/suite": GOOD_PAGE}
    page.route(
        "http://a11y.test/**",
        lambda route: route.fulfill(
            body=pages[route.request.url.removeprefix("http://a11y.test")],
            content_type="text/html; charset=utf-8",
        ),
    )
    page.goto("http://a11y.test/depart")
    page.get_by_role("link", name="Suite").click()
    page.get_by_role("heading", name="Suite").wait_for()

    report = page._a11y_report
    assert report.audited == ["http://a11y.test/depart", "http://a11y.test/suite"]
    assert len(report.problems) == 1
    assert "label" in report.problems[0]
    assert "[critical]" in report.problems[0]
    # Handled here, so that this test's teardown does not fail on purpose.
    report.problems.clear()


def test_check_a11y_fails_at_once_on_a_serious_violation(page):
    page.set_content(BAD_PAGE)
    with pytest.raises(AssertionError, match="label"):
        check_a11y(page)
    page.set_content(GOOD_PAGE)
    check_a11y(page)


MINOR_ONLY_PAGE = (
    "<!DOCTYPE html><html lang='fr'><head><title>Titres</title></head>"
    "<body><main><h1>Titres</h1><h3>Un niveau sauté</h3><p>Texte.</p></main></body></html>"
)


def test_moderate_violations_fail_too(page):
    page.set_content(MINOR_ONLY_PAGE)
    with pytest.raises(AssertionError, match=r"\[moderate\] heading-order"):
        check_a11y(page)


def test_csp_violations_are_collected(context):
    """The ``page`` fixture fails a journey on these; a page of its own here."""
    from tests.browser_support import watch_csp_violations

    page = context.new_page()
    violations = watch_csp_violations(page)
    page.route(
        "http://csp.test/**",
        lambda route: route.fulfill(
            body="<!DOCTYPE html><html lang='fr'><head><title>CSP</title></head><body>"
            "<script>document.title = 'exécuté';</script></body></html>",
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": "script-src 'self'"},
        ),
    )
    page.goto("http://csp.test/")
    page.wait_for_timeout(200)
    assert page.title() == "CSP"
    assert violations
    assert "script-src" in violations[0]
