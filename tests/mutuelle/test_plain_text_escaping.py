"""Plain-text e-mails and SMS are never HTML-escaped: every notification template, fed a
company, a person and an address holding & ' < and ", shows them as typed."""

import pytest

from mutuelle.notifications import render_plain_text
from tests.mutuelle.hostile import ESCAPES, HOSTILE, TEMPLATES, hostile_context


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_notification_text_is_never_html_escaped(path):
    source = path.read_text()
    text = render_plain_text(f"notifications/{path.name}", hostile_context(source))
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
