import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benefits.enums import ImportStatus
from benefits.models import HealthDataAccess, ReimbursementLine, SettlementImport
from benefits.settlement_files import build_csv
from mutuelle.roles import GESTIONNAIRE
from tests.benefits.factories import covered_member, settlement
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gestionnaire(client):
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    return user


def test_upload_runs_the_import_as_a_background_job(
    client, gestionnaire, django_capture_on_commit_callbacks
):
    member = covered_member()
    content = build_csv([settlement(member), settlement(member, numero_adherent="12")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:benefits_settlementimport_add"),
            {"upload": SimpleUploadedFile("decomptes.csv", content, "text/csv")},
        )
    job = SettlementImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:benefits_settlementimport_change", args=[job.pk])
    assert job.status == ImportStatus.DONE
    assert (job.imported_count, job.rejected_count) == (1, 1)
    assert job.created_by == gestionnaire
    page = client.get(response.url).text
    assert 'value="100"' in page
    assert 'http-equiv="refresh"' not in page
    rejection = client.get(reverse("admin:benefits_settlementimport_rejection", args=[job.pk]))
    assert b"Num\xc3\xa9ro d'adh\xc3\xa9rent inconnu" in b"".join(rejection.streaming_content)


def test_pending_import_page_refreshes_itself(client, gestionnaire):
    job = SettlementImport.objects.create(original_name="x.csv", total_rows=10, processed_rows=4)
    page = client.get(reverse("admin:benefits_settlementimport_change", args=[job.pk])).text
    assert 'http-equiv="refresh"' in page
    assert 'value="40"' in page


def test_binary_upload_is_refused(client, gestionnaire):
    response = client.post(
        reverse("admin:benefits_settlementimport_add"),
        {"upload": SimpleUploadedFile("x.csv", b"%PDF-1.4\x00\x01", "text/csv")},
    )
    assert response.status_code == 200
    assert "pas un fichier texte CSV" in response.text
    assert not SettlementImport.objects.exists()


def test_reading_lines_is_logged_and_the_log_is_for_superusers_only(client, gestionnaire):
    from benefits.services.settlements import settlement_import_create, settlement_import_run

    member, other = covered_member(), covered_member()
    job = settlement_import_create(
        content=build_csv([settlement(member), settlement(other)]), filename="f.csv"
    )
    settlement_import_run(settlement_import=job)
    url = reverse("admin:benefits_reimbursementline_changelist")
    assert "Dr Anne Morel" not in client.get(url).text  # nothing without a member number
    assert not HealthDataAccess.objects.exists()
    page = client.get(url, {"q": member.member_number})
    assert page.status_code == 200
    assert list(HealthDataAccess.objects.values_list("user", "enrolment")) == [
        (gestionnaire.pk, member.pk)
    ]
    line = ReimbursementLine.objects.get(enrolment=other)
    detail = client.get(reverse("admin:benefits_reimbursementline_change", args=[line.pk]))
    assert "Remboursement de la mutuelle : 9,00" in detail.text
    assert HealthDataAccess.objects.filter(enrolment=other, user=gestionnaire).count() == 1
    log_url = reverse("admin:benefits_healthdataaccess_changelist")
    assert client.get(log_url).status_code == 403
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get(log_url).status_code == 200
