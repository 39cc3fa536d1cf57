"""Bulk INSERT of thousands of rows (a file import) without the ORM's per-value work.

The ORM's ``bulk_create`` builds a model per row and prepares each value through its
field (about 1 µs × columns × rows), which dominated a 10,000-row import. Here the
caller hands rows of database-ready values, and each database gets the statement it
runs fastest:

- SQLite: ``INSERT … SELECT`` from a multi-row ``VALUES`` list of the rows' own values,
  as many rows per statement as SQLite's limit of bound values allows;
- PostgreSQL: one array per column, unnested by the server. A multi-row ``VALUES`` list
  of 2,000 rows has 60,000 placeholders, which psycopg splits in Python and the server
  parses one by one (3.5 s of a 10,000-row import); here the statement has one
  parameter per column whatever the number of rows, and the arrays go in binary
  (``%b``: psycopg quotes every element of a text array with a regular expression).
"""

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone


def bulk_insert(
    model,
    fields: Sequence[str],
    rows: Iterable[tuple],
    *,
    shared: Mapping[str, object] | None = None,
    returning: str = "",
) -> dict:
    """Insert ``rows`` (tuples of database-ready values for ``fields``, in that order).

    ``shared``: ``{field name: database-ready value}`` the same for every row (the
    company, the time, who declared them). Those values, and the defaults of the columns
    given neither way (``auto_now`` / ``auto_now_add``: the current time, prepared once,
    so that fields added to the model later are filled in), are bound once per
    statement rather than once per row: a row of a file import then binds 28 values
    instead of 71, and binding was most of SQLite's time. With ``returning`` (a field
    name), returns ``{that field's value: id}`` of the inserted rows, read from the
    INSERT itself (RETURNING: PostgreSQL, SQLite ≥ 3.35) rather than by a second query.
    No rows, no query. A field both in ``fields`` and in ``shared`` raises ValueError.
    """
    rows = list(rows)
    if not rows:
        return {}
    opts = model._meta
    shared = shared or {}
    if twice := set(fields) & set(shared):
        raise ValueError(f"Given both per row and as shared: {', '.join(sorted(twice))}")
    given = [opts.get_field(name) for name in fields]
    named = {f.name for f in given} | set(shared)
    defaulted = [
        f for f in opts.concrete_fields if f.name not in named and not f.primary_key and f.column
    ]
    now = timezone.now()
    constant = [opts.get_field(name) for name in shared] + defaulted
    constant_values = [
        *shared.values(),
        *(
            f.get_db_prep_save(
                now
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default(),
                connection,
            )
            for f in defaulted
        ),
    ]
    quote = connection.ops.quote_name
    # Identifiers come from the model's metadata; values are query parameters.
    table = quote(opts.db_table)
    names = ", ".join(quote(f.column) for f in [*given, *constant])
    tail = ""
    if returning:
        tail = f" RETURNING {quote(opts.get_field(returning).column)}, {quote(opts.pk.column)}"
    if connection.vendor == "postgresql":
        return _insert_arrays(table, names, given, constant, constant_values, rows, tail)
    # The rows' values come from a VALUES list (its columns are named column1, column2…),
    # the constants from a placeholder each, ahead of them in the text.
    selected = ", ".join(
        [*(f"column{index}" for index in range(1, len(given) + 1)), *(["%s"] * len(constant))]
    )
    marks = f"({', '.join(['%s'] * len(given))})"
    per_statement = max(1, (_max_query_params() - len(constant)) // len(given))
    ids: dict = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {selected} "  # noqa: S608
                f"FROM (VALUES {', '.join([marks] * len(batch))}){tail}",
                [*constant_values, *(value for row in batch for value in row)],
            )
            if tail:
                ids.update(cursor.fetchall())
    return ids


def _insert_arrays(table, names, given, constant, constant_values, rows, tail) -> dict:
    columns = [list(values) for values in zip(*rows, strict=True)]
    selected = ", ".join(["new_rows.*", *(f"%s::{f.cast_db_type(connection)}" for f in constant)])
    arrays = ", ".join(f"%b::{f.cast_db_type(connection)}[]" for f in given)
    sql = (
        f"INSERT INTO {table} ({names}) "  # noqa: S608 - names from _meta, values as params
        f"SELECT {selected} FROM unnest({arrays}) AS new_rows{tail}"
    )
    with connection.cursor() as cursor:
        # In the order of their placeholders: the constants come first in the text.
        cursor.execute(sql, [*constant_values, *columns])
        return dict(cursor.fetchall()) if tail else {}


def _max_query_params() -> int:
    """Bound parameters allowed in one statement: SQLite's compiled limit (32,766
    since 3.32; Django's features still say 999)."""
    connection.ensure_connection()
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


@contextmanager
def planned_for_their_values():
    """PostgreSQL: the statements run inside are planned for their own values and the
    tables' current sizes, never prepared. psycopg prepares a statement run five times
    on a connection (``prepare_threshold`` in the settings), and PostgreSQL may then
    keep one generic plan made for the tables' sizes of that moment. A file import
    adds thousands of rows per round in one transaction, which no statistics see: a
    plan made while the tables were nearly empty (every employee of the contract
    compared with 2,000 hashes) took 5 s per round at 90,000 rows. The foreign-key
    checks keep their own cached plans (changing ``plan_cache_mode`` instead would
    re-plan each of them: 8 s for 90,000 rows)."""
    raw = connection.connection if connection.vendor == "postgresql" else None
    previous = getattr(raw, "prepare_threshold", None)
    if previous is None:
        yield
        return
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = previous
