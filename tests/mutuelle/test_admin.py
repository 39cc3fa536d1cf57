import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from enrolment.enums import BankAccountPurpose, EnrolmentStatus, Relationship
from enrolment.models import BankAccount, Beneficiary, Enrolment, Request, RequestEvent
from mutuelle.models import OutboxMessage
from mutuelle.roles import GESTIONNAIRE
from tests.enrolment.factories import EnrolmentFactory, make_nir
from tests.mutuelle.factories import OfferFactory, UserFactory

pytestmark = pytest.mark.django_db
IBAN = "FR7630006000011234567890189"


@pytest.fixture
def data():
    enrolments = []
    for n in range(3):
        enrolment = EnrolmentFactory(invited=True)
        OfferFactory(group=enrolment.group)
        enrolment.start(by=None)
        Beneficiary.objects.create(
            enrolment=enrolment,
            relationship=Relationship.CHILD,
            civility="M",
            first_name="Léo",
            last_name="Durand",
            birth_date=dt.date(2015, 5, 4),
            nir=make_nir(900 + n, year=15, month=5),
        )
        BankAccount.objects.create(
            enrolment=enrolment,
            purpose=BankAccountPurpose.BENEFITS,
            holder="Paul Durand",
            iban=IBAN,
            bic="AGRIFRPP",
        )
        OutboxMessage.objects.create(
            key=f"k{n}", channel="email", recipient="a@b.fr", body_text="x"
        )
        enrolments.append(enrolment)
    return enrolments


@pytest.fixture
def gestionnaire(client):
    from django.contrib.auth.models import Group

    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    return user


def changelist_urls():
    for model, _model_admin in admin.site._registry.items():
        # The access log is for superusers only (tests/enrolment/test_sensitive_access.py).
        if model._meta.label == "mutuelle.SensitiveDataAccess":
            continue
        if model._meta.app_label in {"mutuelle", "enrolment"}:
            yield reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("url", list(changelist_urls()))
def test_every_list_loads_for_a_gestionnaire_with_flat_queries(
    client, gestionnaire, data, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200


def test_lists_mask_nir_and_iban(client, gestionnaire, data):
    employees = client.get(reverse("admin:enrolment_employee_changelist")).text
    nir = data[0].employee.nir
    assert nir not in employees
    assert f"{nir[0]} •• •• •• ••• ••• {nir[-2:]}" in employees
    accounts = client.get(reverse("admin:enrolment_bankaccount_changelist")).text
    assert IBAN not in accounts
    assert "FR76 •••• •••• •••• 0189" in accounts


def test_full_nir_search_uses_the_keyed_hash(client, gestionnaire, data):
    target = data[1].employee
    nir = target.nir
    spaced = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}"
    page = client.get(reverse("admin:enrolment_employee_changelist"), {"q": spaced}).text
    assert target.last_name in page
    assert data[0].employee.last_name not in page


def test_member_number_search(client, gestionnaire, data):
    target = data[2]
    url = reverse("admin:enrolment_enrolment_changelist")
    page = client.get(url, {"q": target.member_number}).text
    assert f"Adhésion n° {target.member_number}" in page or target.member_number in page
    assert data[0].member_number not in page


def test_change_pages_load_and_history_is_read_only(client, gestionnaire, data):
    enrolment = data[0]
    request = Request.objects.get(enrolment=enrolment)
    page = client.get(reverse("admin:enrolment_request_change", args=[request.pk]))
    assert page.status_code == 200
    assert "Adhésion commencée" in page.text
    change = client.get(reverse("admin:enrolment_enrolment_change", args=[enrolment.pk]))
    assert change.status_code == 200
    event = RequestEvent.objects.filter(request=request).first()
    delete_url = reverse("admin:enrolment_requestevent_delete", args=[event.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert RequestEvent.objects.filter(pk=event.pk).exists()


def test_enrolment_status_cannot_be_edited_by_hand(client, gestionnaire, data):
    form = client.get(reverse("admin:enrolment_enrolment_change", args=[data[0].pk])).text
    assert 'name="status"' not in form
    assert Enrolment.objects.get(pk=data[0].pk).status == EnrolmentStatus.IN_PROGRESS
