"""The member space: landing, menu fitting the person, « Mon contrat », profile pages,
tenant isolation (a correspondent never reaches a member-area URL) and exact query
counts, the same with one beneficiary and with many."""

import datetime as dt

import pytest
from django.urls import reverse

from enrolment.enums import Civility, EnrolmentStatus, Relationship
from enrolment.models import Beneficiary
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import last_sms_code
from tests.mutuelle.factories import CorrespondentAccessFactory, UserFactory

from .helpers import in_progress_enrolment, url

pytestmark = pytest.mark.django_db

# Pages of the space that only need a member (no object id).
SPACE_PAGES = ["home", "reimbursements", "contract", "profile", "profile_phone", "settings"]


@pytest.fixture
def member(client):
    """A managed member (spouse, child, both RIBs, contribution debited monthly on the
    10th) logged in."""
    enrolment = EnrolmentFactory(ready_to_sign=True, employee__first_name="Fatima")
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.save()
    client.force_login(enrolment.employee.user)
    return enrolment


def _add_children(enrolment, n: int):
    Beneficiary.objects.bulk_create(
        Beneficiary(
            enrolment=enrolment,
            relationship=Relationship.CHILD,
            civility=Civility.MR,
            first_name=f"Enfant{i}",
            last_name="Durand",
            birth_date=dt.date(2010 + i, 1, 1),
        )
        for i in range(n)
    )


def test_member_lands_on_reimbursements(client, member):
    response = client.get(url("home"))
    assert response.url == url("reimbursements")
    page = client.get(response.url).content.decode()
    assert "<h1>Mes remboursements</h1>" in page
    # The menu of a member, and their name opening the personal menu.
    for label in ("Mes remboursements", "Mon contrat", "Mes informations personnelles"):
        assert label in page
    assert "Fatima D." in page
    assert "Reprendre mon adhésion" not in page
    assert "Ma demande de dispense" not in page


def test_signed_enrolment_lands_on_the_contract(client, member):
    member.status = EnrolmentStatus.SIGNED
    member.save()
    assert client.get(url("home")).url == url("contract")
    page = client.get(url("contract")).content.decode()
    assert "Mon contrat" in page and "Mes remboursements" not in page


def test_employee_enrolling_resumes_the_wizard_and_sees_it_in_the_menu(client):
    _enrolment, user = in_progress_enrolment(
        group__contract__dispensation_enabled=True, wizard_step="beneficiaries"
    )
    client.force_login(user)
    assert client.get(url("home")).url == url("wizard_beneficiaries")
    page = client.get(url("wizard_beneficiaries")).content.decode()
    assert "Reprendre mon adhésion" in page
    assert "Ma demande de dispense" in page
    assert "Mes remboursements" not in page


def test_dispensation_offered_only_while_enrolment_open_and_contract_allows(client):
    _enrolment, user = in_progress_enrolment(group__contract__dispensation_enabled=False)
    client.force_login(user)
    page = client.get(url("wizard_profile")).content.decode()
    assert "Ma demande de dispense" not in page


def test_dispensation_requested_shows_its_tracking(client):
    enrolment, user = in_progress_enrolment(group__contract__dispensation_enabled=True)
    enrolment.status = EnrolmentStatus.DISPENSATION_REQUESTED
    enrolment.save()
    client.force_login(user)
    assert client.get(url("home")).url == url("dispensation_list")
    page = client.get(url("contract")).content.decode()
    assert "Suivi de ma demande de dispense" in page
    assert "Ma demande de dispense<" not in page


def test_portability_banner_with_end_date(client, member):
    member.status = EnrolmentStatus.PORTABILITY
    member.end_date = dt.date(2027, 3, 31)
    member.save()
    page = client.get(url("contract")).content.decode()
    assert "Portabilité de vos garanties" in page
    assert "31/03/2027" in page


def test_contract_summary(client, member):
    page = client.get(url("contract")).content.decode()
    assert member.employee.company.legal_name in page
    assert member.contract.number in page
    assert member.member_number in page
    assert "Base + Option 1" in page
    assert "01/03/2024" in page
    assert "Claire LAMBERT" in page and "Clémence SIMON" in page
    # 12,40 € for the member + 25,50 € spouse + 15,20 € child.
    assert "53,10\u00a0€ par mois" in page
    assert "FR14 •••• •••• •••• 2606" in page  # the debit account, masked
    assert "Mensuelle" in page and "le 10 du mois" in page
    # The employee's word for the status, not the back office's.
    assert "Adhésion validée" in page and "Mis en gestion" not in page


