"""Tokens that change whenever an enrolment of a contract is written, for the caches of
what is counted over a contract's enrolments.

Counting a company's employees by situation reads every enrolment of its health
contract: 6–11 ms of PostgreSQL for 10,000 employees on every employer home page, 40 %
of the database's time under ``make loadtest``. The counts are cached under the tokens
of the contracts they read; writing an enrolment drops its contract's token, and the
next reader draws a new one, so the counts are recomputed.

Writes are seen through the ORM's ``post_save`` and ``post_delete`` (connected in
``EnrolmentConfig.ready``) and through the bulk creation of pre-affiliations, which
calls :func:`enrolments_changed` itself. A write that goes around both (raw SQL,
``QuerySet.update`` of a status, an enrolment moved to another contract: none in the
code today) is seen when the cached counts expire, after ``COUNTS_TTL`` at most.
"""

import secrets
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

COUNTS_TTL = 5 * 60
# Fields whose change moves an enrolment from one count to another.
COUNTED_FIELDS = frozenset({"status", "contract", "contract_id", "employee", "employee_id"})


def _key(contract_id: int) -> str:
    return f"enrolments-of-contract:{contract_id}"


def contract_tokens(contract_ids: Iterable[int]) -> str:
    """One string naming the current state of these contracts' enrolments. A missing
    token is drawn with ``get_or_set``: of two readers drawing at once, both keep the
    first one stored."""
    return "-".join(
        f"{pk}.{cache.get_or_set(_key(pk), _new_token, COUNTS_TTL)}"
        for pk in sorted(set(contract_ids))
    )


def _new_token() -> str:
    return secrets.token_hex(8)


def enrolments_changed(contract_ids: Iterable[int]) -> None:
    """Drop the tokens now and again at commit: a page counting between the write and
    its commit still saw the old rows, and cached them under a token drawn meanwhile."""
    keys = [_key(pk) for pk in set(contract_ids)]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def enrolment_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not COUNTED_FIELDS & set(update_fields):
        return
    enrolments_changed([instance.contract_id])


def enrolment_deleted(sender, instance, **kwargs) -> None:
    enrolments_changed([instance.contract_id])
