import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from dispensations.enums import DispensationStatus as D
from dispensations.models import Dispensation, DispensationProof
from dispensations.services import (
    dispensation_accept,
    dispensation_ask_complement,
    dispensation_complete,
    dispensation_refuse,
    dispensation_withdraw,
)
from enrolment.enums import EnrolmentStatus as E
from enrolment.enums import RequestStatus as R
from enrolment.enums import RequestType
from enrolment.exceptions import InvalidTransition
from enrolment.models import Request
from enrolment.services.invitation import (
    enrolment_remind,
    enrolments_expire_due,
    reminders_send_due,
)
from mutuelle.models import OutboxMessage

from ..mutuelle.factories import UserFactory
from .factories import employee_enrolment, exe_bytes, pdf_bytes, pdf_upload, png_bytes, submit

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    try:
        return default_storage.listdir("dispensations/justificatifs")[1]
    except FileNotFoundError:
        return []


def affiliation(enrolment) -> Request:
    return enrolment.requests.get(type=RequestType.AFFILIATION)


def complete(dispensation, files=None, **kw):
    return dispensation_complete(
        dispensation=dispensation,
        by=dispensation.enrolment.employee.user,
        files=[pdf_upload("attestation employeur.pdf")] if files is None else files,
        payroll_id=kw.get("payroll_id", dispensation.payroll_id),
        hire_date=dispensation.hire_date,
        end_date=dispensation.end_date,
        insurer_name=dispensation.insurer_name,
    )