def test_contract_without_debit_says_payroll(client):
    enrolment = EnrolmentFactory(ready_to_sign=True, no_debit=True)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.save()
    client.force_login(enrolment.employee.user)
    page = client.get(url("contract")).content.decode()
    assert "Retenue sur votre salaire" in page
    assert "Prélevée sur le compte" not in page


@pytest.mark.parametrize("name", ["contract", "profile", "settings"])
def test_query_count_constant_in_beneficiaries(client, member, name, django_assert_num_queries):
    expected = {"contract": 5, "profile": 5, "settings": 4}[name]
    # Session, user, the member's enrolments; then each page's own reads.
    with django_assert_num_queries(expected):
        assert client.get(url(name)).status_code == 200
    _add_children(member, 12)
    with django_assert_num_queries(expected):
        page = client.get(url(name)).content.decode()
    if name == "contract":
        assert page.count("Enfant") >= 12


@pytest.mark.parametrize("name", SPACE_PAGES)
def test_correspondent_never_reaches_the_member_area(client, name):
    access = CorrespondentAccessFactory()
    client.force_login(access.user)
    assert client.get(url(name)).status_code == 404


@pytest.mark.parametrize("name", SPACE_PAGES)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_member_sees_only_their_own_contract(client, member):
    other = EnrolmentFactory(ready_to_sign=True, employee__last_name="Autrepersonne")
    other.status = EnrolmentStatus.ACTIVE
    other.save()
    page = client.get(url("contract")).content.decode()
    assert "Autrepersonne" not in page
    assert other.contract.number not in page


def test_profile_address_and_preferences_with_history(client, member):
    page = client.get(url("profile")).content.decode()
    assert "Claire LAMBERT" in page  # beneficiaries, read-only
    response = client.post(
        url("profile"),
        {
            "action": "address",
            "adresse-address_number": "3",
            "adresse-address_street": "Rue Neuve",
            "adresse-postal_code": "3100",
            "adresse-city": "",
            "adresse-country": "FRANCE",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Rue Neuve" in body  # typed input kept
    assert "5 chiffres" in body and "erreurs-formulaire" in body
    assert 'href="#id_adresse-city"' in body  # the summary links to the field
    response = client.post(
        url("profile"),
        {
            "action": "address",
            "adresse-address_number": "3",
            "adresse-address_street": "Rue Neuve",
            "adresse-postal_code": "31000",
            "adresse-city": "Toulouse",
            "adresse-country": "FRANCE",
        },
    )
    assert response.url == url("profile")
    client.post(url("profile"), {"action": "preferences", "preferences-reimbursement_alerts": "on"})
    employee = member.employee
    employee.refresh_from_db()
    assert employee.city == "Toulouse"
    assert employee.paperless_mail is False and employee.reimbursement_alerts is True
    history = client.get(url("settings")).content.decode()
    assert "Adresse postale modifiée" in history
    assert "E-courriers : désactivé" in history
    assert "Vous" in history


def test_profile_email_change_is_confirmed_by_link(client, member):
    taken = UserFactory(email="pris@exemple.fr")
    response = client.post(
        url("profile"),
        {"action": "email", "email-email": taken.email, "email-email_confirm": taken.email},
    )
    assert "déjà utilisée" in response.content.decode()
    response = client.post(
        url("profile"),
        {
            "action": "email",
            "email-email": "fatima@perso.fr",
            "email-email_confirm": "fatima@perso.fr",
        },
    )
    assert response.url == url("profile")
    page = client.get(url("profile")).content.decode()
    assert "en attente de confirmation : fatima@perso.fr" in page
    member.employee.user.refresh_from_db()
    assert member.employee.user.email != "fatima@perso.fr"
    assert OutboxMessage.objects.filter(recipient="fatima@perso.fr").exists()


def test_mobile_change_through_the_pages(client, member):
    response = client.post(url("profile_phone"), {"phone": "06 98 76 54 32"})
    assert "Cochez cette case" in response.content.decode()
    response = client.post(url("profile_phone"), {"phone": "06 98 76 54 32", "own_phone": "on"})
    code_url = response.url
    assert client.get(code_url).status_code == 200
    wrong = client.post(code_url, {"action": "verify", "code": "000000"})
    assert "incorrect" in wrong.content.decode()
    response = client.post(code_url, {"action": "verify", "code": last_sms_code()})
    assert response.url == url("profile")
    member.employee.refresh_from_db()
    assert str(member.employee.phone) == "+33698765432"
    # Another member cannot open this member's code page.
    other = EnrolmentFactory(ready_to_sign=True)
    client.force_login(other.employee.user)
    assert client.get(code_url).status_code == 404
