"""Elision, agreement and plurals: « d'Atelier Dupont », « l'assurée », « 1 salarié »;
times and phone numbers that do not break."""

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse

from mutuelle.french import de, elides, gendered, hours, le, phone, plural


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Atelier Dupont", "d'Atelier Dupont"),
        ("Emma GIRARD", "d'Emma GIRARD"),
        ("Élodie", "d'Élodie"),
        ("Hélène", "d'Hélène"),
        ("Yvonne", "d'Yvonne"),
        ("Boulangerie Martin", "de Boulangerie Martin"),
        ("Hollande Services", "de Hollande Services"),
    ],
)
def test_de_elides_before_a_vowel_or_a_mute_h(word, expected):
    assert de(word) == expected


def test_le_and_elision():
    assert le("Atelier") == "l'Atelier"
    assert le("Médiateur de la Mutualité Française") == "le Médiateur de la Mutualité Française"
    assert elides("  Ouest") and not elides("Paris")


def test_gender_and_plural():
    assert gendered("MME", "l'assuré", "l'assurée") == "l'assurée"
    assert gendered("M", "l'assuré", "l'assurée") == "l'assuré"
    assert plural(0, "salarié", "salariés") == "0 salarié"
    assert plural(1, "salarié", "salariés") == "1 salarié"
    assert plural(2, "salarié", "salariés") == "2 salariés"


def test_template_filters():
    html = Template(
        "{% load french %}{{ name|de }} — {{ n|plural:'salarié validé,salariés validés' }} — "
        "{{ civility|gendered:'inscrit,inscrite' }}"
    ).render(Context({"name": "Atelier Dupont", "n": 3, "civility": "MME"}))
    assert html == "d&#x27;Atelier Dupont — 3 salariés validés — inscrite"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "du lundi au vendredi de 8 h 30 à 18 h",
            "du lundi au vendredi de 8\u00a0h\u00a030 à 18\u00a0h",
        ),
        ("et le samedi de 9 h à 12 h.", "et le samedi de 9\u00a0h à 12\u00a0h."),
        ("Lundi : 9 h – 18 h 45", "Lundi : 9\u00a0h – 18\u00a0h\u00a045"),
        # Not a time: left as written.
        (
            "à 2,5 h près, 12 heures, 10 hommes, 9h–18h",
            "à 2,5 h près, 12 heures, 10 hommes, 9h–18h",
        ),
    ],
)
def test_times_of_day_do_not_break(text, expected):
    assert hours(text) == expected
    html = Template("{% load french %}{{ text|hours }}").render(Context({"text": text}))
    assert html == expected


@pytest.mark.django_db
def test_plain_text_emails_elide_company_names():
    from mutuelle.notifications import render_plain_text

    text = render_plain_text(
        "notifications/reminder.subject.txt", {"company": {"legal_name": "Atelier Dupont"}}
    )
    assert "complémentaire santé d'Atelier Dupont" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09 80 98 98 22", "09\u00a080\u00a098\u00a098\u00a022"),
        ("+33 9 80 98 98 22", "+33\u00a09\u00a080\u00a098\u00a098\u00a022"),
        ("0 800 123 456", "0\u00a0800\u00a0123\u00a0456"),
        # Only the spaces between digits: the words around the number keep theirs.
        (
            "Appelez le 09 80 98 98 22 (appel",
            "Appelez le 09\u00a080\u00a098\u00a098\u00a022 (appel",
        ),
        ("0980989822", "0980989822"),
    ],
)
def test_phone_numbers_do_not_break(text, expected):
    assert phone(text) == expected
    html = Template("{% load french %}{{ text|phone }}").render(Context({"text": text}))
    assert html == expected


@pytest.mark.django_db
def test_help_lines_of_the_pages_and_letters_do_not_break(client):
    """The footer of every page and the postal letters (PDFs) write the help lines with
    no-break spaces; plain-text e-mails keep the normal ones."""
    company_line = settings.MUTUELLE["company_help_phone"]
    assert " " in company_line
    page = client.get(reverse("account_login")).content.decode()
    assert phone(company_line) in page and company_line not in page
    letter = render_to_string(
        "enrolment/letters/identifier.html", {"mutuelle": settings.MUTUELLE, "identifier": "x"}
    )
    enrolment_line = settings.MUTUELLE["enrolment_help_phone"]
    assert phone(enrolment_line) in letter and enrolment_line not in letter
    text = render_to_string("notifications/invitation.txt", {"mutuelle": settings.MUTUELLE})
    assert enrolment_line in text and phone(enrolment_line) not in text
