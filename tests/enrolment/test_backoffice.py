import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from enrolment.enums import EnrolmentStatus, RequestStatus
from enrolment.exceptions import InvalidTransition
from enrolment.models import SignatureEvidence
from enrolment.services.backoffice import enrolment_return_to_employee, enrolment_validate
from mutuelle.models import OutboxMessage
from mutuelle.roles import GESTIONNAIRE
from tests.mutuelle.factories import PASSWORD, UserFactory

from .factories import EnrolmentFactory
from .signing import sign

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:enrolment_signedenrolment_changelist")


@pytest.fixture
def back_office(client):
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    return user


@pytest.fixture
def signed():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    sign(enrolment)
    enrolment.refresh_from_db()
    return enrolment


def test_validate_activates_and_closes_the_request(
    signed, back_office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_validate(enrolment=signed, by=back_office)
    signed.refresh_from_db()
    assert signed.status == EnrolmentStatus.ACTIVE and signed.activated_at
    request = signed.requests.get()
    assert request.status == RequestStatus.CLOSED and request.closed_at
    event = request.events.order_by("-at", "-id").first()
    assert event.label == "Adhésion validée et mise en gestion" and event.actor == back_office
    mail = OutboxMessage.objects.get(key__startswith="enrolment-validated:")
    assert mail.recipient == signed.employee.user.email and mail.status == "sent"
    assert "carte mutualiste" in mail.body_text
    with pytest.raises(InvalidTransition):
        enrolment_validate(enrolment=signed, by=back_office)


def test_only_signed_enrolments_can_be_validated(back_office):
    with pytest.raises(InvalidTransition):
        enrolment_validate(enrolment=EnrolmentFactory(ready_to_sign=True), by=back_office)


def test_return_to_employee_then_sign_again(
    signed, back_office, django_capture_on_commit_callbacks
):
    with pytest.raises(ValueError):
        enrolment_return_to_employee(enrolment=signed, by=back_office, message="  ")
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_return_to_employee(
            enrolment=signed, by=back_office, message="Le RIB de prélèvement est illisible."
        )
    signed.refresh_from_db()
    assert signed.status == EnrolmentStatus.IN_PROGRESS
    assert signed.signed_at is None and signed.wizard_step == "recap"
    request = signed.requests.get()
    assert request.status == RequestStatus.WAITING
    events = list(request.events.order_by("at", "id"))
    sent_back, message = events[-2], events[-1]
    assert sent_back.label == "Dossier renvoyé au salarié pour correction"
    assert sent_back.visible_to_employer and not sent_back.note
    assert message.note == "Le RIB de prélèvement est illisible."
    assert not message.visible_to_employer
    mail = OutboxMessage.objects.get(key__startswith="enrolment-returned:")
    assert "Le RIB de prélèvement est illisible." in mail.body_text
    # The employee validates the recap again and signs a second time.
    signed.wizard_step = "signature"
    signed.save()
    sign(signed)
    signed.refresh_from_db()
    assert signed.status == EnrolmentStatus.SIGNED
    assert SignatureEvidence.objects.filter(enrolment=signed).count() == 2


def test_admin_list_shows_signed_only(client, back_office, signed, django_assert_max_num_queries):
    EnrolmentFactory(ready_to_sign=True)
    sign(EnrolmentFactory(ready_to_sign=True))
    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    html = response.content.decode()
    assert signed.member_number in html and "Dossier signé (PDF)" in html


def test_admin_validate_action(client, back_office, signed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": "validate", "_selected_action": [signed.pk]}, follow=True
        )
    assert "1 adhésion(s) validée(s)" in response.content.decode()
    signed.refresh_from_db()
    assert signed.status == EnrolmentStatus.ACTIVE


def test_admin_return_action_asks_for_a_message(client, back_office, signed):
    data = {"action": "return_to_employee", "_selected_action": [signed.pk]}
    response = client.post(CHANGELIST, data)
    assert response.status_code == 200
    assert "Message au salarié" in response.content.decode()
    response = client.post(CHANGELIST, {**data, "apply": "1", "message": ""})
    assert "Écrivez au salarié ce qu&#x27;il doit corriger." in response.content.decode()
    signed.refresh_from_db()
    assert signed.status == EnrolmentStatus.SIGNED
    response = client.post(
        CHANGELIST, {**data, "apply": "1", "message": "Merci d'ajouter votre enfant."}, follow=True
    )
    assert "1 adhésion(s) renvoyée(s) au salarié." in response.content.decode()
    signed.refresh_from_db()
    assert signed.status == EnrolmentStatus.IN_PROGRESS


def test_evidence_pages_and_files_for_back_office_only(client, back_office, signed):
    evidence = SignatureEvidence.objects.get()
    response = client.get(reverse("admin:enrolment_signatureevidence_change", args=[evidence.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert evidence.document_sha256 in html and "otp_verified" in html
    for kind in ("bulletin", "dossier"):
        response = client.get(
            reverse("admin:enrolment_signatureevidence_file", args=[evidence.pk, kind])
        )
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    # The employee (not staff) cannot reach the admin view.
    client.logout()
    client.login(username=signed.employee.user.username, password=PASSWORD)
    response = client.get(
        reverse("admin:enrolment_signatureevidence_file", args=[evidence.pk, "dossier"])
    )
    assert response.status_code == 302 and "/login/" in response.url
