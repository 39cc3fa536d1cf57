"""Proofs kept across a form shown again with an error.

A proof that passed its checks while another field of the form had an error is kept in
the private storage (its checked content: a PDF as sent, an image re-encoded) and listed
in the session under the form's scope. The form shown again lists it with a ticked box;
the next submission sends it with any new file, and the service checks everything
again. Only the session knows where a kept file is stored: the page posts back an
opaque token, so nobody can name another person's file.
"""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from dispensations.files import check_proofs

SESSION_KEY = "staged-proofs"
STORAGE_PREFIX = "staged-proofs"
FIELD = "kept_proofs"


def _entries(request, scope: str) -> list[dict]:
    return request.session.get(SESSION_KEY, {}).get(scope, [])


def _save(request, scope: str, entries: list[dict]) -> None:
    staged = request.session.get(SESSION_KEY, {})
    if entries:
        staged[scope] = entries
    else:
        staged.pop(scope, None)
    request.session[SESSION_KEY] = staged


def staged_kept(request, scope: str) -> list[dict]:
    """The kept proofs still ticked in the submitted form; the others are deleted."""
    ticked = set(request.POST.getlist(FIELD))
    kept, dropped = [], []
    for entry in _entries(request, scope):
        (kept if entry["token"] in ticked else dropped).append(entry)
    for entry in dropped:
        default_storage.delete(entry["name"])
    _save(request, scope, kept)
    return kept


def staged_add(request, scope: str, uploads: list) -> list[dict]:
    """Keep ``uploads`` (already checked by the form) for the next submission."""
    entries = _entries(request, scope)
    for proof in check_proofs(uploads, already=0):
        name = default_storage.save(f"{STORAGE_PREFIX}/{proof.storage_name}", proof.upload)
        entries.append(
            {
                "token": uuid.uuid4().hex,
                "name": name,
                "original_name": proof.original_name,
                "size": proof.size,
            }
        )
    _save(request, scope, entries)
    return entries


def staged_files(entries: list[dict]) -> list[ContentFile]:
    """The kept proofs as files to hand to the service with the new ones."""
    files = []
    for entry in entries:
        with default_storage.open(entry["name"], "rb") as handle:
            files.append(ContentFile(handle.read(), name=entry["original_name"]))
    return files


def staged_clear(request, scope: str) -> None:
    for entry in _entries(request, scope):
        default_storage.delete(entry["name"])
    _save(request, scope, [])
