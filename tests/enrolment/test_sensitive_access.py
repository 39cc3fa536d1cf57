"""Item 13 of issue 12: a full NIR or IBAN is read in the back office only through an
explicit action, written to an access log (who, when, whose) that superusers read."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from enrolment.enums import BankAccountPurpose
from enrolment.models import BankAccount
from mutuelle.models import SensitiveDataAccess
from mutuelle.roles import GESTIONNAIRE
from tests.enrolment.factories import EmployeeFactory, EnrolmentFactory, make_nir
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db
IBAN = "FR7630006000011234567890189"


@pytest.fixture
def manager(client):
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    return user


def test_the_employee_page_shows_the_nir_masked_with_an_explicit_action(client, manager):
    nir = make_nir(5)
    employee = EmployeeFactory(nir=nir)
    page = client.get(reverse("admin:enrolment_employee_change", args=[employee.pk]))
    assert page.status_code == 200
    assert nir not in page.text and nir[:5] + " " not in page.text
    reveal = reverse("admin:enrolment_employee_reveal", args=[employee.pk, "nir"])
    assert reveal in page.text
    # Opening the action's page shows nothing yet and logs nothing.
    confirm = client.get(reveal)
    assert nir not in confirm.text and "consultation est enregistrée" in confirm.text
    assert not SensitiveDataAccess.objects.exists()
    shown = client.post(reveal)
    assert nir in shown.text
    access = SensitiveDataAccess.objects.get()
    assert access.user == manager
    assert access.field == "numéro de sécurité sociale"
    assert access.object_id == str(employee.pk) and access.subject == str(employee)
    assert access.at is not None


def test_the_iban_is_revealed_only_through_the_action(client, manager):
    enrolment = EnrolmentFactory()
    account = BankAccount.objects.create(
        enrolment=enrolment,
        purpose=BankAccountPurpose.BENEFITS,
        holder="Paul",
        iban=IBAN,
        bic="AGRIFRPP",
    )
    page = client.get(reverse("admin:enrolment_bankaccount_change", args=[account.pk]))
    assert IBAN not in page.text
    shown = client.post(reverse("admin:enrolment_bankaccount_reveal", args=[account.pk, "iban"]))
    assert IBAN in shown.text
    assert SensitiveDataAccess.objects.get().field == "IBAN"
    # Only the declared fields can be revealed.
    other = client.post(reverse("admin:enrolment_bankaccount_reveal", args=[account.pk, "holder"]))
    assert other.status_code == 404


def test_the_access_log_is_for_superusers_only(client, manager):
    employee = EmployeeFactory(nir=make_nir(6))
    client.post(reverse("admin:enrolment_employee_reveal", args=[employee.pk, "nir"]))
    log = reverse("admin:mutuelle_sensitivedataaccess_changelist")
    assert client.get(log).status_code == 403
    client.force_login(UserFactory(staff=True, is_superuser=True))
    listing = client.get(log)
    assert listing.status_code == 200
    assert str(employee) in listing.text
