"""Working-day deadlines: the bank holidays of England and Wales as GOV.UK publishes them, and
the ``working_days`` helper a diagram's timer calls."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from processes import sandbox
from processes.clock import frozen_at
from processes.working_days import add_working_days, bank_holidays, working_days

# Published at https://www.gov.uk/bank-holidays (England and Wales).
PUBLISHED = {
    2025: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    2027: ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_bank_holidays_match_the_published_dates(year):
    expected = {date.fromisoformat(f"{year}-{day}") for day in PUBLISHED[year]}
    assert bank_holidays(year) == expected


def test_a_new_year_on_a_saturday_moves_to_monday():
    assert date(2028, 1, 3) in bank_holidays(2028) and date(2028, 1, 1) not in bank_holidays(2028)


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), 5, datetime(2026, 3, 9, 9, 0, tzinfo=UTC)),  # Mon -> Mon
        (datetime(2026, 3, 6, 16, 0, tzinfo=UTC), 1, datetime(2026, 3, 9, 16, 0, tzinfo=UTC)),  # Fri -> Mon
        (datetime(2026, 3, 7, 10, 0, tzinfo=UTC), 5, datetime(2026, 3, 13, 10, 0, tzinfo=UTC)),  # Sat -> Fri
        (datetime(2026, 4, 2, 9, 0, tzinfo=UTC), 5, datetime(2026, 4, 13, 9, 0, tzinfo=UTC)),  # Easter
        (datetime(2026, 12, 24, 9, 0, tzinfo=UTC), 1, datetime(2026, 12, 29, 9, 0, tzinfo=UTC)),
        (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), 0, datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
    ],
)
def test_add_working_days_skips_weekends_and_bank_holidays(start, days, end):
    assert add_working_days(start, days) == end


def test_working_days_is_a_duration_from_the_engine_clock():
    with frozen_at(datetime(2026, 4, 2, 9, 0, tzinfo=UTC)):
        assert working_days(5) == "P11D"
    with frozen_at(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)):
        assert working_days(20) == "P28D"


@pytest.mark.parametrize("bad", [-1, 367, 2.5, "5", True])
def test_a_bad_number_of_days_is_refused_in_plain_words(bad):
    with pytest.raises(ValueError, match="whole number of days"):
        add_working_days(datetime(2026, 3, 2, tzinfo=UTC), bad)


def test_diagram_code_may_call_it():
    with frozen_at(datetime(2026, 4, 2, 9, 0, tzinfo=UTC)):
        code = sandbox.code_for("working_days(5)", "eval")
        assert sandbox.run(code, sandbox.restricted_globals()) == "P11D"
