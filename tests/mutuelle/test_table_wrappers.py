"""Every template's sideways-scrolling table wrapper (``.table-wrap``) can be reached from
the keyboard and is announced by name: ``tabindex="0"``, ``role="region"`` and an
``aria-labelledby`` pointing at an id of the same template (its table's caption), or an
``aria-label``. The phone-width browser test (tests/member_portal/
test_scroll_regions_browser.py) checks two pages for real; this one checks them all."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
WRAPPER = re.compile(r"<div\b[^>]*\bclass=\"[^\"]*\btable-wrap\b[^>]*>")


def wrapper_problems(text: str) -> list[str]:
    problems = []
    for tag in WRAPPER.findall(text):
        labelled = re.search(r'aria-labelledby="([^"]+)"', tag)
        if 'tabindex="0"' not in tag or 'role="region"' not in tag:
            problems.append(f"not a focusable region: {tag}")
        if labelled and f'id="{labelled[1]}"' not in text:
            problems.append(f"labelled by an id absent from the template: {tag}")
        if not labelled and not re.search(r'aria-label="[^"]+"', tag):
            problems.append(f"no accessible name: {tag}")
    return problems


def test_the_check_catches_unreachable_wrappers():
    assert wrapper_problems('<div class="table-wrap"><table><caption>T</caption>')
    assert wrapper_problems(
        '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="t"><table>'
    )
    assert not wrapper_problems(
        '<div class="table-wrap x" tabindex="0" role="region" aria-labelledby="t">'
        '<table><caption id="t">T</caption>'
    )
    assert not wrapper_problems(
        '<div class="table-wrap" tabindex="0" role="region" aria-label="T">'
    )


def test_every_table_wrapper_is_a_named_focusable_region():
    found = {}
    wrappers = 0
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        wrappers += len(WRAPPER.findall(text))
        if problems := wrapper_problems(text):
            found[str(path.relative_to(TEMPLATES))] = problems
    assert wrappers >= 14
    assert found == {}
