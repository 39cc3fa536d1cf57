"""Item 7 of issue 12: proof files — PDFs with active content refused, a ``%PDF-``
file holding HTML refused, images re-encoded (what trails a JPEG is dropped), every
stored file served sandboxed and ``nosniff``."""

import io

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.test import RequestFactory
from PIL import Image

from mutuelle.security_headers import SecurityHeadersMiddleware
from mutuelle.uploads import check_uploads
from tests.dispensations.factories import jpeg_bytes, pdf_bytes, png_bytes


def check(name: str, data: bytes):
    return check_uploads(
        [SimpleUploadedFile(name, data)], already=0, max_files=5, max_bytes=5 * 1024 * 1024
    )


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as excinfo:
        check(name, data)
    return excinfo.value.message_dict["proofs"][0]


def pdf_with(setup) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    setup(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def open_action_javascript(pdf):
    pdf.Root.OpenAction = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )


def launch_on_page_open(pdf):
    pdf.pages[0].obj.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
    )


def embedded_file(pdf):
    pdf.attachments["note.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ...")


@pytest.mark.parametrize("setup", [open_action_javascript, launch_on_page_open, embedded_file])
def test_pdfs_with_active_content_are_refused(setup):
    message = refusal("attestation.pdf", pdf_with(setup))
    assert message.startswith("« attestation.pdf » contient du contenu actif")


def test_a_hex_escaped_javascript_action_is_found_too():
    """``/J#61vaScript`` is ``/JavaScript``: a byte search would miss it, pikepdf not."""
    data = pdf_with(lambda pdf: None).replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction 9 0 R"
    )
    data = data.replace(
        b"trailer", b"9 0 obj\n<< /S /J#61vaScript /JS (app.alert\\(1\\)) >>\nendobj\ntrailer", 1
    )
    assert b"/JavaScript" not in data
    assert "contient du contenu actif" in refusal("a.pdf", data)


def test_a_pdf_header_holding_html_is_refused():
    data = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>"
    assert "contient du code HTML" in refusal("a.pdf", data)


def test_a_plain_pdf_is_kept_as_is():
    data = pdf_with(lambda pdf: None)
    [proof] = check("attestation.pdf", data)
    assert proof.upload.read() == data
    [proof] = check("attestation.pdf", pdf_bytes())
    assert proof.content_type == "application/pdf"


def test_a_jpeg_followed_by_html_is_stored_re_encoded():
    data = jpeg_bytes() + b"<html><script>alert(1)</script></html>"
    [proof] = check("carte.jpg", data)
    stored = proof.upload.read()
    assert b"<html" not in stored and b"<script" not in stored
    assert stored.startswith(b"\xff\xd8") and proof.size == len(stored)
    assert Image.open(io.BytesIO(stored)).size == (8, 8)


def test_a_png_is_re_encoded_and_a_broken_image_refused():
    [proof] = check("carte.png", png_bytes())
    assert proof.upload.read().startswith(b"\x89PNG")
    broken = jpeg_bytes()[:40]
    assert "image illisible" in refusal("carte.jpg", broken)


def test_every_stored_file_is_served_sandboxed_and_nosniff():
    def serve(request):
        return FileResponse(io.BytesIO(b"%PDF-1.4"), content_type="application/pdf")

    response = SecurityHeadersMiddleware(serve)(RequestFactory().get("/fichier/"))
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
