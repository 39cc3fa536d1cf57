import datetime as dt
from decimal import Decimal

import factory
from stdnum import luhn

from mutuelle.enums import ActCode, CoverageLevel, GuaranteeDomain, GuaranteeFormula, ProductLine
from mutuelle.models import (
    AccountManager,
    Company,
    Contract,
    CorrespondentAccess,
    GuaranteeRow,
    InsuredGroup,
    Offer,
    User,
)

PASSWORD = "Motdepasse-2026!"


def make_siret(n: int) -> str:
    """A valid SIRET: a Luhn-valid SIREN, then the NIC and the SIRET's own Luhn digit."""
    siren = f"{(n * 7919) % 10**8:08d}"
    siren += luhn.calc_check_digit(siren)
    base = siren + "0001"
    return base + luhn.calc_check_digit(base)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.fr")
    first_name = "Camille"
    last_name = "Martin"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    class Params:
        staff = factory.Trait(is_staff=True)


class AccountManagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountManager

    first_name = "Julien"
    last_name = "Moreau"
    phone = "+33140000000"
    email = factory.Sequence(lambda n: f"charge{n}@mutuelle.example.fr")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    legal_name = factory.Sequence(lambda n: f"Entreprise {n} SAS")
    siret = factory.Sequence(lambda n: make_siret(n + 1))
    trade_name = "Enseigne"
    address_number = "12"
    address_street = "RUE DE LA PAIX"
    postal_code = "75002"
    city = "PARIS"
    country = "FRANCE"
    phone = "+33145000000"
    email = factory.Sequence(lambda n: f"rh{n}@entreprise.example.fr")
    account_manager = factory.SubFactory(AccountManagerFactory)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"CS{n:06d}")
    product_line = ProductLine.HEALTH
    start_date = dt.date(2024, 1, 1)


class InsuredGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsuredGroup

    contract = factory.SubFactory(ContractFactory)
    name = factory.Sequence(lambda n: f"Collège {n}")


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    group = factory.SubFactory(InsuredGroupFactory)
    contract = factory.SelfAttribute("group.contract")
    level = CoverageLevel.BASE
    member_monthly_cost = Decimal("0.00")
    spouse_monthly_cost = Decimal("25.50")
    child_monthly_cost = Decimal("15.20")


class CorrespondentAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CorrespondentAccess

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)


class GuaranteeRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuaranteeRow

    offer = factory.SubFactory(OfferFactory)
    domain = GuaranteeDomain.ROUTINE_CARE
    act_code = ActCode.PHARMACIE
    label = factory.LazyAttribute(lambda row: ActCode(row.act_code).label)
    formula = GuaranteeFormula.PERCENT_BR
    rate = Decimal("100")
