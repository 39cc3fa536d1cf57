import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from enrolment.models import BankAccount, Employee
from mutuelle.fields import keyed_hash
from mutuelle.models import Company
from tests.enrolment.factories import EmployeeFactory, EnrolmentFactory, make_nir
from tests.mutuelle.factories import CompanyFactory

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]
IBAN = "FR7630006000011234567890189"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


class TestEncryptionAtRest:
    def test_nir_and_iban_are_stored_encrypted_and_read_back(self):
        enrolment = EnrolmentFactory()
        employee = enrolment.employee
        account = BankAccount.objects.create(
            enrolment=enrolment,
            purpose="prestations",
            holder="P. Durand",
            iban=IBAN,
            bic="AGRIFRPP",
        )
        stored_nir = raw("enrolment_employee", "nir", employee.pk)
        assert employee.nir not in stored_nir
        assert stored_nir.startswith("gAAAA")  # a Fernet token
        assert IBAN not in raw("enrolment_bankaccount", "iban", account.pk)
        assert Employee.objects.get(pk=employee.pk).nir == employee.nir
        assert BankAccount.objects.get(pk=account.pk).iban == IBAN

    def test_duplicate_lookup_through_the_keyed_hash(self):
        company = CompanyFactory()
        nir = make_nir(4242)
        employee = EmployeeFactory(company=company, nir=f"{nir[:1]} {nir[1:3]} {nir[3:]}")
        assert Employee.objects.get(nir_hash=keyed_hash(nir)) == employee
        with pytest.raises(IntegrityError), transaction.atomic():
            EmployeeFactory(company=company, nir=nir)
        # Another company may employ the same person.
        EmployeeFactory(nir=nir)

    def test_encrypted_columns_refuse_meaningless_lookups(self):
        with pytest.raises(FieldError, match="Unsupported lookup"):
            list(Employee.objects.filter(nir="185107511100142"))


class TestKeyRotation:
    def test_rotation_rewrites_every_value_with_the_newest_key(self, settings):
        old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        settings.FIELD_ENCRYPTION_KEYS = [old_key]
        enrolment = EnrolmentFactory()
        account = BankAccount.objects.create(
            enrolment=enrolment,
            purpose="prestations",
            holder="P. Durand",
            iban=IBAN,
            bic="AGRIFRPP",
        )
        nir = enrolment.employee.nir

        settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
        out = io.StringIO()
        call_command("rotate_field_keys", batch_size=1, stdout=out)
        assert "enrolment.Employee : 1 ligne" in out.getvalue()

        new_only = Fernet(new_key.encode())
        token = raw("enrolment_employee", "nir", enrolment.employee.pk)
        assert new_only.decrypt(token.encode()).decode() == nir
        settings.FIELD_ENCRYPTION_KEYS = [new_key]
        assert Employee.objects.get(pk=enrolment.employee.pk).nir == nir
        assert BankAccount.objects.get(pk=account.pk).iban == IBAN


class TestModelValidation:
    """Invalid identifiers never reach the database, whatever the entry point."""

    def test_invalid_siret_is_refused(self):
        with pytest.raises(ValidationError, match="SIRET"):
            CompanyFactory(siret="12345678901234")
        assert not Company.objects.filter(siret="12345678901234").exists()

    def test_invalid_nir_is_refused(self):
        nir = make_nir(7)
        wrong_key = nir[:13] + f"{(int(nir[13:]) + 1) % 97:02d}"
        with pytest.raises(ValidationError, match="clé de contrôle"):
            EmployeeFactory(nir=wrong_key)
        assert not Employee.objects.exists()

    def test_invalid_iban_and_rib_key_are_refused(self):
        enrolment = EnrolmentFactory()
        for iban, message in (
            ("FR7630006000011234567890188", "IBAN est invalide"),
            ("DE89370400440532013000", "pays du BIC"),
        ):
            with pytest.raises(ValidationError, match=message):
                BankAccount.objects.create(
                    enrolment=enrolment,
                    purpose="prestations",
                    holder="X",
                    iban=iban,
                    bic="AGRIFRPP",
                )
        assert not BankAccount.objects.exists()


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "portail.mutuelle.example.fr",
    "EMAIL_HOST": "smtp.mutuelle.example.fr",
    "SMS_GATEWAY_URL": "https://sms.mutuelle.example.fr/api/send",
    "SEPA_CREDITOR_ICS": "FR72ZZZ123456",
    "SEAL_CERT_FILE": "/run/secrets/seal-cert.pem",
    "SEAL_KEY_FILE": "/run/secrets/seal-key.pem",
}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", VAR_DIR=str(tmp_path), **PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS"])
def test_production_refuses_to_start_without_real_keys(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    "values",
    [
        ["185107500412345"],
        ["", "é" * 40, "FR7630006000011234567890189", "x" * 15, "y" * 16, "z" * 17],
    ],
)
def test_encrypt_many_gives_fernet_tokens(values):
    from mutuelle.fields import encrypt_many, fernet

    tokens = encrypt_many(values)
    assert [fernet().decrypt(t.encode()).decode() for t in tokens] == values
    # A fresh IV per value: the same clear text never gives the same token.
    assert len(set(encrypt_many(["même"] * 50))) == 50
