"""A dispensation form shown again with an error keeps the proofs it accepted: they are
listed, ticked, sent with the next submission, and removed when unticked."""

import html as htmllib
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dispensations.enums import DispensationStatus as D
from dispensations.models import Dispensation
from dispensations.services import dispensation_ask_complement
from member_portal.staged_proofs import STORAGE_PREFIX

from ..mutuelle.factories import UserFactory
from .factories import employee_enrolment, exe_bytes, pdf_upload, png_bytes, submit
from .test_views import post_data

pytestmark = pytest.mark.django_db

START = reverse("member_portal:dispensation_start")


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def kept_tokens(html: str) -> list[str]:
    return re.findall(r'name="kept_proofs" value="([0-9a-f]{32})"', html)


def staged_files() -> list[str]:
    try:
        return default_storage.listdir(STORAGE_PREFIX)[1]
    except FileNotFoundError:
        return []


def form(**overrides):
    """The request form's data; a field given as None is left out."""
    return {k: v for k, v in post_data(**overrides).items() if v is not None}


def test_accepted_proof_kept_when_another_field_is_wrong(client):
    enrolment = employee_enrolment()
    client.force_login(enrolment.employee.user)
    shown_again = client.post(
        START, form(sworn_statement=None, proofs=[pdf_upload("attestation conjoint.pdf")])
    )
    html = text(shown_again)
    assert "Vous devez accepter la déclaration sur l'honneur." in html
    assert "Fichiers déjà joints, conservés pour l'envoi" in html
    assert "attestation_conjoint.pdf" in html
    assert "Vous pouvez encore joindre 4 fichier(s)" in html
    [token] = kept_tokens(html)
    assert len(staged_files()) == 1
    # Sent with the next submission, without attaching it again.
    done = client.post(START, form(kept_proofs=token))
    dispensation = Dispensation.objects.get()
    assert done.url == reverse("member_portal:dispensation_done", args=[dispensation.pk])
    assert list(dispensation.proofs.values_list("original_name", flat=True)) == [
        "attestation_conjoint.pdf"
    ]
    assert staged_files() == []


def test_unticked_proof_is_dropped_and_a_refused_one_is_not_kept(client):
    enrolment = employee_enrolment()
    client.force_login(enrolment.employee.user)
    first = text(client.post(START, form(sworn_statement=None, proofs=[pdf_upload("a.pdf")])))
    [token] = kept_tokens(first)
    # Unticked (no token sent) and no new file: the case's proof is missing again.
    again = text(client.post(START, form(sworn_statement=None)))
    assert kept_tokens(again) == [] and staged_files() == []
    bad = {"name": "virus.pdf", "content": exe_bytes()}

    refused = text(
        client.post(
            START,
            form(proofs=[SimpleUploadedFile(bad["name"], bad["content"], "application/pdf")]),
        )
    )
    assert "virus" in refused and kept_tokens(refused) == [] and staged_files() == []
    # A token of a file that is not (or no longer) in this session is ignored.
    client.post(START, form(kept_proofs=token, sworn_statement=None))
    assert staged_files() == []


def test_a_token_from_another_session_is_ignored(client):
    enrolment = employee_enrolment()
    client.force_login(enrolment.employee.user)
    html = text(client.post(START, form(sworn_statement=None, proofs=[pdf_upload("a.pdf")])))
    [token] = kept_tokens(html)
    other = employee_enrolment()
    client.force_login(other.employee.user)  # a new session
    response = client.post(START, form(kept_proofs=token))
    assert response.status_code == 200 and not Dispensation.objects.exists()


def test_complement_form_keeps_its_accepted_proofs(client, django_capture_on_commit_callbacks):
    enrolment = employee_enrolment()
    dispensation = submit(enrolment)
    dispensation_ask_complement(
        dispensation=dispensation, by=UserFactory(staff=True), message="Attestation employeur ?"
    )
    client.force_login(enrolment.employee.user)
    url = reverse("member_portal:dispensation_complete", args=[dispensation.pk])

    photo = SimpleUploadedFile("attestation.png", png_bytes(), "image/png")
    html = text(
        client.post(url, {"payroll_id": "M-1024", "hire_date": "31/02/2024", "proofs": [photo]})
    )
    assert "Saisissez une date au format JJ/MM/AAAA." in html
    [token] = kept_tokens(html)
    assert "attestation.png" in html
    client.post(url, {"payroll_id": "M-1024", "hire_date": "01/03/2024", "kept_proofs": token})
    dispensation.refresh_from_db()
    assert dispensation.status == D.SUBMITTED
    assert "attestation.png" in dispensation.proofs.values_list("original_name", flat=True)
    assert staged_files() == []
