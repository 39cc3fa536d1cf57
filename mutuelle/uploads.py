"""Checks on uploaded proofs and documents, shared by every request that takes files
(dispensations, member requests): type read from the content with ``filetype``,
sanitised names, count and size limits, private serving, and files removed again when
the operation that stored them fails."""

import os
import unicodedata
import uuid

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.utils.text import get_valid_filename

from .french import file_size
from .upload_content import UnsafeContent, image_reencode, pdf_check

# Detected MIME type → the extension the stored file gets.
ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
ALLOWED_LABEL = "PDF, JPEG ou PNG"


def sanitize_name(name: str, *, extension: str) -> str:
    """A display name without path, control characters or odd punctuation, with the
    extension of the detected type (a PNG named « .pdf » is shown as a PNG)."""
    base = os.path.basename(name.replace("\\", "/"))
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = os.path.splitext(base)[0].strip(" .") or "justificatif"
    try:
        stem = get_valid_filename(stem)
    except Exception:  # get_valid_filename refuses names made only of dots
        stem = "justificatif"
    return f"{stem[:90]}.{extension}"


def detect_type(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        return None
    return kind.mime


IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


class CheckedProof:
    """An upload that passed the checks, with what will be stored about it: the
    re-encoded image for a photo or scan, the file itself for a PDF."""

    def __init__(self, upload: UploadedFile, content_type: str, content: bytes):
        self.content_type = content_type
        self.extension = ALLOWED_TYPES[content_type]
        self.original_name = sanitize_name(upload.name or "", extension=self.extension)
        self.upload = ContentFile(content, name=self.original_name)
        self.size = len(content)
        self.storage_name = f"{uuid.uuid4().hex}.{self.extension}"


def checked_content(upload: UploadedFile, content_type: str) -> bytes:
    """What will be stored, or :class:`UnsafeContent`."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if content_type == "application/pdf":
        pdf_check(data)
        return data
    return image_reencode(data, fmt=IMAGE_FORMATS[content_type])


def check_uploads(
    uploads: list[UploadedFile],
    *,
    already: int,
    max_files: int,
    max_bytes: int,
    field: str = "proofs",
) -> list[CheckedProof]:
    """Every file checked; raises one ValidationError on ``field`` listing the problems."""
    errors: list[str] = []
    if already + len(uploads) > max_files:
        remaining = max(0, max_files - already)
        errors.append(
            f"Vous ne pouvez joindre que {max_files} fichiers au total "
            f"(encore {remaining} pour cette demande)."
        )
    checked = []
    for upload in uploads:
        name = os.path.basename(upload.name or "fichier")
        if upload.size > max_bytes:
            errors.append(f"« {name} » dépasse la taille maximale de {file_size(max_bytes)}.")
            continue
        if upload.size == 0:
            errors.append(f"« {name} » est vide.")
            continue
        content_type = detect_type(upload)
        if content_type is None:
            errors.append(
                f"« {name} » n'est pas un fichier {ALLOWED_LABEL} (son contenu a été vérifié)."
            )
            continue
        try:
            content = checked_content(upload, content_type)
        except UnsafeContent as exc:
            errors.append(f"« {name} » {exc}.")
            continue
        checked.append(CheckedProof(upload, content_type, content))
    if errors:
        raise ValidationError({field: errors})
    return checked


def run_with_files(operation):
    """Run ``operation(stored)`` atomically; the private files it stored (names appended
    to ``stored``) are removed if it fails, so a failed upload leaves nothing behind."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            return operation(stored)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def private_file_response(
    handle, *, filename: str, content_type: str, as_attachment: bool
) -> FileResponse:
    """A private stored file, for its owner or the back office only: never cached."""
    response = FileResponse(
        handle, content_type=content_type, as_attachment=as_attachment, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    return response


def serve_proof(proof) -> FileResponse:
    """The stored file, shown inline with the type detected at upload."""
    return private_file_response(
        proof.file.open("rb"),
        filename=proof.original_name,
        content_type=proof.content_type,
        as_attachment=False,
    )


def serve_pdf(handle, *, filename: str) -> FileResponse:
    """A stored PDF of the portal (a notice, a letter), shown inline, never cached."""
    return private_file_response(
        handle, filename=filename, content_type="application/pdf", as_attachment=False
    )


DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def validate_pdf_document(upload: UploadedFile) -> None:
    """A document the back office attaches for members (a notice d'information): a
    real PDF by its content, without active content, of at most 10 Mo."""
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            f"Le fichier dépasse la taille maximale de {file_size(DOCUMENT_MAX_BYTES)}."
        )
    if detect_type(upload) != "application/pdf":
        raise ValidationError("Le fichier n'est pas un PDF.")
    try:
        checked_content(upload, "application/pdf")
    except UnsafeContent as refusal:
        raise ValidationError(f"Ce PDF {refusal}.") from refusal
