import datetime as dt
import html as htmllib

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contributions.enums import InstalmentStatus as I
from contributions.models import DebitBatch, Instalment
from mutuelle.roles import GESTIONNAIRE
from tests.mutuelle.factories import UserFactory

from .factories import member_with_instalments

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


@pytest.fixture
def back_office(client):
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    return user


def test_build_download_mark_sent_and_import_returns(client, back_office):
    enrolment = member_with_instalments()
    build = reverse("admin:contributions_debitbatch_build")
    refused = client.post(build, {"collection_date": "11/01/2026"})
    assert "Aucune échéance à prélever le 11/01/2026." in text(refused)
    assert client.post(build, {"collection_date": "10/01/2026"}).status_code == 302
    batch = DebitBatch.objects.get()
    listing = text(client.get(reverse("admin:contributions_debitbatch_changelist")))
    assert "Télécharger le pain.008" in listing and "53,10\u00a0€" in listing
    download = client.get(reverse("admin:contributions_debitbatch_download", args=[batch.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"pain.008.001.02" in b"".join(download.streaming_content)
    client.post(
        reverse("admin:contributions_debitbatch_changelist"),
        {"action": "action_mark_sent", "_selected_action": [batch.pk]},
    )
    batch.refresh_from_db()
    assert batch.status == "envoye" and batch.sent_by == back_office
    instalment = Instalment.objects.get(enrolment=enrolment, due_date=dt.date(2026, 1, 10))
    upload = SimpleUploadedFile("rejets.csv", f"{instalment.end_to_end_id};MS02\n".encode())
    response = client.post(
        reverse("admin:contributions_instalment_import_returns"), {"file": upload}
    )
    assert response.status_code == 302
    instalment.refresh_from_db()
    assert (instalment.status, instalment.return_reason) == (I.ARREARS, "MS02")
    bad = SimpleUploadedFile("rejets.csv", b"ECH-0;AM04\n")
    page = client.post(reverse("admin:contributions_instalment_import_returns"), {"file": bad})
    assert "référence « ECH-0 » inconnue" in text(page)


def test_batches_are_for_the_back_office_only(client):
    member_with_instalments()
    client.force_login(UserFactory(staff=True))
    assert client.get(reverse("admin:contributions_debitbatch_build")).status_code == 403


def test_an_instalment_is_named_with_a_french_amount():
    """Its name appears in the back office's lists and choices: « 53,10 € », not « 53.10 € »."""
    instalment = Instalment.objects.filter(
        enrolment=member_with_instalments(until=dt.date(2026, 1, 31))
    ).get()
    assert str(instalment) == "Échéance du 10/01/2026 — 53,10\u00a0€"
