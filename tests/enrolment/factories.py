import datetime as dt

import factory
from django.utils import timezone

from enrolment.enums import Civility, EnrolmentStatus, RequestType
from enrolment.models import Employee, Enrolment, Request
from tests.mutuelle.factories import CompanyFactory, InsuredGroupFactory


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

    @factory.post_generation
    def with_request(obj, create, extracted, **kwargs):
        if create:
            Request.objects.create(
                company=obj.employee.company,
                employee=obj.employee,
                enrolment=obj,
                type=RequestType.AFFILIATION,
            )
