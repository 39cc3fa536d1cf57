"""The membership form's bank section stays on one page, however many beneficiaries push
it down (read back from the PDF's pages)."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from enrolment.enums import Civility, Relationship
from enrolment.models import Beneficiary
from enrolment.signature import membership_form as mf

from .factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

BANK_START = "Les coordonnées bancaires"
BANK_END = "Jour de prélèvement"


def _pages_of(pdf: bytes, text: str) -> list[int]:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [i for i, page in enumerate(pages) if text in page.extract_text()]


@pytest.mark.parametrize("children", [0, 4, 6])
def test_bank_section_not_split_over_two_pages(children):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    for rank in range(children):
        Beneficiary.objects.create(
            enrolment=enrolment,
            relationship=Relationship.CHILD,
            civility=Civility.MR,
            first_name=f"Enfant{rank}",
            last_name="Durand",
            birth_date=dt.date(2010, 1, 1) + dt.timedelta(days=400 * rank),
            attached_to_member_nir=True,
        )
    loaded = mf.load_enrolment(enrolment.pk)
    mf.ensure_mandate_reference(loaded)
    pdf = mf.membership_form_pdf(loaded)
    start, end = _pages_of(pdf, BANK_START), _pages_of(pdf, BANK_END)
    assert len(start) == 1 and start == end, (children, start, end)
