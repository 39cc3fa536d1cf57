import pytest

from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import (
    CorrespondentAccessFactory,
    InsuredGroupFactory,
    OfferFactory,
)


@pytest.fixture
def access(db):
    return CorrespondentAccessFactory()


@pytest.fixture
def company(access):
    return access.company


@pytest.fixture
def group(company):
    return InsuredGroupFactory(contract__company=company, name="Cadres")


@pytest.fixture
def offer(group):
    return OfferFactory(group=group)


@pytest.fixture
def hr(client, access):
    """The test client logged in as the company's correspondent."""
    client.force_login(access.user)
    return client


@pytest.fixture
def make_enrolment(group):
    def make(**kwargs):
        kwargs.setdefault("employee__company", group.contract.company)
        return EnrolmentFactory(group=group, **kwargs)

    return make


@pytest.fixture
def other_enrolment(db):
    """An enrolment of another company: every lookup of it must give 404."""
    return EnrolmentFactory(invited=True)
