"""Deadlines in working days, for timer expressions in a diagram (``working_days(5)``).

The complaints process (policy section 8) counts its deadlines in working days: Monday to Friday,
without the bank holidays of England and Wales. Those follow fixed rules (New Year's Day, Good
Friday, Easter Monday, the first and last Mondays of May, the last Monday of August, Christmas
Day and Boxing Day, each moved to the next weekday when it falls on a weekend), so they are
computed here for any year. A one-off holiday proclaimed for a single year (a coronation, a
funeral) is not known in advance and counts as a working day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from processes import clock

MONDAY, FRIDAY = 0, 4
MAX_DAYS = 366


def _easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(MONDAY - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    last = first_of_next - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - MONDAY) % 7)


def _substitutes(days: list[date]) -> set[date]:
    """Fixed-date holidays that fall on a weekend move to the next free weekday."""
    taken: set[date] = set()
    for day in days:
        while day.weekday() > FRIDAY or day in taken:
            day += timedelta(days=1)
        taken.add(day)
    return taken


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in ``year`` (substitute days included)."""
    easter = _easter_sunday(year)
    return frozenset(
        {
            *_substitutes([date(year, 1, 1)]),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            _monday_on_or_after(date(year, 5, 1)),
            _last_monday(year, 5),
            _last_monday(year, 8),
            *_substitutes([date(year, 12, 25), date(year, 12, 26)]),
        }
    )


def is_working_day(day: date) -> bool:
    return day.weekday() <= FRIDAY and day not in bank_holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same time of day, ``days`` working days after ``start`` (counting from the next day)."""
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DAYS:
        raise ValueError(f"working_days needs a whole number of days from 0 to {MAX_DAYS}, not {days!r}")
    end, counted = start, 0
    while counted < days:
        end += timedelta(days=1)
        counted += is_working_day(end.date())
    return end


def working_days(days: int) -> str:
    """An ISO-8601 duration from the engine's clock to ``days`` working days later, e.g. ``'P7D'``:
    what a timer expression returns for a deadline in working days."""
    start = clock.now()
    return f"P{(add_working_days(start, days) - start).days}D"
