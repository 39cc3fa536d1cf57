import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Employees, correspondents and staff are created by the dozen here: hashing their
    # passwords with the production hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
