import datetime as dt

import pytest
from django.utils import timezone

from mutuelle.enums import Channel
from mutuelle.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def messages():
    older = OutboxMessage.objects.create(
        key="invitation:1",
        channel=Channel.EMAIL,
        recipient="paul@example.fr",
        subject="Votre adhésion",
        body_text="Bonjour,\nCommencez ici : http://127.0.0.1:8000/adherent/invitation/abc/\nMerci",
        body_html="<p>Bonjour <a href='http://x'>lien</a></p>",
    )
    OutboxMessage.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    newer = OutboxMessage.objects.create(
        key="otp:1",
        channel=Channel.SMS,
        recipient="+33612345678",
        body_text="Votre code de signature : 123456",
    )
    return older, newer


def test_lists_every_message_newest_first_with_clickable_links(
    client, messages, django_assert_max_num_queries
):
    older, _newer = messages
    with django_assert_max_num_queries(3):
        response = client.get("/dev/outbox/")
    html = response.text
    assert response.status_code == 200
    assert html.index("Votre code de signature") < html.index("Votre adhésion")
    assert '<a href="http://127.0.0.1:8000/adherent/invitation/abc/">' in html, (
        "the invitation link is one click away"
    )
    assert f'href="/dev/outbox/{older.pk}/"' in html


def test_detail_urlizes_the_text_and_sandboxes_the_html(client, messages):
    older, _ = messages
    html = client.get(f"/dev/outbox/{older.pk}/").text
    assert 'href="http://127.0.0.1:8000/adherent/invitation/abc/"' in html
    assert "<iframe" in html
    assert "sandbox" in html
    # The HTML body is escaped into srcdoc, never injected in the page.
    assert "<p>Bonjour <a href='http://x'>" not in html


def test_query_count_does_not_grow_with_messages(client, messages, django_assert_max_num_queries):
    for n in range(30):
        OutboxMessage.objects.create(
            key=f"bulk:{n}", channel=Channel.EMAIL, recipient="x@example.fr", body_text="x"
        )
    with django_assert_max_num_queries(3):
        assert client.get("/dev/outbox/").status_code == 200


def test_404_when_disabled(client, messages, settings):
    settings.DEV_OUTBOX_ENABLED = False
    assert client.get("/dev/outbox/").status_code == 404
    assert client.get(f"/dev/outbox/{messages[0].pk}/").status_code == 404
    assert "/dev/outbox/" not in client.get("/").text
