"""The dispensation's limits on proofs; the checks themselves are shared
(:mod:`mutuelle.uploads`)."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from mutuelle.uploads import ALLOWED_LABEL, CheckedProof, check_uploads, serve_proof

__all__ = ["ALLOWED_LABEL", "CheckedProof", "check_proofs", "serve_proof"]


def max_proofs() -> int:
    return settings.DISPENSATION_MAX_PROOFS


def max_proof_bytes() -> int:
    return settings.DISPENSATION_PROOF_MAX_BYTES


def check_proofs(uploads: list[UploadedFile], *, already: int) -> list[CheckedProof]:
    return check_uploads(
        uploads, already=already, max_files=max_proofs(), max_bytes=max_proof_bytes()
    )
