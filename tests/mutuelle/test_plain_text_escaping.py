"""Plain-text e-mails and SMS are never HTML-escaped: every notification template, fed a
company, a person and an address holding & ' < and ", shows them as typed."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from mutuelle.notifications import render_plain_text

HOSTILE = 'Boulangerie Martin & Fils <l\'Été> "SARL"'
ESCAPES = ("&amp;", "&#x27;", "&#39;", "&lt;", "&gt;", "&quot;")
TEMPLATES = sorted((Path(settings.BASE_DIR) / "templates" / "notifications").glob("*.txt"))


DATE_PARTS = {"day", "month", "year", "hour", "minute", "second", "microsecond"}


class Hostile(str):
    """Any attribute, item or iteration of it is hostile text again."""

    def __new__(cls):
        return super().__new__(cls, HOSTILE)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in DATE_PARTS:  # so that |date:"d/m/Y" renders
            return 1
        if name == "tzinfo":
            return None
        return Hostile()

    def __getitem__(self, key):
        return Hostile()

    def __iter__(self):
        return iter([Hostile()])


def _context(source: str) -> dict:
    names = set(re.findall(r"{[{%][^}]*?\b([a-z_]+)[.|\s}]", source))
    context = {name: Hostile() for name in names}
    # Amounts go through |euros: give the objects holding them a real number.
    for name in re.findall(r"([a-z_]+)\.amount\|euros", source):
        context[name] = {"amount": Decimal("12.5"), **{k: Hostile() for k in ("due_date",)}}
    return context


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_notification_text_is_never_html_escaped(path):
    source = path.read_text()
    text = render_plain_text(f"notifications/{path.name}", _context(source))
    for escape in ESCAPES:
        assert escape not in text, f"{path.name} escapes {escape}"
    if "{{" in source:
        assert "&" in text or "<" in text or HOSTILE not in source


@pytest.mark.django_db
def test_a_company_with_an_ampersand_reads_as_typed_in_a_sent_email(
    django_capture_on_commit_callbacks,
):
    from mutuelle.enums import Channel
    from mutuelle.notifications import notification_send

    message = notification_send(
        key="escape-check",
        channel=Channel.EMAIL,
        to="rh@example.fr",
        template="versement_sante_employer",
        context={
            "employee": {"first_name": "Chloé", "last_name": "d'Arc"},
            "company": {"legal_name": "Boulangerie Martin & Fils SARL"},
        },
    )
    assert "Boulangerie Martin & Fils SARL" in message.body_text
    assert "D'ARC" in message.subject and "&#x27;" not in message.subject
