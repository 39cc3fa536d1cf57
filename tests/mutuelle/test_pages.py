"""mutuelle.pages: a lower layer links to a space's page by name; the space registers
the URL name at startup, and a page left unregistered stops `manage.py check`."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from mutuelle import pages
from mutuelle.checks import page_links_check


def test_every_page_is_registered_by_its_space():
    assert page_links_check(None) == []
    assert {pages.page_url_name(page) for page in pages.PAGES} >= {
        "member_portal:invitation",
        "employer_portal:home",
    }


def test_addresses_are_the_spaces_urls():
    assert pages.page_url("member.invitation", "abc") == (
        f"{settings.SITE_URL}/adherent/invitation/abc/"
    )
    assert pages.page_path("employer.home", 7) == "/entreprise/7/"
    assert pages.page_path("member.conversation", 3) == "/adherent/contact/messages/3/"


def test_an_unregistered_page_stops_the_check_at_startup(monkeypatch):
    monkeypatch.delitem(pages._url_names, "member.card")
    [error] = page_links_check(None)
    assert error.id == "mutuelle.E005" and "'member.card'" in error.msg
    with pytest.raises(SystemCheckError, match=r"member\.card"):
        call_command("check")
    # Asked anyway (a check skipped), the link fails with a message naming the page.
    with pytest.raises(ImproperlyConfigured, match=r"member\.card"):
        pages.page_url("member.card")


def test_a_page_registered_to_a_missing_url_name_stops_the_check(monkeypatch):
    monkeypatch.setitem(pages._url_names, "member.card", "member_portal:carte")
    [error] = page_links_check(None)
    assert error.id == "mutuelle.E006" and "member_portal:carte" in error.msg
    monkeypatch.setitem(pages._url_names, "member.card", "nowhere:card")
    assert [e.id for e in page_links_check(None)] == ["mutuelle.E006"]


def test_a_space_cannot_register_a_page_the_list_does_not_name():
    with pytest.raises(ImproperlyConfigured, match=r"member\.cart"):
        pages.pages_register({"member.cart": "member_portal:card"})
    assert pages.page_url_name("member.cart") is None
