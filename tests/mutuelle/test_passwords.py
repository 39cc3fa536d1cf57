"""Item 10 of issue 12: Argon2id hashes sized for a fast login, old hashes upgraded at
login, and a French list of common passwords."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

import mutuelle.settings as project_settings
from mutuelle.models import User
from mutuelle.passwords import FrenchCommonPasswordValidator
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
