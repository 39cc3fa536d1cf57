"""Item 11 of issue 12: the signed dossier carries the mutuelle's PAdES seal, and
``manage.py verify_dossier FILE`` checks the seal and the SHA-256 of the evidence."""

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from enrolment.signature.seal import FIELD_NAME, dossier_seal, dossier_seal_check
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.VAR_DIR = tmp_path / "var"  # a development certificate of the test's own
    with django_capture_on_commit_callbacks(execute=True):
        evidence = sign(EnrolmentFactory(ready_to_sign=True))
    with default_storage.open(evidence.dossier.name) as handle:
        dossier = handle.read()
    path = tmp_path / "dossier.pdf"
    path.write_bytes(dossier)
    return evidence, dossier, path


def test_the_dossier_is_sealed_with_the_development_certificate(sealed, settings):
    evidence, dossier, _path = sealed
    assert (settings.VAR_DIR / "seal" / "seal-cert.pem").exists()
    assert hashlib.sha256(dossier).hexdigest() == evidence.dossier_sha256
    signatures = PdfFileReader(io.BytesIO(dossier)).embedded_signatures
    assert [s.field_name for s in signatures] == [FIELD_NAME]
    check = dossier_seal_check(dossier)
    assert check.intact and check.trusted and not check.timestamped


def test_verify_dossier_accepts_the_stored_dossier(sealed, capsys):
    evidence, _dossier, path = sealed
    call_command("verify_dossier", str(path))
    out = capsys.readouterr().out
    assert "Dossier conforme" in out and evidence.dossier_sha256 in out


def test_verify_dossier_refuses_a_changed_byte(sealed, tmp_path):
    _evidence, dossier, _path = sealed
    changed = bytearray(dossier)
    position = dossier.index(b"/MediaBox")  # inside the signed byte range
    changed[position + 1] = ord("m")
    path = tmp_path / "modifie.pdf"
    path.write_bytes(bytes(changed))
    with pytest.raises(CommandError, match="NON conforme"):
        call_command("verify_dossier", str(path))


def test_verify_dossier_refuses_an_appended_revision(sealed, tmp_path):
    """A valid incremental update keeps the signed bytes but changes the document."""
    _evidence, dossier, _path = sealed
    writer = IncrementalPdfFileWriter(io.BytesIO(dossier))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "ajout.pdf"
    path.write_bytes(out.getvalue())
    assert not dossier_seal_check(out.getvalue()).intact
    with pytest.raises(CommandError, match="sceau absent, rompu ou document modifié"):
        call_command("verify_dossier", str(path))


def test_verify_dossier_refuses_a_sealed_file_without_evidence(sealed, tmp_path):
    evidence, _dossier, path = sealed
    evidence.__class__.objects.filter(pk=evidence.pk).update(dossier_sha256="0" * 64)
    with pytest.raises(CommandError, match="absente des preuves"):
        call_command("verify_dossier", str(path))


def test_sealing_works_from_a_thread_running_an_event_loop(settings, tmp_path):
    """A browser test's thread (Playwright) runs an event loop: pyHanko's asyncio.run
    must not be called from it directly."""
    import asyncio

    from weasyprint import HTML

    settings.VAR_DIR = tmp_path / "var"
    pdf = HTML(string="<html lang='fr'><body><p>Dossier signé.</p></body></html>").write_pdf()

    async def inside_a_loop():
        sealed = dossier_seal(pdf)
        return sealed, dossier_seal_check(sealed)

    _sealed, check = asyncio.run(inside_a_loop())
    assert check.intact
