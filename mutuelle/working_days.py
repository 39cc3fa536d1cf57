"""French working days (jours ouvrés): Monday to Friday except public holidays. Used
for the deadlines the ACPR sets in working days and for reply delays shown to members."""

import datetime as dt
from functools import lru_cache

from dateutil.easter import easter


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[dt.date]:
    """The eleven national public holidays (Code du travail, art. L3133-1)."""
    easter_sunday = easter(year)
    return frozenset(
        {
            dt.date(year, 1, 1),
            easter_sunday + dt.timedelta(days=1),  # lundi de Pâques
            dt.date(year, 5, 1),
            dt.date(year, 5, 8),
            easter_sunday + dt.timedelta(days=39),  # Ascension
            easter_sunday + dt.timedelta(days=50),  # lundi de Pentecôte
            dt.date(year, 7, 14),
            dt.date(year, 8, 15),
            dt.date(year, 11, 1),
            dt.date(year, 11, 11),
            dt.date(year, 12, 25),
        }
    )


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day``."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 for the same day)."""
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days += 1
    return days
