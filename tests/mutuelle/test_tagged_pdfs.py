"""Issue 15 item 1 (RGAA 13.3): every PDF the portal makes is a tagged PDF/UA-1 with a
structure tree, ``/MarkInfo``, a language and a title, the signed dossier included (and
its PAdES seal still intact after the tagging)."""

import datetime as dt
import io

import pikepdf
import pytest

from contributions.services import schedule_pdf
from enrolment.enums import EnrolmentStatus, PostalLetterKind
from enrolment.models import Enrolment
from enrolment.services.card import member_card_issue
from enrolment.services.guarantee_table import guarantee_table_pdf
from enrolment.services.member_documents import (
    member_attestation_issue,
    member_welcome_letter_add,
)
from enrolment.services.postal_letters import postal_letters_create
from enrolment.signature.membership_form import membership_form_pdf
from enrolment.signature.seal import dossier_seal_check
from member_requests.bank import initial_mandate, mandate_pdf
from mutuelle.pdf import UntitledDocument, render_pdf
from tests.contributions.factories import member_with_instalments
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import sign

pytestmark = pytest.mark.django_db


def assert_tagged(pdf: bytes, title: str) -> None:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        assert "/StructTreeRoot" in root, "pas d'arbre de structure"
        assert "/K" in root.StructTreeRoot, "arbre de structure vide"
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "fr"
        assert title in str(document.docinfo["/Title"])
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert "pdfuaid" in str(document.open_metadata())


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


@pytest.fixture
def member():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.save()
    return Enrolment.objects.get(pk=enrolment.pk)


def test_membership_form_is_tagged():
    enrolment = Enrolment.objects.get(pk=EnrolmentFactory(ready_to_sign=True).pk)
    assert_tagged(membership_form_pdf(enrolment), "Bulletin d'adhésion n°")


def test_signed_dossier_is_tagged_and_its_seal_stays_valid(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path / "var"
    with django_capture_on_commit_callbacks(execute=True):
        evidence = sign(EnrolmentFactory(ready_to_sign=True))
    dossier = stored(evidence.dossier)
    assert_tagged(dossier, "Dossier d'adhésion signé n°")
    assert_tagged(stored(evidence.document), "Bulletin d'adhésion n°")
    check = dossier_seal_check(dossier)
    assert check.intact and check.trusted


def test_guarantee_table_card_attestation_and_welcome_letter_are_tagged(member):
    assert_tagged(guarantee_table_pdf(member.offer), "Tableau de garanties")
    card = member_card_issue(enrolment=member, reason="test")
    assert_tagged(stored(card.document.file), "Carte mutualiste n°")
    attestation = member_attestation_issue(enrolment=member, today=dt.date(2026, 11, 30))
    assert_tagged(stored(attestation.file), "Attestation d'appartenance")
    assert_tagged(stored(member_welcome_letter_add(enrolment=member).file), "Bienvenue")


def test_postal_letters_are_tagged(member):
    titles = {
        PostalLetterKind.IDENTIFIER: "Votre identifiant",
        PostalLetterKind.PASSWORD: "Votre mot de passe",
    }
    letters = postal_letters_create(enrolment=member)
    assert letters
    for letter in letters:
        assert_tagged(stored(letter.file), titles[letter.kind])


def test_schedule_and_mandate_are_tagged():
    enrolment = member_with_instalments()
    assert_tagged(schedule_pdf(enrolment, 2026), "Échéancier de cotisations 2026")
    mandate = initial_mandate(enrolment)
    assert_tagged(mandate_pdf(mandate), "Mandat de prélèvement SEPA")


def test_a_template_without_title_or_language_is_refused(tmp_path, settings):
    import copy

    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    (tmp_path / "untitled.html").write_text("<html lang='fr'><body><p>x</p></body></html>")
    (tmp_path / "nolang.html").write_text("<html><head><title>T</title></head><body></body></html>")
    for name in ("untitled.html", "nolang.html"):
        with pytest.raises(UntitledDocument):
            render_pdf(name, {})
