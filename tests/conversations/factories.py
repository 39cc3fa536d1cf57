from django.core.files.uploadedfile import SimpleUploadedFile

from enrolment.enums import EnrolmentStatus
from tests.dispensations.factories import pdf_bytes
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import UserFactory

# A one-page PDF: uploads are opened with pikepdf.
PDF_BYTES = pdf_bytes("Facture")
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def pdf_upload(name="facture.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def fake_pdf_upload(name="virus.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a pdf", content_type="application/pdf")


def member_enrolment(**kwargs):
    """A covered member with an account."""
    return EnrolmentFactory(status=EnrolmentStatus.ACTIVE, employee__user=UserFactory(), **kwargs)
