import html as htmllib

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from member_requests.enums import MemberRequestKind as K
from member_requests.enums import MemberRequestStatus as S
from mutuelle.roles import GESTIONNAIRE
from tests.mutuelle.factories import UserFactory

from .factories import sent_request

pytestmark = pytest.mark.django_db
OTHER_QUEUE = reverse("admin:member_requests_otherrequest_changelist")


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


@pytest.fixture
def back_office(client):
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    return user


def test_each_queue_lists_its_kinds_in_constant_queries(client, back_office):
    other = sent_request()
    portability = sent_request(kind=K.PORTABILITY)

    def count_queries(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx), text(response)

    few, html = count_queries(OTHER_QUEUE)
    assert f"N° {other.number}" in html and f"N° {portability.number}" not in html
    for _ in range(5):
        sent_request()
    many, _ = count_queries(OTHER_QUEUE)
    assert few == many
    html = text(client.get(reverse("admin:member_requests_portabilityrequest_changelist")))
    assert f"N° {portability.number}" in html and f"N° {other.number}" not in html


def test_actions_ask_complement_accept_refuse_through_the_services(client, back_office):
    first, second = sent_request(), sent_request()
    data = {"action": "action_ask_complement", "_selected_action": [first.pk]}
    form = client.post(OTHER_QUEUE, data)
    assert "Message à l'adhérent" in text(form)
    assert "Ce champ est obligatoire." in text(client.post(OTHER_QUEUE, {**data, "apply": "1"}))
    done = client.post(OTHER_QUEUE, {**data, "apply": "1", "message": "RIB illisible"})
    assert done.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.back_office_message) == (S.AWAITING_COMPLEMENT, "RIB illisible")
    client.post(OTHER_QUEUE, {"action": "action_accept", "_selected_action": [second.pk]})
    second.refresh_from_db()
    assert second.status == S.ACCEPTED and second.decided_by == back_office
    refuse = {"action": "action_refuse", "_selected_action": [first.pk], "apply": "1"}
    client.post(OTHER_QUEUE, {**refuse, "reason": "Pièce manquante"})
    first.refresh_from_db()
    assert (first.status, first.refusal_reason) == (S.REFUSED, "Pièce manquante")
    again = client.post(
        OTHER_QUEUE, {"action": "action_accept", "_selected_action": [first.pk]}, follow=True
    )
    assert "Action impossible" in text(again)
    change = text(client.get(reverse("admin:member_requests_otherrequest_change", args=[first.pk])))
    assert "Demande refusée" in change and "Pièce manquante" in change


def test_documents_open_for_the_back_office_only(client, back_office):
    member_request = sent_request()
    document = member_request.documents.get()
    url = reverse(
        "admin:member_requests_memberrequest_document", args=[member_request.pk, document.pk]
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    response.close()
    wrong = reverse(
        "admin:member_requests_memberrequest_document", args=[member_request.pk + 1, document.pk]
    )
    assert client.get(wrong).status_code == 404
    client.force_login(UserFactory(staff=True))
    assert client.get(url).status_code == 403
