import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from enrolment.enums import EnrolmentStatus

pytestmark = pytest.mark.django_db


def test_documents_list_and_guarantee_download(hr, company, offer, django_assert_max_num_queries):
    offer.guarantee_table.save("t.pdf", ContentFile(b"%PDF-1.4 tableau"))
    with django_assert_max_num_queries(10):
        response = hr.get(reverse("employer_portal:documents", args=[company.pk]))
    assert "Afficher les garanties" in response.content.decode()
    download = hr.get(reverse("employer_portal:guarantee_table", args=[company.pk, offer.pk]))
    assert download.status_code == 200
    # « Afficher »: the browser shows it instead of downloading it.
    assert download["Content-Disposition"].startswith("inline;")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    download.close()


def test_guarantee_without_file_is_404(hr, company, offer):
    assert (
        hr.get(reverse("employer_portal:guarantee_table", args=[company.pk, offer.pk])).status_code
        == 404
    )


def test_certificate_lists_active_employees_only(hr, company, make_enrolment):
    make_enrolment(employee__last_name="Actif", status=EnrolmentStatus.ACTIVE)
    make_enrolment(employee__last_name="Attente", invited=True)
    response = hr.get(reverse("employer_portal:affiliation_certificate", args=[company.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "ACTIF" in text and "ATTENTE" not in text
    assert company.legal_name in text
