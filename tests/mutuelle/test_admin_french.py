"""The back office speaks French (issue 11, polish): every admin list, add and change
page, on the demo data, shows French column headers, filter titles, labels, inline
titles and page titles — no raw field name, no English word, no Django « objet »."""

import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db

# English words a header or a label may show when a verbose name is missing (the words of
# this project's field names), and Django's own generic phrasing.
ENGLISH = re.compile(
    r"\b(created|updated|employee|enrolment|company|contract|group|user|status|name|kind|"
    r"number|request|token|hash|salt|attempt|batch|sent|uploaded|printed|processed|"
    r"beneficiary|owner|amount|payment|account|member|instalment|settlement|line|reason|"
    r"author|body|title|size|issued|expires|valid|active|by|at|of|the|is|has|get|"
    r"challenge|evidence|fingerprint|conversation message|import job|sent by)\b",
    re.IGNORECASE,
)
# Django's « Ajouter un objet … supplémentaire », « Sélectionnez l'objet … », and a
# « de » before a vowel (« Modification de adhésion »). « Objet » alone is a subject.
DJANGO_GENERIC = re.compile(r"\b(un |l’|l')objets?\b|\bde [aeiouéèêàâîôû]", re.IGNORECASE)


class Labels(HTMLParser):
    """What names things on an admin page: title, headings, column headers, filter
    titles, field labels, the inline « add another » texts."""

    WATCHED = {"title", "h1", "h2", "h3", "th", "label", "summary", "legend"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._stack: list[list] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-inline-formset" in attrs:
            options = json.loads(attrs["data-inline-formset"])["options"]
            self.found += [options["addText"], options["deleteText"]]
        if "data-filter-title" in attrs:
            self.found.append(attrs["data-filter-title"])
        if tag in self.WATCHED:
            self._stack.append([tag, ""])

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1][0] == tag:
            text = " ".join(self._stack.pop()[1].split())
            if text:
                self.found.append(text)

    def handle_data(self, data):
        if self._stack:
            self._stack[-1][1] += data


def untranslated(html: str) -> list[str]:
    labels = Labels()
    labels.feed(html)
    return sorted(
        {
            text
            for text in labels.found
            if "_" in text or ENGLISH.search(text) or DJANGO_GENERIC.search(text)
        }
    )


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True  # seed_demo is for the development machine
    call_command("seed_demo", stdout=io.StringIO())


def admin_pages(user):
    request = RequestFactory().get("/gestion/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{info}_changelist")
        yield reverse(f"{info}_add")  # 403 where the back office may not add
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None:
            yield reverse(f"{info}_change", args=[obj.pk])


def test_every_admin_page_names_things_in_french(seeded, client):
    user = UserFactory(staff=True, is_superuser=True)
    client.force_login(user)
    problems, seen = {}, 0
    for url in admin_pages(user):
        response = client.get(url)
        if response.status_code == 403:  # an add page the back office may not use
            continue
        assert response.status_code == 200, url
        seen += 1
        found = untranslated(response.text)
        if found:
            problems[url] = found
    assert seen > 100
    assert not problems, "\n".join(f"{url} : {found}" for url, found in problems.items())


def test_the_check_catches_what_the_issue_saw():
    page = (
        '<table><thead><tr><th scope="col">ENROLMENT</th><th>Created at</th></tr></thead>'
        '</table><details data-filter-title="company"><summary>Par company</summary></details>'
        "<h1>Modification de adhésion signée</h1>"
        '<div data-inline-formset=\'{"options": {"addText": "Ajouter un objet Justificatif '
        'supplémentaire", "deleteText": "Supprimer"}}\'></div><label>nir_hash</label>'
    )
    assert untranslated(page) == [
        "Ajouter un objet Justificatif supplémentaire",
        "Created at",
        "ENROLMENT",
        "Modification de adhésion signée",
        "Par company",
        "company",
        "nir_hash",
    ]


def test_the_compiled_admin_phrases_match_their_source():
    """locale/fr/LC_MESSAGES/django.mo is what gettext reads: it says what the .po says
    (run ``make messages`` after editing the .po)."""
    from django.conf import settings
    from django.utils import translation

    source = (settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text()
    entries = re.findall(r'msgid ((?:"[^\n]*"\n)+)msgstr ((?:"[^\n]*"\n?)+)', source)
    pairs = [
        ("".join(re.findall(r'"(.*)"', msgid)), "".join(re.findall(r'"(.*)"', msgstr)))
        for msgid, msgstr in entries
    ]
    pairs = [(msgid, msgstr) for msgid, msgstr in pairs if msgid]
    assert len(pairs) > 10
    with translation.override("fr"):
        for msgid, msgstr in pairs:
            assert translation.gettext(msgid) == msgstr
