"""Database connections. PostgreSQL: a query the site runs again and again is planned
once per connection (``DATABASE_PREPARED_STATEMENTS``, on by default). SQLite (the
embedded default): the file is in write-ahead-log mode."""

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

import mutuelle.settings as project_settings
from mutuelle.bulk import planned_for_their_values
from mutuelle.models import Company


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_query_run_again_and_again_is_prepared_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (CI).")
    for siret in ("73282932000074", "55210055400013", "44306184100047", "40483304800022"):
        list(Company.objects.filter(siret=siret))
    assert not [s for s in _prepared_statements() if "mutuelle_company" in s]
    for _ in range(3):
        list(Company.objects.filter(siret="73282932000074"))
    # Same text, other values: one prepared statement with placeholders.
    prepared = [s for s in _prepared_statements() if "mutuelle_company" in s]
    assert len(prepared) == 1 and "$1" in prepared[0]


@pytest.mark.django_db
def test_statements_of_a_bulk_round_are_never_prepared():
    """A plan kept from when the tables were small would serve the whole import."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (CI).")
    with planned_for_their_values():
        for _ in range(7):
            list(Company.objects.filter(siret="73282932000074"))
    assert not [s for s in _prepared_statements() if "mutuelle_company" in s]
    # Afterwards the connection prepares again.
    for _ in range(6):
        list(Company.objects.filter(siret="73282932000074"))
    assert [s for s in _prepared_statements() if "mutuelle_company" in s]


def test_the_embedded_sqlite_file_is_opened_in_write_ahead_log_mode(tmp_path, django_db_blocker):
    """Readers and the one writer no longer wait for each other (web process, worker)."""
    wrapper = DatabaseWrapper(
        {
            **connection.settings_dict,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp_path / "db.sqlite3"),
            "OPTIONS": project_settings.SQLITE_OPTIONS,
        },
        alias="wal_check",
    )
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        wrapper.close()