def test_submit_creates_request_history_enrolment_state_and_one_email(
    django_capture_on_commit_callbacks,
):
    enrolment = employee_enrolment()
    with django_capture_on_commit_callbacks(execute=True):
        dispensation = submit(enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == E.DISPENSATION_REQUESTED
    assert affiliation(enrolment).status == R.PROCESSING
    request = dispensation.request
    assert (request.type, request.status, request.enrolment) == (
        RequestType.DISPENSATION,
        R.PROCESSING,
        enrolment,
    )
    employee = enrolment.employee
    assert [e.label for e in request.events.all()] == [
        f"Dispense demandée par l'assuré {employee.first_name} {employee.last_name.upper()}"
    ]
    proof = dispensation.proofs.get()
    assert proof.original_name == "Attestation_Mutuelle.pdf"
    assert proof.content_type == "application/pdf"
    assert proof.file.name.startswith("dispensations/justificatifs/")
    assert "Attestation" not in proof.file.name
    message = OutboxMessage.objects.get()
    assert message.key == f"dispensation-received:{dispensation.pk}"
    assert message.recipient == enrolment.employee.user.email
    assert f"Dispense N°{dispensation.number}" in message.body_text
    assert "Ayant droit du régime de l'employeur du conjoint" in message.body_text
    assert message.status == "sent"


def test_a_second_open_request_is_refused():
    enrolment = employee_enrolment()
    submit(enrolment)
    with pytest.raises(ValidationError):
        submit(enrolment)
    assert Dispensation.objects.count() == 1


def test_dispensation_request_suspends_invitation_reminders():
    enrolment = employee_enrolment()
    submit(enrolment)
    enrolment.refresh_from_db()
    enrolment_remind(enrolment=enrolment, by=None, key=f"reminder:{enrolment.pk}:7")
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        assert reminders_send_due() == 0
        # Nor does the 60-day expiry close an enrolment waiting for the back office.
        with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
            assert enrolments_expire_due() == 0
    assert not OutboxMessage.objects.filter(key__startswith="reminder:").exists()
    enrolment.refresh_from_db()
    assert enrolment.status == E.DISPENSATION_REQUESTED


def test_complement_then_complete_then_accept(django_capture_on_commit_callbacks):
    enrolment = employee_enrolment()
    staff = UserFactory(staff=True)
    dispensation = submit(enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        dispensation_ask_complement(
            dispensation=dispensation, by=staff, message="manque attestation employeur"
        )
    dispensation.refresh_from_db()
    assert dispensation.status == D.AWAITING_COMPLEMENT
    assert dispensation.back_office_message == "manque attestation employeur"
    assert dispensation.request.status == R.PROCESSING  # the employer sees no change
    event = dispensation.request.events.last()
    assert (event.actor, event.note, event.visible_to_employer) == (
        staff,
        "manque attestation employeur",
        False,
    )
    complement_mail = OutboxMessage.objects.get(key__startswith="dispensation-complement:")
    assert "manque attestation employeur" in complement_mail.body_text
    assert f"/adherent/dispense/{dispensation.pk}/completer/" in complement_mail.body_text

    complete(dispensation)
    dispensation.refresh_from_db()
    assert dispensation.status == D.SUBMITTED
    assert dispensation.proofs.count() == 2
    assert dispensation.request.events.last().label == "Demande complétée par le salarié"

    with django_capture_on_commit_callbacks(execute=True):
        dispensation_accept(dispensation=dispensation, by=staff)
    dispensation.refresh_from_db()
    enrolment.refresh_from_db()
    assert dispensation.status == D.ACCEPTED
    assert dispensation.decided_by == staff
    assert dispensation.rejustify_by is not None  # spouse's employer: yearly
    assert enrolment.status == E.DISPENSED
    assert enrolment.employee_status == "dispensed"
    assert affiliation(enrolment).status == R.CLOSED
    assert dispensation.request.status == R.CLOSED
    assert OutboxMessage.objects.filter(key=f"dispensation-accepted:{dispensation.pk}").count() == 1
    with pytest.raises(InvalidTransition):
        dispensation_accept(dispensation=dispensation, by=staff)
    assert OutboxMessage.objects.filter(key__startswith="dispensation-accepted").count() == 1
    employer_labels = list(
        dispensation.request.events.filter(visible_to_employer=True).values_list("label", flat=True)
    )
    assert employer_labels == [
        f"Dispense demandée par l'assuré {dispensation.enrolment.employee.full_name}",
        "Traitée : dispense validée, dossier d'adhésion clôturé",
    ]


def test_each_complement_request_sends_its_own_email_once():
    dispensation = submit(employee_enrolment())
    staff = UserFactory(staff=True)
    dispensation_ask_complement(dispensation=dispensation, by=staff, message="Carte illisible")
    with pytest.raises(InvalidTransition):
        dispensation_ask_complement(dispensation=dispensation, by=staff, message="Encore")
    complete(dispensation)
    dispensation_ask_complement(dispensation=dispensation, by=staff, message="Carte expirée")
    assert OutboxMessage.objects.filter(key__startswith="dispensation-complement:").count() == 2


def test_complement_message_and_refusal_reason_are_required():
    dispensation = submit(employee_enrolment())
    staff = UserFactory(staff=True)
    with pytest.raises(ValidationError):
        dispensation_ask_complement(dispensation=dispensation, by=staff, message="  ")
    with pytest.raises(ValidationError):
        dispensation_refuse(dispensation=dispensation, by=staff, reason="")
    dispensation.refresh_from_db()
    assert dispensation.status == D.SUBMITTED


def test_complete_without_any_change_is_refused():
    dispensation = submit(employee_enrolment())
    dispensation_ask_complement(
        dispensation=dispensation, by=UserFactory(staff=True), message="Pièce manquante"
    )
    with pytest.raises(ValidationError) as error:
        complete(dispensation, files=[])
    assert "proofs" in error.value.message_dict
    # Fixing a field is a complement too.
    complete(dispensation, files=[], payroll_id="M-2048")
    dispensation.refresh_from_db()
    assert (dispensation.status, dispensation.payroll_id) == (D.SUBMITTED, "M-2048")


def test_refuse_reinvites_the_employee(django_capture_on_commit_callbacks):
    enrolment = employee_enrolment()
    dispensation = submit(enrolment)
    staff = UserFactory(staff=True)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=50), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispensation_refuse(
            dispensation=dispensation, by=staff, reason="Attestation de l'employeur périmée"
        )
        now = timezone.now()
    dispensation.refresh_from_db()
    enrolment.refresh_from_db()
    assert dispensation.status == D.REFUSED
    assert dispensation.request.status == R.CANCELLED
    assert enrolment.status == E.INVITED
    assert affiliation(enrolment).status == R.WAITING
    # A fresh 60-day clock from the refusal, automatic reminders start again.
    assert enrolment.expires_at == now + dt.timedelta(days=60)
    assert enrolment.last_auto_reminder_day == 0
    message = OutboxMessage.objects.get(key=f"dispensation-refused:{dispensation.pk}")
    assert message.recipient == enrolment.employee.user.email
    assert "Attestation de l'employeur périmée" in message.body_text
    assert "/compte/login/" in message.body_text  # the account exists: log in to enrol
    # The reason is history for the employee and the back office, not the employer.
    assert not dispensation.request.events.get(label="Motif du refus").visible_to_employer
    assert dispensation.request.events.filter(visible_to_employer=True).last().note == ""


def test_refuse_renews_the_invitation_link_of_an_employee_without_account(
    django_capture_on_commit_callbacks, client
):
    enrolment = employee_enrolment()
    old_tokens = set(enrolment.links.values_list("pk", flat=True))
    dispensation = submit(enrolment)
    enrolment.employee.user = None
    enrolment.employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        dispensation_refuse(dispensation=dispensation, by=UserFactory(staff=True), reason="Non")
    enrolment.refresh_from_db()
    token = enrolment.links.exclude(pk__in=old_tokens).get()
    assert token.expires_at == enrolment.expires_at
    message = OutboxMessage.objects.get(key=f"dispensation-refused:{dispensation.pk}")
    assert message.recipient == enrolment.employee.email
    link = next(line for line in message.body_text.splitlines() if "/invitation/" in line)
    assert client.get(link.split("8000", 1)[1]).status_code == 200


def test_withdraw_while_undecided_returns_to_enrolment():
    enrolment = employee_enrolment()
    dispensation = submit(enrolment)
    dispensation_withdraw(dispensation=dispensation, by=enrolment.employee.user)
    dispensation.refresh_from_db()
    enrolment.refresh_from_db()
    assert dispensation.status == D.WITHDRAWN
    assert dispensation.request.status == R.CANCELLED
    assert enrolment.status == E.IN_PROGRESS
    assert dispensation.request.events.last().label == "Demande retirée par le salarié"
    # A new request is possible afterwards (the open-dispensation constraint is freed).
    assert submit(enrolment).status == D.SUBMITTED


def test_withdraw_gives_back_the_days_spent_waiting():
    enrolment = employee_enrolment()
    expires_at = enrolment.expires_at
    dispensation = submit(enrolment)
    with time_machine.travel(timezone.now() + dt.timedelta(days=70), tick=False):
        dispensation_withdraw(dispensation=dispensation, by=enrolment.employee.user)
        assert enrolments_expire_due() == 0
    enrolment.refresh_from_db()
    assert enrolment.status == E.IN_PROGRESS
    assert enrolment.expires_at - expires_at > dt.timedelta(days=69)


def test_withdraw_after_decision_is_refused():
    dispensation = submit(employee_enrolment())
    dispensation_accept(dispensation=dispensation, by=UserFactory(staff=True))
    with pytest.raises(ValidationError):
        dispensation_withdraw(dispensation=dispensation, by=dispensation.enrolment.employee.user)


def test_transition_table_refuses_illegal_moves():
    dispensation = submit(employee_enrolment())
    staff = UserFactory(staff=True)
    dispensation_refuse(dispensation=dispensation, by=staff, reason="Hors délai")
    with pytest.raises(InvalidTransition):
        dispensation_accept(dispensation=dispensation, by=staff)
    with pytest.raises(InvalidTransition):
        dispensation_ask_complement(dispensation=dispensation, by=staff, message="x")


# --- files ---------------------------------------------------------------------------


def test_renamed_executable_is_refused_and_nothing_is_written():
    enrolment = employee_enrolment()
    evil = SimpleUploadedFile("attestation.pdf", exe_bytes(), content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        submit(enrolment, files=[pdf_upload(), evil])
    assert "n'est pas un fichier PDF, JPEG ou PNG" in error.value.message_dict["proofs"][0]
    assert not Dispensation.objects.exists()
    assert not DispensationProof.objects.exists()
    assert stored_files() == []
    enrolment.refresh_from_db()
    assert enrolment.status == E.INVITED


@override_settings(DISPENSATION_PROOF_MAX_BYTES=1000)
def test_oversize_file_is_refused():
    big = pdf_upload(content=pdf_bytes("x" * 2000))
    with pytest.raises(ValidationError) as error:
        submit(employee_enrolment(), files=[big])
    assert "dépasse la taille maximale" in error.value.message_dict["proofs"][0]


@override_settings(DISPENSATION_MAX_PROOFS=2)
def test_too_many_files_are_refused_including_with_the_complement():
    with pytest.raises(ValidationError) as error:
        submit(employee_enrolment(), files=[pdf_upload(), pdf_upload(), pdf_upload()])
    assert "que 2 fichiers" in error.value.message_dict["proofs"][0]
    dispensation = submit(employee_enrolment(), files=[pdf_upload(), pdf_upload()])
    dispensation_ask_complement(
        dispensation=dispensation, by=UserFactory(staff=True), message="Carte"
    )
    with pytest.raises(ValidationError):
        complete(dispensation)
    dispensation.refresh_from_db()
    assert dispensation.status == D.AWAITING_COMPLEMENT
    assert len(stored_files()) == 2


def test_type_is_read_from_content_and_name_sanitised():
    png = SimpleUploadedFile("../../etc/ma carte\x00 mutuelle.pdf", png_bytes())
    dispensation = submit(employee_enrolment(), files=[png])
    proof = dispensation.proofs.get()
    assert proof.content_type == "image/png"
    assert proof.original_name == "ma_carte_mutuelle.png"
    assert proof.file.name.endswith(".png")


def test_failed_complement_leaves_request_and_storage_as_they_were(monkeypatch):
    dispensation = submit(employee_enrolment())
    dispensation_ask_complement(
        dispensation=dispensation, by=UserFactory(staff=True), message="Carte"
    )
    before = stored_files()

    def broken(self, *, by):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Dispensation, "complete", broken)
    with pytest.raises(RuntimeError):
        complete(dispensation)
    dispensation.refresh_from_db()
    assert dispensation.status == D.AWAITING_COMPLEMENT
    assert dispensation.proofs.count() == 1
    assert stored_files() == before
