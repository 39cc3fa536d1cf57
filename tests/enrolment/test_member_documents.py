import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from enrolment.enums import EnrolmentStatus, MemberDocumentKind
from enrolment.member_models import MemberDocument
from enrolment.services.member_documents import member_attestation_issue, member_document_add
from tests.mutuelle.factories import UserFactory

from .factories import EnrolmentFactory
from .signing import pdf_text

pytestmark = pytest.mark.django_db


def read(document) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


@pytest.fixture
def member():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.save()
    return enrolment


def test_add_stores_a_private_file_once_per_key(member):
    first = member_document_add(
        enrolment=member,
        kind=MemberDocumentKind.SCHEDULE,
        title="Échéancier 2026",
        content=b"%PDF-1.7 test",
        filename="../../echeancier 2026.pdf",
        document_date=dt.date(2026, 1, 5),
        key="schedule:1:2026",
    )
    again = member_document_add(
        enrolment=member,
        kind=MemberDocumentKind.SCHEDULE,
        title="Échéancier 2026",
        content=b"other",
        filename="x.pdf",
        key="schedule:1:2026",
    )
    assert again == first and MemberDocument.objects.count() == 1
    assert first.year == 2026 and first.size == 13 and ".." not in first.filename
    assert (
        first.file.name.startswith(f"adherents/{member.pk}/")
        and "echeancier" not in first.file.name
    )
    assert read(first) == b"%PDF-1.7 test"


def test_of_member_gives_only_the_users_own_documents(member):
    other = EnrolmentFactory(active=True, employee__user=UserFactory())
    for enrolment in (member, other):
        member_document_add(
            enrolment=enrolment, kind="autre", title="Doc", content=b"x", filename="d.pdf"
        )
    assert list(MemberDocument.objects.of_member(member.employee.user)) == [
        member.member_documents.get()
    ]
    assert not MemberDocument.objects.of_member(UserFactory()).exists()


def test_attestation_is_a_dated_pdf_with_cover_and_beneficiaries(member):
    document = member_attestation_issue(enrolment=member, today=dt.date(2026, 11, 30))
    text = pdf_text(read(document))
    assert "Attestation d'appartenance" in text and member.member_number in text
    assert member.employee.company.legal_name in text and member.contract.number in text
    assert "Base + Option 1" in text and "LAMBERT" in text and "SIMON" in text
    assert "01/03/2024" in text and "30/11/2026" in text
    assert document.title == "Attestation d'appartenance du 30/11/2026"
    # Asking twice the same day gives the same document.
    assert member_attestation_issue(enrolment=member, today=dt.date(2026, 11, 30)) == document


def test_no_attestation_before_cover():
    with pytest.raises(ValidationError):
        member_attestation_issue(enrolment=EnrolmentFactory(invited=True))
