from django.core.files.uploadedfile import SimpleUploadedFile

from enrolment.enums import EnrolmentStatus
from tests.dispensations.factories import exe_bytes, pdf_upload
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import UserFactory


def fake_pdf_upload(name="virus.pdf") -> SimpleUploadedFile:
    """An executable named like a PDF: refused, its type is read from the content."""
    return SimpleUploadedFile(name, exe_bytes(), content_type="application/pdf")


def member_enrolment(**kwargs):
    """A covered member with an account."""
    return EnrolmentFactory(status=EnrolmentStatus.ACTIVE, employee__user=UserFactory(), **kwargs)


__all__ = ["fake_pdf_upload", "member_enrolment", "pdf_upload"]
