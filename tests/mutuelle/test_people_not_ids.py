"""People read their name, French messages and French units, never a technical id
(issue 11, polish): the greeting after login, the login and password-change errors, the
activation message, the list filters' empty choice, file sizes, and the employee's word
for an active enrolment."""

import pytest
from django.contrib.messages import get_messages

from mutuelle.french import file_size
from tests.mutuelle.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/compte/login/"


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_login_with_the_e_mail_greets_by_name_not_by_identifier(client):
    UserFactory(
        username="cmartin", email="claire@exemple.fr", first_name="Claire", last_name="Martin"
    )
    response = client.post(LOGIN, {"login": "claire@exemple.fr", "password": PASSWORD})
    assert flashed(response) == ["Bonjour Claire Martin."]
    page = client.get(response.url, follow=True).text
    assert "cmartin" not in page


def test_the_greeting_shows_a_name_as_typed_once_escaped(client):
    UserFactory(username="adh22000001", email="c@exemple.fr", first_name="Chloé", last_name="d'Arc")
    response = client.post(LOGIN, {"login": "adh22000001", "password": PASSWORD}, follow=True)
    assert "Bonjour Chloé d&#x27;Arc." in response.text
    assert "&amp;#x27;" not in response.text and "adh22000001 " not in response.text


@pytest.mark.parametrize("login", ["claire@exemple.fr", "cmartin", "inconnu@exemple.fr"])
def test_a_failed_login_names_every_way_to_log_in(client, login):
    UserFactory(username="cmartin", email="claire@exemple.fr")
    response = client.post(LOGIN, {"login": login, "password": "Mauvais-2026!"})
    assert response.status_code == 200
    assert "L&#x27;adresse e-mail, l&#x27;identifiant ou le mot de passe est incorrect." in (
        response.text
    )
    assert "pseudo" not in response.text


def test_a_wrong_current_password_has_its_own_message(client):
    client.force_login(UserFactory())
    response = client.post(
        "/compte/password/change/",
        {
            "oldpassword": "Faux-2026!",
            "password1": "Xyz-Nouveau-2026!",
            "password2": "Xyz-Nouveau-2026!",
        },
    )
    assert "Le mot de passe actuel est incorrect." in response.text
    assert "Merci d&#x27;indiquer votre mot de passe actuel" not in response.text


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 octet"),
        (512, "512 octets"),
        (20 * 1024, "20\u00a0Ko"),
        (1536 * 1024, "1,5\u00a0Mo"),
        (5 * 1024 * 1024, "5\u00a0Mo"),
        (5 * 1024 * 1024 + 1000, "5\u00a0Mo"),
        (3 * 1024**3, "3\u00a0Go"),
    ],
)
def test_file_sizes_in_french_units(size, shown):
    assert file_size(size) == shown


def test_a_file_too_large_is_told_in_mo():
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mutuelle.uploads import check_uploads

    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 " + b"x" * 2048, "application/pdf")
    with pytest.raises(ValidationError) as error:
        check_uploads([big], already=0, max_files=3, max_bytes=1024)
    assert "« scan.pdf » dépasse la taille maximale de 1\u00a0Ko." in error.value.messages[0]


def test_pages_show_file_sizes_in_mo():
    from django.template import Context, Template

    shown = Template("{% load french %}{{ size|file_size }}").render(
        Context({"size": 5 * 1024 * 1024})
    )
    assert shown == "5\u00a0Mo"
