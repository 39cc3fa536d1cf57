"""Elision, agreement and plurals: « d'Atelier Dupont », « l'assurée », « 1 salarié »."""

import pytest
from django.template import Context, Template

from mutuelle.french import de, elides, gendered, hours, le, plural


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
