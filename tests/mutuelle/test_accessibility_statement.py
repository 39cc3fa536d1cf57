"""Issue 15 item 10: the RGAA accessibility statement and the site map, linked from the
footer of every layout (the site's, the member space's, the 500 page)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from mutuelle.views import server_error
from tests.member_portal.helpers import in_progress_enrolment
from tests.mutuelle.factories import CorrespondentAccessFactory

pytestmark = pytest.mark.django_db

FOOTER = (
    f'<a href="{reverse("accessibility")}">Accessibilité : partiellement conforme</a>',
    f'<a href="{reverse("site_map")}">Plan du site</a>',
)


def test_statement_follows_the_rgaa_model(client):
    html = client.get(reverse("accessibility")).content.decode()
    for part in (
        "<h1>Déclaration d'accessibilité</h1>",
        "article 47 de la loi n° 2005-102",
        "<strong>partiellement conforme</strong>",
        "RGAA), version 4.1",
        "<h3>Non-conformités</h3>",
        "<h3>Dérogations pour charge disproportionnée</h3>",
        "<h3>Contenus non soumis à l'obligation d'accessibilité</h3>",
        "Cette déclaration a été établie le 30/11/2026",
        "<h2>Retour d'information et contact</h2>",
        "mailto:contact@",
        "<h2>Voies de recours</h2>",
        "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07",
        "https://formulaire.defenseurdesdroits.fr/",
    ):
        assert part in html, part


def test_footer_links_on_public_member_employer_and_error_pages(client):
    pages = [reverse("home"), reverse("account_login"), reverse("accessibility")]
    for url in pages:
        html = client.get(url).content.decode()
        assert all(link in html for link in FOOTER), url

    _enrolment, user = in_progress_enrolment()
    client.force_login(user)
    html = client.get(reverse("member_portal:welcome")).content.decode()
    assert all(link in html for link in FOOTER)

    access = CorrespondentAccessFactory()
    client.force_login(access.user)
    html = client.get(reverse("employer_portal:home", args=[access.company.pk])).content.decode()
    assert all(link in html for link in FOOTER)

    html = server_error(RequestFactory().get("/")).content.decode()
    assert all(link in html for link in FOOTER)


def test_favicon_is_served_locally(client):
    from django.contrib.staticfiles import finders

    html = client.get(reverse("account_login")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/favicon.svg"
    assert finders.find("img/favicon.svg")


def test_help_lines_times_never_break(client):
    """« 8 h 30 » is one word for the line breaker (non-breaking spaces), in the footer
    of the company's pages and of the enrolment's."""
    html = client.get(reverse("account_login")).content.decode()
    assert "du lundi au vendredi de 8\u00a0h\u00a030 à 17\u00a0h\u00a030." in html
    assert "8 h 30" not in html
    _enrolment, user = in_progress_enrolment()
    client.force_login(user)
    html = client.get(reverse("member_portal:welcome")).content.decode()
    assert (
        "de 8\u00a0h\u00a030 à 18\u00a0h\u00a030 et le samedi de 8\u00a0h\u00a030 à 12\u00a0h."
        in html
    )
