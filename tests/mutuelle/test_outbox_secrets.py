"""Item 2 of issue 12: a message's secret part (link, code) is stored encrypted, only
until delivery; the back office sees it masked; no raw token or code is left in any
column of the database after a whole journey; the provisional-password letter is
deleted once posted."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from enrolment.enums import PostalLetterKind
from enrolment.models import PostalLetter
from enrolment.services.invitation import enrolment_invite
from enrolment.services.postal_letters import postal_letters_create
from mutuelle.enums import MessageStatus
from mutuelle.models import OutboxMessage
from mutuelle.roles import GESTIONNAIRE
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import ORIGIN, prepare_attempt
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Nouveau-Secret-2026!"
URL = re.compile(r"http://\S+")


@pytest.fixture
def production_outbox(settings):
    settings.DEV_OUTBOX_ENABLED = False
    settings.SITE_URL = "http://testserver"


def send_then_deliver(django_capture_on_commit_callbacks, action) -> str:
    """Run ``action``, read the newest message's text before delivery (the only moment
    it holds its secret in production), then deliver it."""
    with django_capture_on_commit_callbacks() as callbacks:
        action()
    text = OutboxMessage.objects.order_by("-id").first().body_text
    for callback in callbacks:
        callback()
    return text


def columns_containing(secret: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                quoted = connection.ops.quote_name(column.name)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # noqa: S608
                    f"WHERE CAST({quoted} AS TEXT) LIKE %s",
                    [f"%{secret}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found


def test_no_raw_token_or_code_is_left_in_the_database_after_a_journey(
    production_outbox, client, django_capture_on_commit_callbacks
):
    from enrolment.signature.services import signature_code_send, signature_code_verify

    # Invitation, then activation through the link.
    enrolment = EnrolmentFactory(employee__email="paul.pro@entreprise.example.fr")
    invitation = send_then_deliver(
        django_capture_on_commit_callbacks, lambda: enrolment_invite(enrolment=enrolment)
    )
    invitation_url = next(u for u in URL.findall(invitation) if "/invitation/" in u)
    invitation_token = invitation_url.rstrip("/").rsplit("/", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        activated = client.post(
            invitation_url,
            {
                "birth_date": enrolment.employee.birth_date.strftime("%d/%m/%Y"),
                "has_personal_email": "non",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
    assert activated.status_code == 302
    client.post("/compte/logout/")

    # Password reset through the e-mailed link.
    reset = send_then_deliver(
        django_capture_on_commit_callbacks,
        lambda: client.post("/compte/password/reset/", {"email": "paul.pro@entreprise.example.fr"}),
    )
    reset_url = URL.search(reset).group(0)
    reset_key = reset_url.rstrip("/").rsplit("/", 1)[1]
    form_url = client.get(reset_url).url
    done = client.post(
        form_url, {"password1": "Autre-Secret-2026!", "password2": "Autre-Secret-2026!"}
    )
    assert done.status_code == 302

    # Signature with the SMS code.
    signer = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(signer)
    sms = send_then_deliver(
        django_capture_on_commit_callbacks,
        lambda: signature_code_send(attempt=attempt, resend=False),
    )
    code = re.search(r"\b(\d{6})\b", sms).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        signature_code_verify(attempt=attempt, code=code, by=signer.employee.user, origin=ORIGIN)

    # Each secret reached its recipient…
    assert invitation_token in mail.outbox[0].body
    assert reset_key in mail.outbox[1].body
    # …and is nowhere in the database now.
    assert not OutboxMessage.objects.exclude(status=MessageStatus.SENT).exists()
    for secret in (invitation_token, reset_key, code):
        assert columns_containing(secret) == [], secret
    assert [m.secrets for m in OutboxMessage.objects.all()] == [""] * 4
    assert "[masqué]" in OutboxMessage.objects.get(channel="sms").body_text


def test_secrets_are_encrypted_until_delivery(production_outbox):
    enrolment = EnrolmentFactory(employee__email="paul@example.fr")
    enrolment_invite(enrolment=enrolment)  # not delivered: on_commit never runs here
    message = OutboxMessage.objects.get()
    token = URL.findall(message.body_text)[0].rstrip("/").rsplit("/", 1)[1]
    assert token not in message.text_stored
    assert "[secret:link]" in message.text_stored
    assert columns_containing(token) == []


def test_the_back_office_sees_links_and_codes_masked(production_outbox, client):
    enrolment = EnrolmentFactory(employee__email="paul@example.fr")
    enrolment_invite(enrolment=enrolment)
    message = OutboxMessage.objects.get()
    token = URL.findall(message.body_text)[0].rstrip("/").rsplit("/", 1)[1]
    manager = UserFactory(staff=True)
    manager.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(manager)
    page = client.get(reverse("admin:mutuelle_outboxmessage_change", args=[message.pk]))
    assert page.status_code == 200
    assert "[masqué]" in page.text
    assert token not in page.text
    assert "gAAAA" not in page.text  # nor the ciphertext


def test_the_development_outbox_still_shows_the_link(settings, client):
    settings.DEV_OUTBOX_ENABLED = True
    enrolment = EnrolmentFactory(employee__email="paul@example.fr")
    enrolment_invite(enrolment=enrolment)
    message = OutboxMessage.objects.get()
    page = client.get(f"/dev/outbox/{message.pk}/")
    assert "/adherent/invitation/" in page.text
    assert "[secret:" not in page.text


def test_the_provisional_password_letter_is_deleted_once_posted(client):
    enrolment = EnrolmentFactory(employee__email="")
    letters = {letter.kind: letter for letter in postal_letters_create(enrolment=enrolment)}
    password_file = letters[PostalLetterKind.PASSWORD].file.name
    identifier_file = letters[PostalLetterKind.IDENTIFIER].file.name
    assert default_storage.exists(password_file)
    manager = UserFactory(staff=True)
    manager.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(manager)
    client.post(
        reverse("admin:enrolment_postalletter_changelist"),
        {"action": "mark_printed", "_selected_action": [letters[k].pk for k in letters]},
    )
    # The admin action's deletion runs after commit: outside a test transaction.
    posted = PostalLetter.objects.get(kind=PostalLetterKind.PASSWORD)
    assert posted.printed_at is not None and posted.printed_by == manager
    assert not posted.file
    assert default_storage.exists(identifier_file)
    download = reverse("admin:enrolment_postalletter_download", args=[posted.pk])
    assert client.get(download).status_code == 404
