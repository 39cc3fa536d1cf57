"""Back office for members: the account state, the imported member number, the
member's history of changes and the single-use links, all read-only."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from enrolment.enums import EnrolmentStatus, LinkKind
from enrolment.models import MemberChange
from enrolment.services.links import link_issue
from mutuelle.roles import GESTIONNAIRE
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gestionnaire(client):
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    return user


@pytest.fixture
def members():
    without = EnrolmentFactory(
        status=EnrolmentStatus.ACTIVE,
        imported_member_number="18004512",
        employee__user=None,
        employee__last_name="Sanscompte",
    )
    with_account = EnrolmentFactory(status=EnrolmentStatus.ACTIVE, employee__last_name="Aveccompte")
    with_account.employee.user = UserFactory()
    with_account.employee.save()
    return without, with_account


def test_members_filtered_by_online_account_and_found_by_imported_number(
    client, gestionnaire, members
):
    url = reverse("admin:enrolment_enrolment_changelist")
    page = client.get(url, {"espace": "non"}).text
    assert "SANSCOMPTE" in page and "AVECCOMPTE" not in page
    page = client.get(url, {"espace": "oui"}).text
    assert "AVECCOMPTE" in page and "SANSCOMPTE" not in page
    page = client.get(url, {"q": "18004512"}).text
    assert "SANSCOMPTE" in page and "AVECCOMPTE" not in page


def test_imported_number_is_fixed_once_created_and_links_show_no_key(client, gestionnaire, members):
    without, _ = members
    link, raw = link_issue(kind=LinkKind.ACCOUNT_ACTIVATION, enrolment=without, email="x@y.fr")
    page = client.get(reverse("admin:enrolment_enrolment_change", args=[without.pk])).text
    assert 'name="imported_member_number"' not in page
    assert "18004512" in page
    assert "Activation de l&#x27;espace adhérent" in page
    assert link.key_hash not in page and raw not in page


def test_member_history_is_read_only_on_the_employee(client, gestionnaire, members):
    _, with_account = members
    employee = with_account.employee
    MemberChange.objects.create(
        employee=employee, actor=employee.user, label="Adresse postale modifiée"
    )
    page = client.get(reverse("admin:enrolment_employee_change", args=[employee.pk])).text
    assert "historique des informations personnelles" in page.lower()
    assert "Adresse postale modifiée" in page
    assert 'name="changes-0-label"' not in page
    assert 'name="paperless_mail"' in page and 'name="reimbursement_alerts"' in page


def test_mobile_and_its_origin_are_evidence_not_editable(client, gestionnaire, members):
    """The signature code goes to the mobile on record and the sealed dossier says where
    it came from: staff see them, but cannot type a number that would look declared by
    the employer or confirmed by a code."""
    _, with_account = members
    employee = with_account.employee
    employee.phone = "+33612345678"
    employee.phone_source = "employer"
    employee.save()
    page = client.get(reverse("admin:enrolment_employee_change", args=[employee.pk])).text
    assert "+33612345678" in page or "06 12 34 56 78" in page
    for field in ("phone", "phone_source", "phone_confirmed_at"):
        assert f'name="{field}"' not in page
    assert 'name="email"' in page
