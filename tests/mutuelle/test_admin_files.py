"""The back office's private files go through one mixin (mutuelle.admin_files): each
download is registered once, answers 404 for a row or a file that is not there, 403 to
staff who may not view its object, and is never cached."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from enrolment.enums import PostalLetterKind
from enrolment.models import PostalLetter
from mutuelle.admin_files import PrivateFilesAdminMixin
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db


def specs():
    for model_admin in admin.site._registry.values():
        if isinstance(model_admin, PrivateFilesAdminMixin):
            yield from model_admin.private_files


def test_every_admin_download_is_a_private_file_registered_once():
    names = [spec.url_name for spec in specs()]
    assert sorted(names) == [
        "benefits_paymentbatch_download",
        "benefits_settlementimport_rejection",
        "contributions_debitbatch_download",
        "conversations_attachment",
        "dispensations_dispensation_proof",
        "enrolment_postalletter_download",
        "enrolment_signatureevidence_file",
        "member_requests_memberrequest_document",
    ]


@pytest.mark.parametrize("spec", list(specs()), ids=lambda spec: spec.url_name)
def test_a_missing_row_is_a_404(client, spec):
    client.force_login(UserFactory(staff=True, is_superuser=True))
    kwargs = {"pk": 999_999}
    if "<int:owner_id>" in spec.route:
        kwargs["owner_id"] = 999_999
    if "<str:kind>" in spec.route:
        kwargs["kind"] = "dossier"
    assert client.get(reverse(f"admin:{spec.url_name}", kwargs=kwargs)).status_code == 404


@pytest.fixture
def letter():
    letter = PostalLetter(enrolment=EnrolmentFactory(), kind=PostalLetterKind.IDENTIFIER)
    letter.file.save("identifiant.pdf", ContentFile(b"%PDF-1.7 lettre"), save=True)
    return letter


def test_staff_allowed_to_view_get_the_file_never_cached(client, letter):
    staff = UserFactory(staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_postalletter"))
    client.force_login(staff)
    response = client.get(reverse("admin:enrolment_postalletter_download", args=[letter.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 lettre"
    assert "private, no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert f"courrier-{letter.enrolment.member_number}-" in response["Content-Disposition"]


def test_staff_without_the_view_permission_get_a_403(client, letter):
    client.force_login(UserFactory(staff=True))
    response = client.get(reverse("admin:enrolment_postalletter_download", args=[letter.pk]))
    assert response.status_code == 403


def test_a_deleted_file_is_a_404(client, letter):
    letter.file.delete(save=True)
    client.force_login(UserFactory(staff=True, is_superuser=True))
    response = client.get(reverse("admin:enrolment_postalletter_download", args=[letter.pk]))
    assert response.status_code == 404
