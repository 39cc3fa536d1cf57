"""What the employee reads on the recap: the family status a declared spouse implies
(the profile left it blank) and the rank of each twin."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrolment.enums import Civility, FamilyStatus, Relationship, SpouseKind
from enrolment.models import Beneficiary
from enrolment.services import wizard
from tests.browser_support import login
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import PASSWORD


def _declare(enrolment, **fields):
    wizard.beneficiary_save(
        enrolment=enrolment,
        beneficiary=Beneficiary(
            civility=Civility.MRS, last_name="Durand", same_address=True, **fields
        ),
    )


@pytest.fixture
def family(transactional_db):
    enrolment = EnrolmentFactory(
        ready_to_sign=True,
        wizard_step="recap",
        employee__family_status="",
        details__complete=False,
    )
    _declare(
        enrolment,
        relationship=Relationship.SPOUSE,
        spouse_kind=SpouseKind.PACS,
        first_name="Claire",
        birth_date=dt.date(1987, 4, 2),
    )
    twins = {"relationship": Relationship.CHILD, "birth_date": dt.date(2019, 6, 1)}
    twins["attached_to_member_nir"] = True
    _declare(enrolment, first_name="Léa", twin_rank=1, **twins)
    _declare(enrolment, first_name="Léo", twin_rank=2, **twins)
    return enrolment


def test_recap_shows_derived_family_status_and_twin_ranks(page, live_server, family):
    family.employee.refresh_from_db()
    assert family.employee.family_status == FamilyStatus.PACS
    login(page, live_server, family.employee.user.email, PASSWORD)
    page.goto(live_server.url + reverse("member_portal:wizard_recap"))
    expect(page.get_by_role("heading", name="Récapitulatif")).to_be_visible()
    identity = page.get_by_role("region", name="Mon profil")
    expect(identity).to_contain_text("Situation familiale")
    expect(identity).to_contain_text("Pacsé(e)")
    expect(identity).not_to_contain_text("non renseignée")
    beneficiaries = page.get_by_role("region", name="Mes bénéficiaires")
    expect(beneficiaries).to_contain_text("Léa Durand, né(e) le 01/06/2019, rang gémellaire 1")
    expect(beneficiaries).to_contain_text("Léo Durand, né(e) le 01/06/2019, rang gémellaire 2")
    expect(beneficiaries).not_to_contain_text("Claire Durand, né(e) le 02/04/1987 (Pacsé(e)), rang")

    # « Retirer » a beneficiary asks first.
    page.get_by_role("link", name="Modifier mes bénéficiaires").click()
    page.get_by_role("heading", name="Mes bénéficiaires").wait_for()
    page.get_by_role("link", name="Retirer Léo Durand").click()
    page.get_by_role("heading", name="Retirer Léo Durand de mes bénéficiaires ?").wait_for()
    page.get_by_role("link", name="Ne pas retirer").click()
    page.get_by_role("heading", name="Mes bénéficiaires").wait_for()
    page.get_by_role("link", name="Retirer Léo Durand").click()
    page.get_by_role("button", name="Retirer ce bénéficiaire").click()
    page.get_by_role("heading", name="Mes bénéficiaires").wait_for()
    expect(page.get_by_role("heading", name="Léo Durand")).to_have_count(0)
    assert family.beneficiaries.count() == 2


def test_a_declared_status_is_kept(transactional_db):
    enrolment = EnrolmentFactory(
        ready_to_sign=True, employee__family_status=FamilyStatus.DIVORCED, details__complete=False
    )
    _declare(
        enrolment,
        relationship=Relationship.SPOUSE,
        spouse_kind=SpouseKind.COHABITING,
        first_name="Claire",
        birth_date=dt.date(1987, 4, 2),
    )
    enrolment.employee.refresh_from_db()
    assert enrolment.employee.family_status == FamilyStatus.DIVORCED
