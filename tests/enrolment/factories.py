import datetime as dt

import factory
from django.utils import timezone

from enrolment.enums import (
    BankAccountPurpose,
    Civility,
    EnrolmentStatus,
    FamilyStatus,
    Relationship,
    RequestType,
    SpouseKind,
)
from enrolment.models import BankAccount, Beneficiary, Employee, Enrolment, Request
from mutuelle.enums import CoverageLevel, DebitFrequency
from tests.mutuelle.factories import CompanyFactory, InsuredGroupFactory, OfferFactory, UserFactory

IBAN_BENEFITS = "FR7630006000011234567890189"
BIC_BENEFITS = "AGRIFRPP"
IBAN_CONTRIBUTIONS = "FR1420041010050500013M02606"
BIC_CONTRIBUTIONS = "PSSTFRPPPAR"


def make_nir(n: int, *, sex: str = "1", year: int = 85, month: int = 10) -> str:
    """A valid NIR (key included) numbered ``n``, born in Paris (75)."""
    body = f"{sex}{year:02d}{month:02d}75{(n % 1000):03d}{(n // 1000) % 1000:03d}"
    key = 97 - int(body) % 97
    return f"{body}{key:02d}"


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    company = factory.SubFactory(CompanyFactory)
    civility = Civility.MR
    first_name = "Paul"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    birth_date = dt.date(1985, 10, 12)
    nir = factory.Sequence(lambda n: make_nir(n + 1))
    email = factory.Sequence(lambda n: f"salarie{n}@example.fr")
    hire_date = dt.date(2024, 3, 1)
    address_number = "5"
    address_street = "RUE DES ECOLES"
    postal_code = "75005"
    city = "PARIS"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment
        skip_postgeneration_save = True

    employee = factory.SubFactory(EmployeeFactory)
    group = factory.SubFactory(
        InsuredGroupFactory, contract__company=factory.SelfAttribute("...employee.company")
    )
    contract = factory.SelfAttribute("group.contract")
    effective_date = dt.date(2024, 3, 1)
    status = EnrolmentStatus.PRE_AFFILIATED

    class Params:
        invited = factory.Trait(
            status=EnrolmentStatus.INVITED,
            invited_at=factory.LazyFunction(timezone.now),
            expires_at=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=60)),
        )
        active = factory.Trait(status=EnrolmentStatus.ACTIVE)
        # The wizard is complete: profile, a spouse and a child, an offer with an
        # employee share (so a SEPA debit applies), both RIBs. Ready for the signature.
        ready_to_sign = factory.Trait(
            status=EnrolmentStatus.IN_PROGRESS,
            invited_at=factory.LazyFunction(timezone.now),
            expires_at=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=60)),
            employee__user=factory.SubFactory(UserFactory),
            employee__phone="+33612345678",
            employee__family_status=FamilyStatus.MARRIED,
            employee__insurance_fund_code="01 751 0000",
            offer=factory.SubFactory(
                OfferFactory,
                group=factory.SelfAttribute("..group"),
                level=CoverageLevel.BASE_OPT1,
                member_monthly_cost="12.40",
            ),
            debit_frequency=DebitFrequency.MONTHLY,
            debit_day=10,
            wizard_step="signature",
            details__complete=True,
        )
        # Same, with a contract whose contributions are all paid through payroll.
        no_debit = factory.Trait(
            group__contract__employee_debit=False, group__contract__beneficiaries_debited=False
        )

    @factory.post_generation
    def with_request(obj, create, extracted, **kwargs):
        if create:
            Request.objects.create(
                company=obj.employee.company,
                employee=obj.employee,
                enrolment=obj,
                type=RequestType.AFFILIATION,
            )

    @factory.post_generation
    def details(obj, create, extracted, **kwargs):
        if not (create and (extracted or kwargs.get("complete"))):
            return
        Beneficiary.objects.create(
            enrolment=obj,
            relationship=Relationship.SPOUSE,
            spouse_kind=SpouseKind.MARRIED,
            civility=Civility.MRS,
            first_name="Claire",
            last_name="Lambert",
            birth_date=dt.date(1987, 4, 2),
            nir=make_nir(900 + obj.pk, sex="2", year=87, month=4),
        )
        Beneficiary.objects.create(
            enrolment=obj,
            relationship=Relationship.CHILD,
            civility=Civility.MRS,
            first_name="Clémence",
            last_name="Simon",
            birth_date=dt.date(2022, 5, 9),
            attached_to_member_nir=True,
        )
        BankAccount.objects.create(
            enrolment=obj,
            purpose=BankAccountPurpose.BENEFITS,
            holder=obj.employee.full_name,
            iban=IBAN_BENEFITS,
            bic=BIC_BENEFITS,
        )
        BankAccount.objects.create(
            enrolment=obj,
            purpose=BankAccountPurpose.CONTRIBUTIONS,
            holder=obj.employee.full_name,
            iban=IBAN_CONTRIBUTIONS,
            bic=BIC_CONTRIBUTIONS,
        )
