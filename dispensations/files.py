"""Checks on uploaded proofs: type read from the content, sanitised names, limits."""

import os
import unicodedata
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename

# Detected MIME type → the extension the stored file gets.
ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
ALLOWED_LABEL = "PDF, JPEG ou PNG"


def max_proofs() -> int:
    return settings.DISPENSATION_MAX_PROOFS


def max_proof_bytes() -> int:
    return settings.DISPENSATION_PROOF_MAX_BYTES


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


class CheckedProof:
    """An upload that passed the checks, with what will be stored about it."""

    def __init__(self, upload: UploadedFile, content_type: str):
        self.upload = upload
        self.content_type = content_type
        self.extension = ALLOWED_TYPES[content_type]
        self.original_name = sanitize_name(upload.name or "", extension=self.extension)
        self.size = upload.size
        self.storage_name = f"{uuid.uuid4().hex}.{self.extension}"


def check_proofs(uploads: list[UploadedFile], *, already: int) -> list[CheckedProof]:
    """Every file checked; raises one ValidationError on ``proofs`` listing the problems."""
    errors: list[str] = []
    limit = max_proofs()
    if already + len(uploads) > limit:
        remaining = max(0, limit - already)
        errors.append(
            f"Vous ne pouvez joindre que {limit} fichiers au total "
            f"(encore {remaining} pour cette demande)."
        )
    checked = []
    for upload in uploads:
        name = os.path.basename(upload.name or "fichier")
        if upload.size > max_proof_bytes():
            errors.append(
                f"« {name} » dépasse la taille maximale de {filesizeformat(max_proof_bytes())}."
            )
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
        checked.append(CheckedProof(upload, content_type))
    if errors:
        raise ValidationError({"proofs": errors})
    return checked


def serve_proof(proof) -> FileResponse:
    """The stored file, shown inline with the type detected at upload."""
    response = FileResponse(
        proof.file.open("rb"),
        content_type=proof.content_type,
        as_attachment=False,
        filename=proof.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
