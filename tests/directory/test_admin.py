import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from directory.models import Agency
from enrolment.enums import EnrolmentStatus, MemberDocumentKind
from enrolment.member_models import MemberCard
from enrolment.services.card import member_card_issue
from mutuelle.roles import GESTIONNAIRE
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(client):
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    return user


def test_back_office_keeps_agencies_with_address_hours_and_phone(client, back_office):
    response = client.post(
        reverse("admin:directory_agency_add"),
        {
            "name": "Agence de Nantes",
            "phone": "02 40 00 00 00",
            "email": "",
            "opening_hours": "Lundi au vendredi : 9 h – 18 h",
            "is_active": "on",
            "address_number": "3",
            "address_street": "RUE CREBILLON",
            "postal_code": "44000",
            "city": "Nantes",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    agency = Agency.objects.get()
    assert agency.department == "44" and agency.city_key == "NANTES"
    history = client.get(reverse("admin:directory_agency_history", args=[agency.pk]))
    assert "Ajout" in history.content.decode()


def test_cards_and_documents_are_read_only_in_the_admin(client, back_office):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.save()
    card = member_card_issue(enrolment=enrolment)
    assert (
        client.get(reverse("admin:enrolment_membercard_change", args=[card.pk])).status_code == 200
    )
    assert client.get(reverse("admin:enrolment_memberdocument_add")).status_code == 403
    response = client.post(
        reverse("admin:enrolment_membercard_changelist"),
        {"action": "reissue", "_selected_action": [card.pk]},
    )
    assert response.status_code == 302
    assert MemberCard.objects.filter(enrolment=enrolment).count() == 2
    document = enrolment.member_documents.filter(kind=MemberDocumentKind.CARD).first()
    response = client.get(reverse("admin:enrolment_memberdocument_download", args=[document.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
