import io

import pytest
from django.apps import apps
from django.core.management import call_command

from demo.data import DEMO_PASSWORD, MEMBER_EMAIL
from enrolment.enums import EnrolmentStatus, Relationship, TerminationStatus
from enrolment.models import Enrolment, Termination
from enrolment.signature.models import SignatureEvidence
from mutuelle.enums import CoverageLevel, ProductLine
from mutuelle.models import Company, Contract, Offer, OutboxMessage
from mutuelle.validators import validate_siret

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("mutuelle", "enrolment", "dispensations", "auth")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def seeded(settings):
    # seed_demo refuses DEBUG=false (tests run with it): this is the development machine.
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_is_idempotent(seeded):
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
    assert first["mutuelle.Company"] == 2
    assert first["enrolment.Employee"] == 15


def test_seed_content(seeded):
    for company in Company.objects.all():
        validate_siret(company.siret)
    health = Contract.objects.filter(product_line=ProductLine.HEALTH)
    assert health.count() == 2
    assert Contract.objects.filter(product_line=ProductLine.PROVIDENT).count() == 1
    assert sorted(health.values_list("dispensation_enabled", flat=True)) == [False, True]
    for contract in health:
        offers = Offer.objects.filter(contract=contract)
        assert offers.count() == 12
        assert set(offers.values_list("group__name", flat=True)) == {"Cadres", "Non-cadres"}
        assert set(offers.values_list("level", flat=True)) == set(CoverageLevel.values)
        assert len(set(offers.values_list("guarantee_table", flat=True))) == 6
        for offer in offers:
            with offer.guarantee_table.open("rb") as pdf:
                assert pdf.read(5) == b"%PDF-"
    statuses = set(Enrolment.objects.values_list("status", flat=True))
    assert statuses >= {
        EnrolmentStatus.PRE_AFFILIATED,
        EnrolmentStatus.INVITED,
        EnrolmentStatus.IN_PROGRESS,
        EnrolmentStatus.SIGNED,
        EnrolmentStatus.ACTIVE,
        EnrolmentStatus.TERMINATED,
        EnrolmentStatus.PORTABILITY,
        EnrolmentStatus.DISPENSATION_REQUESTED,
        EnrolmentStatus.EXPIRED,
        EnrolmentStatus.CANCELLED,
    }
    member = Enrolment.objects.get(
        employee__email=MEMBER_EMAIL, contract__product_line=ProductLine.HEALTH
    )
    assert member.status == EnrolmentStatus.ACTIVE
    family = list(member.beneficiaries.order_by("relationship", "twin_rank"))
    assert [b.relationship for b in family] == [
        Relationship.SPOUSE,
        Relationship.CHILD,
        Relationship.CHILD,
    ]
    assert family[1].birth_date == family[2].birth_date
    assert [family[1].twin_rank, family[2].twin_rank] == [1, 2]
    assert OutboxMessage.objects.filter(key__startswith="invitation:").count() >= 3
    # Signed through the real SMS-code signature, terminated through the real service.
    signed = Enrolment.objects.filter(signed_at__isnull=False)
    assert signed.count() == SignatureEvidence.objects.filter(attempt__subject="").count() == 5
    # Some employers declared the mobile (the code went there), the others' employees
    # confirmed one on the profile step.
    sources = dict(
        SignatureEvidence.objects.filter(attempt__subject="").values_list(
            "enrolment__employee__first_name", "phone_source"
        )
    )
    assert sources["Nathan"] == sources["Manon"] == "employer"
    assert sources["Sophie"] == "profile"
    # The member's requests: every kind of the space in some state, one arrears.
    from contributions.models import Instalment
    from member_requests.enums import MemberRequestKind as K
    from member_requests.models import MemberRequest

    kinds = set(MemberRequest.objects.values_list("kind", flat=True))
    assert kinds >= {
        K.OTHER,
        K.BENEFICIARY_ADD,
        K.BENEFICIARY_REMOVE,
        K.CONTRIBUTION_ACCOUNT,
        K.BENEFIT_ACCOUNT,
        K.PORTABILITY,
        K.PORTABILITY_END,
    }
    member = Enrolment.objects.get(
        employee__email=MEMBER_EMAIL, contract__product_line=ProductLine.HEALTH
    )
    assert Instalment.objects.filter(enrolment=member, status="impayee").count() == 1
    assert SignatureEvidence.objects.filter(attempt__subject__startswith="mandat:").count() == 1
    assert set(Termination.objects.values_list("status", "portability")) == {
        (TerminationStatus.PROCESSED, True),
        (TerminationStatus.PROCESSED, False),
    }


def test_provident_contract_with_affiliated_employees(seeded):
    """The Boulangerie's prévoyance contract has its collèges and employees affiliated
    through the correspondent's declaration, the member among them; the notices
    went to the outbox."""
    contract = Contract.objects.get(product_line=ProductLine.PROVIDENT)
    assert set(contract.groups.values_list("name", flat=True)) == {"Cadres", "Non-cadres"}
    affiliated = Enrolment.objects.filter(contract=contract)
    assert affiliated.count() >= 4
    assert set(affiliated.values_list("status", flat=True)) == {EnrolmentStatus.ACTIVE}
    assert affiliated.filter(employee__email=MEMBER_EMAIL, group__name="Cadres").exists()
    with_email = affiliated.exclude(employee__email="").count()
    assert OutboxMessage.objects.filter(key__startswith="provident_notice:").count() == with_email
    with contract.information_notice.open("rb") as notice:
        assert notice.read(5) == b"%PDF-"


def test_printed_logins_work_and_land_in_each_space(seeded, client):
    assert DEMO_PASSWORD in seeded
    landings = {
        "claire.martin@exemple.fr": "/entreprise/",
        "cmartin": "/entreprise/",
        "hugo.bernard@exemple.fr": "/entreprise/",
        MEMBER_EMAIL: "/adherent/",
        "gestion@mutuelle-avenir.exemple.fr": "/gestion/",
    }
    for login, landing in landings.items():
        assert login in seeded
        client.logout()
        response = client.post("/compte/login/", {"login": login, "password": DEMO_PASSWORD})
        assert response.status_code == 302, login
        assert response.url.startswith(landing), (login, response.url)
    # The correspondent of the second company only lands directly on its home.
    client.logout()
    response = client.post(
        "/compte/login/", {"login": "hugo.bernard@exemple.fr", "password": DEMO_PASSWORD}
    )
    second = Company.objects.get(legal_name__startswith="Atelier")
    assert response.url == f"/entreprise/{second.pk}/"


def test_demo_members_without_account_can_create_their_space(seeded, client):
    from demo.data import MEMBERS_WITHOUT_ACCOUNT

    assert "n° d'adhérent 18004512, Élise Lefèvre-Dupré, née le 14/06/1979" in seeded
    for member in MEMBERS_WITHOUT_ACCOUNT:
        enrolment = Enrolment.objects.with_member_number(member["member_number"]).get()
        assert enrolment.status == EnrolmentStatus.ACTIVE
        assert enrolment.employee.user is None
    response = client.post(
        "/adherent/creer-mon-espace/",
        {
            "member_number": "18004512",
            "last_name": "Lefevre Dupre",
            "first_name": "Elise",
            "birth_date": "14/06/1979",
            "email": "elise@perso.example.fr",
            "email_confirm": "elise@perso.example.fr",
            "password1": "Soleil-Levant-2026!",
            "password2": "Soleil-Levant-2026!",
            "accept_terms": "on",
            "paperless_mail": "on",
        },
    )
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(recipient="elise@perso.example.fr").exists()
