"""Letters for employees declared without an e-mail address.

Their identifiers go by post in two separate letters (the seed): the first gives the
login identifier (the member number), the second a provisional password. The account
is created here with that password, flagged so that it must be changed at the first
login. The password exists in clear only inside the second PDF, kept in private
storage for the back office to print — until the back office marks it posted: the file
is then deleted, the record that it was sent stays. Nothing else stores or logs it.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from mutuelle.pdf import render_pdf

from ..enums import PostalLetterKind
from ..models import Enrolment, PostalLetter, ProvisionalPassword
from .postal_login import NO_EMAIL_DOMAIN

# The users table needs a unique address; this reserved domain (RFC 2606) never
# receives mail, and the notification layer never writes to it.
_SPECIALS = "!#$%*+-=?@"
# No look-alike characters (0/O, 1/l/I): the password is typed from paper.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"


def provisional_password(length: int = 12) -> str:
    """Random, with each character class the password rule asks for."""
    alphabet = _LOWER + _UPPER + _DIGITS + _SPECIALS
    chars = [secrets.choice(group) for group in (_LOWER, _UPPER, _DIGITS, _SPECIALS)]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def postal_letters_create(*, enrolment: Enrolment) -> list[PostalLetter]:
    """Create the employee's account (identifier = member number, provisional password
    to change at first login) and the two letters. Idempotent: an enrolment that
    already has its letters gets nothing new."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("employee__company", "contract")
            .get(pk=enrolment.pk)
        )
        existing = list(enrolment.postal_letters.all())
        if existing:
            return existing
        employee = enrolment.employee
        identifier = enrolment.member_number
        user = employee.user
        if user is None:
            user = get_user_model().objects.create(
                username=identifier,
                email=f"{identifier}@{NO_EMAIL_DOMAIN}",
                first_name=employee.first_name,
                last_name=employee.last_name,
            )
            employee.user = user
            employee.save(update_fields=["user", "updated_at"])
        password = provisional_password()
        user.set_password(password)
        user.save(update_fields=["password"])
        ProvisionalPassword.objects.update_or_create(user=user)
        context = {
            "mutuelle": settings.MUTUELLE,
            "site_url": settings.SITE_URL,
            "employee": employee,
            "company": employee.company,
            "enrolment": enrolment,
            "address_lines": [
                f"{employee.get_civility_display()} {employee.full_name}",
                *employee.address_lines(),
            ],
            "identifier": identifier,
            "today": timezone.localdate(),
        }
        letters = []
        for kind, template, extra in (
            (PostalLetterKind.IDENTIFIER, "enrolment/letters/identifier.html", {}),
            (PostalLetterKind.PASSWORD, "enrolment/letters/password.html", {"password": password}),
        ):
            letter = PostalLetter(enrolment=enrolment, kind=kind)
            letter.file.save(
                f"{kind}.pdf", ContentFile(render_pdf(template, context | extra)), save=False
            )
            letter.save()
            letters.append(letter)
        return letters


def postal_letters_mark_posted(*, letter_ids: list[int], by) -> int:
    """Mark letters printed and posted; the provisional-password PDF is deleted from
    storage (after commit), its row kept as the record that it was sent."""
    with transaction.atomic():
        letters = list(
            PostalLetter.objects.select_for_update()
            .filter(pk__in=letter_ids, printed_at__isnull=True)
            .only("pk", "kind", "file")
        )
        PostalLetter.objects.filter(pk__in=[letter.pk for letter in letters]).update(
            printed_at=timezone.now(), printed_by=by
        )
        to_delete = [
            letter.file.name
            for letter in letters
            if letter.kind == PostalLetterKind.PASSWORD and letter.file.name
        ]
        PostalLetter.objects.filter(file__in=to_delete).update(file="")
        storage = PostalLetter._meta.get_field("file").storage
        for name in to_delete:
            transaction.on_commit(lambda name=name: storage.delete(name))
    return len(letters)
