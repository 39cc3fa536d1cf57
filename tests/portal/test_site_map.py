"""The site map (portal, the top layer): both spaces' pages, a correspondent's own
companies only."""

import pytest
from django.urls import reverse

from tests.mutuelle.factories import CompanyFactory, CorrespondentAccessFactory

pytestmark = pytest.mark.django_db


def test_site_map_lists_the_correspondents_own_companies_only(client):
    access = CorrespondentAccessFactory(company__legal_name="Boulangerie Martin SARL")
    CompanyFactory(legal_name="Atelier Dupont SAS")
    client.force_login(access.user)
    html = client.get(reverse("site_map")).content.decode()
    assert "Boulangerie Martin SARL" in html and "Atelier Dupont SAS" not in html
    assert reverse("employer_portal:employees", args=[access.company.pk]) in html
    assert reverse("member_portal:account_create") in html
    client.logout()
    html = client.get(reverse("site_map")).content.decode()
    assert "Boulangerie Martin SARL" not in html
