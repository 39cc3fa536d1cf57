"""HTML checks of the forms (RGAA 11): ids referenced by ARIA attributes and labels
exist, the error summary links to fields, the fields say what they require."""

from __future__ import annotations

import lxml.html

REFERENCE_ATTRIBUTES = ("aria-describedby", "aria-labelledby", "aria-controls")


def parse(html: str):
    return lxml.html.fromstring(html)


def dangling_references(html: str) -> list[str]:
    """Each ``attribute → id`` of the page (ARIA references, ``<label for>``) whose id is
    not on the page."""
    doc = parse(html)
    ids = {value for value in doc.xpath("//@id") if value}
    missing = []
    for element in doc.xpath("//*[@aria-describedby or @aria-labelledby or @aria-controls]"):
        for attribute in REFERENCE_ATTRIBUTES:
            missing += [
                f"{attribute}={ref} on <{element.tag}>"
                for ref in (element.get(attribute) or "").split()
                if ref not in ids
            ]
    missing += [
        f"label for={label.get('for')}"
        for label in doc.xpath("//label[@for]")
        if label.get("for") not in ids
    ]
    return missing


def error_summary(html: str):
    found = parse(html).xpath("//*[@data-error-summary]")
    assert len(found) == 1, f"{len(found)} error summaries"
    return found[0]


def summary_targets(html: str) -> list[str]:
    """The ids the error summary links to (each must be a field of the page)."""
    doc = parse(html)
    summary = error_summary(html)
    assert summary.get("tabindex") == "-1" and summary.get("role") == "alert"
    targets = [a.get("href")[1:] for a in summary.xpath(".//a[starts-with(@href, '#')]")]
    fields = {el.get("id") for el in doc.xpath("//input|//select|//textarea") if el.get("id")}
    assert set(targets) <= fields, set(targets) - fields
    return targets


def field(html: str, field_id: str):
    found = parse(html).xpath(f"//*[@id='{field_id}']")
    assert found, field_id
    return found[0]
