"""400, 403, 404 and 500 are French pages in the site's layout with the help lines and
a way back; the 500 page renders without the database, the cache or the session."""

import pytest
from django.core.cache.backends.base import BaseCache
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import RequestFactory, override_settings
from django.urls import path

import mutuelle.urls as project_urls
from mutuelle.french import phone
from mutuelle.views import server_error


def _raise(exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    path("interdit/", _raise(PermissionDenied())),
    path("mauvais/", _raise(SuspiciousOperation("test"))),
    path("panne/", _raise(RuntimeError("boom"))),
    *project_urls.urlpatterns,
]


class BrokenCache(BaseCache):
    """A cache whose every use fails, as when Redis is down."""

    def __init__(self, location, params):
        super().__init__(params)

    def get(self, *args, **kwargs):
        raise ConnectionError("cache down")

    add = set = delete = get

    def clear(self):
        """The test harness empties the cache between tests."""


@pytest.mark.django_db
@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/adresse-qui-n-existe-pas/", 404, "Page introuvable"),
        ("/interdit/", 403, "Accès refusé"),
        ("/mauvais/", 400, "Requête incorrecte"),
    ],
)
def test_error_pages_are_french_with_help_and_a_way_back(client, settings, path, status, title):
    settings.ROOT_URLCONF = "tests.mutuelle.test_error_pages"
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == status
    html = response.content.decode()
    assert f"<h1>{title}</h1>" in html
    assert "Revenir à l&#x27;accueil" in html or "Revenir à l'accueil" in html
    assert phone(settings.MUTUELLE["member_help_phone"]) in html
    assert "Not Found" not in html and "Server Error" not in html


def test_500_page_renders_without_database_cache_or_session(settings):
    settings.CACHES = {"default": {"BACKEND": "tests.mutuelle.test_error_pages.BrokenCache"}}
    # No django_db mark: any database access would fail this test.
    response = server_error(RequestFactory().get("/panne/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Le service rencontre un problème" in html
    assert phone(settings.MUTUELLE["company_help_phone"]) in html
    assert 'lang="fr"' in html


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF="tests.mutuelle.test_error_pages")
def test_500_handler_is_wired(client):
    import mutuelle.urls

    assert mutuelle.urls.handler500 == "mutuelle.views.server_error"
    client.raise_request_exception = False
    response = client.get("/panne/")
    assert response.status_code == 500
