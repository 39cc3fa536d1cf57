import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from enrolment.enums import EnrolmentStatus
from member_requests.enums import MemberRequestKind as K
from member_requests.enums import PortabilityEndCause as C
from member_requests.portability import portability_declare, portability_end_declare
from member_requests.services import member_request_accept
from tests.dispensations.factories import pdf_upload
from tests.mutuelle.factories import UserFactory

from .factories import member_enrolment, member_in_portability

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def test_declaration_with_the_are_notice_recorded_hidden_from_the_employer():
    with time_machine.travel(NOW, tick=False):
        enrolment, termination = member_in_portability()
        assert enrolment.status == EnrolmentStatus.PORTABILITY
        with pytest.raises(ValidationError):
            portability_declare(enrolment=enrolment, notice=None, by=enrolment.employee.user)
        member_request = portability_declare(
            enrolment=enrolment, notice=pdf_upload("are.pdf"), by=enrolment.employee.user
        )
        assert member_request.kind == K.PORTABILITY
        assert member_request.documents.get().label == "Attestation France Travail (ARE)"
        member_request_accept(member_request=member_request, by=UserFactory(staff=True))
    termination.refresh_from_db()
    assert termination.unemployment_proof_on == dt.date(2026, 3, 2)
    proof_row = termination.request.events.get(label__startswith="Justificatif")
    assert proof_row.visible_to_employer is False


def test_new_job_ends_the_portability_the_day_before_once_accepted():
    with time_machine.travel(NOW, tick=False):
        enrolment, termination = member_in_portability()
        computed_end = termination.portability_end_date
        with pytest.raises(ValidationError) as refused:
            portability_end_declare(
                enrolment=enrolment, cause="x", end_date=None, by=enrolment.employee.user
            )
        assert set(refused.value.message_dict) == {"cause", "end_date"}
        member_request = portability_end_declare(
            enrolment=enrolment,
            cause=C.NEW_JOB,
            end_date=dt.date(2026, 3, 16),
            by=enrolment.employee.user,
        )
        enrolment.refresh_from_db()
        assert enrolment.end_date == computed_end  # nothing before the back office accepts
        member_request_accept(member_request=member_request, by=UserFactory(staff=True))
    enrolment.refresh_from_db()
    termination.refresh_from_db()
    assert enrolment.end_date == termination.portability_end_date == dt.date(2026, 3, 15)
    events = termination.request.events
    assert events.filter(
        visible_to_employer=False, label__startswith="Portabilité écourtée au 15/03/2026"
    ).exists()
    # The employer sees the portability end, never why the benefits stopped.
    assert not events.filter(visible_to_employer=True, label__contains="emploi").exists()


def test_end_never_later_than_the_computed_end_and_only_with_a_portability():
    with time_machine.travel(NOW, tick=False):
        enrolment, termination = member_in_portability(termination_date=dt.date(2026, 2, 1))
        computed_end = termination.portability_end_date
        member_request = portability_end_declare(
            enrolment=enrolment,
            cause=C.BENEFITS_ENDED,
            end_date=dt.date(2026, 3, 31),
            by=enrolment.employee.user,
        )
        member_request_accept(member_request=member_request, by=UserFactory(staff=True))
        termination.refresh_from_db()
        assert termination.portability_end_date == min(computed_end, dt.date(2026, 3, 31))
        active = member_enrolment()
        with pytest.raises(ValidationError):
            portability_declare(enrolment=active, notice=pdf_upload(), by=active.employee.user)


def test_portability_page_through_the_client(client):
    import html as htmllib

    from django.urls import reverse

    enrolment, termination = member_in_portability()
    client.force_login(enrolment.employee.user)
    url = reverse("member_portal:portability")
    assert "Faire une déclaration de portabilité" in htmllib.unescape(
        client.get(reverse("member_portal:request_new")).content.decode()
    )
    page = client.get(url)
    key = page.context["end_form"]["submission_key"].value()
    bad = client.post(
        url, {"action": "end", "fin-submission_key": key, "fin-end_date": "32/13/2026"}
    )
    html = htmllib.unescape(bad.content.decode())
    assert bad.status_code == 400 and "Choisissez votre situation." in html
    assert "Saisissez une date au format JJ/MM/AAAA." in html
    declare_key = page.context["declare_form"]["submission_key"].value()
    done = client.post(
        url,
        {"action": "declare", "are-submission_key": declare_key, "are-documents": [pdf_upload()]},
    )
    assert done.status_code == 302
    assert enrolment.member_requests.get().kind == K.PORTABILITY
    admin = UserFactory(staff=True, is_superuser=True)
    client.force_login(admin)
    change = reverse(
        "admin:member_requests_portabilityrequest_change", args=[enrolment.member_requests.get().pk]
    )
    assert "portabilité jusqu" in htmllib.unescape(client.get(change).content.decode())
    other = member_enrolment()
    client.force_login(other.employee.user)
    assert client.get(url).status_code == 404
    assert termination.pk
