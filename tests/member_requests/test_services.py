import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from member_requests.enums import MemberRequestKind as K
from member_requests.models import MemberRequest
from member_requests.services import member_request_submit
from tests.dispensations.factories import exe_bytes, pdf_upload, png_bytes

from .factories import member_enrolment

pytestmark = pytest.mark.django_db


def test_documents_are_checked_from_their_content_and_stored_privately(settings):
    settings.MEMBER_REQUEST_MAX_FILES = 2
    enrolment = member_enrolment()
    user = enrolment.employee.user
    fake = SimpleUploadedFile("rib.pdf", exe_bytes(), content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        member_request_submit(
            enrolment=enrolment,
            kind=K.OTHER,
            by=user,
            documents=[("RIB", fake), ("a", pdf_upload()), ("b", pdf_upload())],
        )
    messages = refused.value.message_dict["documents"]
    assert any("n'est pas un fichier PDF, JPEG ou PNG" in m for m in messages)
    assert any("que 2 fichiers" in m for m in messages)
    assert not MemberRequest.objects.exists()
    image = SimpleUploadedFile(
        "../../carte vitale.pdf", png_bytes(), content_type="application/pdf"
    )
    member_request = member_request_submit(
        enrolment=enrolment, kind=K.OTHER, by=user, documents=[("Attestation Vitale", image)]
    )
    document = member_request.documents.get()
    assert (document.label, document.original_name, document.content_type) == (
        "Attestation Vitale",
        "carte_vitale.png",
        "image/png",
    )
    assert document.file.name.startswith("demandes/documents/")
    assert default_storage.exists(document.file.name)


def test_the_same_form_posted_twice_sends_one_request():
    enrolment = member_enrolment()
    user = enrolment.employee.user
    first = member_request_submit(
        enrolment=enrolment, kind=K.OTHER, by=user, message="Bonjour", submission_key="k1"
    )
    again = member_request_submit(
        enrolment=enrolment, kind=K.OTHER, by=user, message="Bonjour", submission_key="k1"
    )
    assert first.pk == again.pk
    assert MemberRequest.objects.count() == 1 and first.events.count() == 1


def test_a_failing_detail_leaves_no_request_and_no_file():
    enrolment = member_enrolment()

    def build_detail(member_request):
        raise ValidationError({"iban": "IBAN invalide."})

    with pytest.raises(ValidationError):
        member_request_submit(
            enrolment=enrolment,
            kind=K.OTHER,
            by=enrolment.employee.user,
            documents=[("RIB", pdf_upload())],
            build_detail=build_detail,
        )
    assert not MemberRequest.objects.exists()
    folder = "demandes/documents"
    assert not default_storage.exists(folder) or default_storage.listdir(folder)[1] == []
