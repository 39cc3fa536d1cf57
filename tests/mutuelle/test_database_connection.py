"""PostgreSQL connections: a query the site runs again and again is planned once per
connection (``DATABASE_PREPARED_STATEMENTS``, on by default)."""

import pytest
from django.db import connection

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
