"""Fixtures' building blocks: an employee with an account on a contract that offers
online dispensation, and proof files of each kind (built from their magic bytes)."""

import datetime as dt
import io
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dispensations.models import ContractDispensationSettings
from dispensations.services import dispensation_submit
from enrolment.enums import EnrolmentStatus
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import UserFactory


def pdf_bytes(text: str = "Attestation") -> bytes:
    """A one-page PDF (the upload checks open it with pikepdf)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        + f"% {text}\n".encode()
        + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0]))
    pixels = chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + pixels + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    """A real photo-like JPEG (images are decoded and re-encoded on upload)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"


def pdf_upload(name: str = "Attestation Mutuelle.pdf", content: bytes | None = None):
    return SimpleUploadedFile(name, content or pdf_bytes(), content_type="application/pdf")


def employee_enrolment(*, status=EnrolmentStatus.INVITED, act_cases=(), unilateral=False, **kw):
    """An invited enrolment of an employee who has an account, on a contract with the
    online dispensation turned on (and its act-only cases)."""
    user = UserFactory()
    enrolment = EnrolmentFactory(
        invited=True,
        employee__user=user,
        employee__payroll_id="M-1024",
        group__contract__dispensation_enabled=True,
        **kw,
    )
    if status != enrolment.status:
        enrolment.status = status
        enrolment.save(update_fields=["status"])
    if act_cases or unilateral:
        ContractDispensationSettings.objects.create(
            contract=enrolment.contract,
            act_cases=list(act_cases),
            unilateral_decision_with_contribution=unilateral,
            unilateral_decision_date=enrolment.contract.start_date,
        )
    return enrolment


def submit(enrolment, *, case="spouse_employer", files=None, end_date=None, insurer="", **kw):
    return dispensation_submit(
        enrolment=enrolment,
        case_code=case,
        payroll_id=kw.pop("payroll_id", "M-1024"),
        hire_date=kw.pop("hire_date", enrolment.employee.hire_date),
        end_date=end_date,
        insurer_name=insurer,
        sworn_statement=kw.pop("sworn_statement", True),
        files=[pdf_upload()] if files is None else files,
        by=enrolment.employee.user,
    )


def future(days: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=days)
