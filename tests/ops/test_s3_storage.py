"""Private files on an S3-compatible bucket (moto's server on 127.0.0.1), configured by
the environment variables of production; and no product code reaching a private file by
a filesystem path (which a bucket does not have).

The rest of the suite runs against the bucket too with ``TEST_PRIVATE_STORAGE=s3``.
"""

import ast
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from storages.backends.s3 import S3Storage

from tests.conftest import S3_BUCKET, S3_REGION
from tests.dispensations.factories import employee_enrolment, pdf_bytes, submit
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import sign
from tests.mutuelle.factories import CorrespondentAccessFactory, OfferFactory, UserFactory

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = [
    path.parent
    for path in BASE_DIR.glob("*/apps.py")
    if not path.parent.name.startswith(".") and path.parent.name != "tests"
]


def bucket_keys(environment) -> set[str]:
    client = boto3.client(
        "s3",
        endpoint_url=environment["S3_ENDPOINT_URL"],
        region_name=S3_REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    listed = client.list_objects_v2(Bucket=S3_BUCKET, Prefix=environment["S3_PREFIX"] + "/")
    prefix = len(environment["S3_PREFIX"]) + 1
    return {item["Key"][prefix:] for item in listed.get("Contents", [])}


def test_the_environment_switches_private_files_to_the_bucket(s3_private_storage):
    default_storage.exists("x")  # resolve the lazy storage
    storage = default_storage._wrapped
    assert isinstance(storage, S3Storage)
    assert storage.bucket_name == S3_BUCKET
    assert storage.endpoint_url == s3_private_storage["S3_ENDPOINT_URL"]
    assert storage.default_acl == "private" and storage.file_overwrite is False
    name = default_storage.save("essai/a.txt", ContentFile(b"un"))
    second = default_storage.save("essai/a.txt", ContentFile(b"deux"))
    assert name == "essai/a.txt" and second != name  # never overwritten
    assert bucket_keys(s3_private_storage) == {name, second}
    with default_storage.open(second) as handle:
        assert handle.read() == b"deux"


def test_health_check_writes_reads_and_deletes_in_the_bucket(client, s3_private_storage):
    response = client.get("/sante/?format=json")
    assert response.json()["Storage(alias='default')"] == "OK"
    assert bucket_keys(s3_private_storage) == set()  # its probe file is gone


def test_signed_dossier_is_written_to_the_bucket_and_served_to_its_owner_only(
    client, s3_private_storage, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    with django_capture_on_commit_callbacks(execute=True):
        evidence = sign(enrolment)
    assert {evidence.document.name, evidence.dossier.name} <= bucket_keys(s3_private_storage)
    url = reverse("member_portal:signature_dossier", args=[enrolment.pk])
    client.force_login(enrolment.employee.user)
    response = client.get(url)
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    response.close()
    with evidence.dossier.open("rb") as handle:
        assert served == handle.read() and served.startswith(b"%PDF")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_dispensation_proof_goes_to_the_bucket_and_back_to_its_employee_only(
    client, s3_private_storage
):
    enrolment = employee_enrolment()
    dispensation = submit(enrolment)
    proof = dispensation.proofs.get()
    assert proof.file.name in bucket_keys(s3_private_storage)
    url = reverse("member_portal:dispensation_proof", args=[dispensation.pk, proof.pk])
    client.force_login(enrolment.employee.user)
    response = client.get(url)
    assert b"".join(response.streaming_content) == pdf_bytes()
    response.close()
    client.force_login(CorrespondentAccessFactory(company=enrolment.employee.company).user)
    assert client.get(url).status_code == 404


def test_guarantee_table_is_read_from_the_bucket(client, s3_private_storage):
    access = CorrespondentAccessFactory()
    offer = OfferFactory(group__contract__company=access.company)
    offer.guarantee_table.save("grille.pdf", ContentFile(b"%PDF-1.7 grille"), save=True)
    assert offer.guarantee_table.name in bucket_keys(s3_private_storage)
    client.force_login(access.user)
    response = client.get(
        reverse("employer_portal:guarantee_table", args=[access.company.pk, offer.pk])
    )
    assert b"".join(response.streaming_content) == b"%PDF-1.7 grille"
    response.close()


def _filesystem_uses(source: str) -> list[str]:
    """``x.path`` (other than ``request.path``), ``.temporary_file_path()`` and the
    private folder's setting: all would assume a local disk."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            owner = ast.unparse(node.value)
            if node.attr == "path" and "request" not in owner and owner != "os":
                found.append(ast.unparse(node))
            if node.attr in {"temporary_file_path", "PRIVATE_MEDIA_ROOT"}:
                found.append(ast.unparse(node))
    return found


def test_no_product_code_reaches_a_private_file_by_a_filesystem_path():
    assert len(PRODUCT_PACKAGES) >= 5
    offenders = {}
    for package in PRODUCT_PACKAGES:
        for path in package.rglob("*.py"):
            if "migrations" in path.parts or path.name == "settings.py":
                continue
            uses = _filesystem_uses(path.read_text())
            if uses:
                offenders[str(path.relative_to(BASE_DIR))] = uses
    assert not offenders, offenders


def test_the_scan_finds_what_it_looks_for():
    assert _filesystem_uses("open(job.rejection_file.path)") == ["job.rejection_file.path"]
    assert _filesystem_uses("settings.PRIVATE_MEDIA_ROOT / 'x'") == ["settings.PRIVATE_MEDIA_ROOT"]
    assert _filesystem_uses("if request.path == '/': os.path.join('a')") == []
