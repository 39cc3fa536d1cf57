"""Item 10 of issue 12: Argon2id hashes sized for a fast login, old hashes upgraded at
login, and a French list of common passwords."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

import mutuelle.settings as project_settings
from mutuelle.models import User
from mutuelle.passwords import FrenchCommonPasswordValidator, MutuelleArgon2PasswordHasher
from tests.mutuelle.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_hashers(settings):
    """The hashers of the settings module (the test suite swaps in MD5 for speed)."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_new_passwords_are_hashed_with_argon2id(project_hashers):
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(encoded).__class__.__name__ == "MutuelleArgon2PasswordHasher"


def test_an_old_pbkdf2_hash_is_upgraded_at_login(project_hashers, client, settings):
    user = UserFactory(email="ancien@example.fr")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    response = client.post("/compte/login/", {"login": "ancien@example.fr", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


def test_a_default_argon2_hash_is_resized_at_login(project_hashers, client):
    """Django's own Argon2 parameters (slower) are replaced by ours at the next login."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = UserFactory(email="lent@example.fr")
    User.objects.filter(pk=user.pk).update(
        password=Argon2PasswordHasher().encode(PASSWORD, "sel" * 6)
    )
    client.post("/compte/login/", {"login": "lent@example.fr", "password": PASSWORD})
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password


@pytest.mark.parametrize(
    "password", ["Azerty1!", "Motdepasse1!", "Soleil2024!", "Marseille-13!", "Chérie2025?"]
)
def test_french_common_passwords_are_refused(password):
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    assert "trop courant" in " ".join(excinfo.value.messages)


@pytest.mark.parametrize("password", ["Soleil-Levant-2026!", "Demo-Mutuelle-2026!", "Kx7!vPq2mz"])
def test_other_passwords_pass_the_french_list(password):
    FrenchCommonPasswordValidator().validate(password)


def _count_hashes(monkeypatch) -> list[str]:
    """Each Argon2 computation of the login (a check or a new hash)."""
    calls: list[str] = []
    for name in ("verify", "encode"):
        original = getattr(MutuelleArgon2PasswordHasher, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(MutuelleArgon2PasswordHasher, name, counted)
    return calls


@pytest.mark.parametrize("login", ["une@example.fr", "une-personne"])
def test_a_login_computes_argon2_once(project_hashers, client, monkeypatch, login):
    """By e-mail or by username, a right password costs one Argon2 check (it cost two:
    Django's ModelBackend hashed the password of a username it could not find)."""
    UserFactory(email="une@example.fr", username="une-personne")
    calls = _count_hashes(monkeypatch)
    response = client.post("/compte/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert calls == ["verify"]


def test_the_admin_login_by_username_still_works(project_hashers, client):
    UserFactory(email="staff@example.fr", username="agent", is_staff=True, is_superuser=True)
    response = client.post(
        "/gestion/login/?next=/gestion/", {"username": "agent", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/gestion/").status_code == 200
