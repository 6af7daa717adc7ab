"""Which dates SECAS may set: one rule for opening and closing dates, extensions,
reopenings and late allowances.

A consultation runs for weeks; a date decades away is a slip of the keyboard (9999 for
2025), and one at the edge of the calendar cannot have time added to it or be converted
to another zone without an error. So a date must fall from ``EARLIEST_YEAR`` to
``YEARS_AHEAD`` years from today, and each form says which.
"""

from datetime import date, datetime

from consult.errors import InvalidInput
from consult.filters import LONDON

YEARS_AHEAD = 5
EARLIEST_YEAR = 2000


def latest_day(now: datetime) -> date:
    """The last day (UK) a date may fall on: today, ``YEARS_AHEAD`` years on."""
    today = now.astimezone(LONDON).date()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February, in a year that has none
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def problem(moment: datetime, now: datetime) -> str | None:
    """What is wrong with ``moment`` (aware) as a date SECAS sets, e.g. "must be within 5
    years of today: 29 November 2031 or earlier"; None if nothing."""
    try:
        day = moment.astimezone(LONDON).date()
    except OverflowError:  # at the calendar's edge: year 1 or 9999
        day = moment.date()
    last = latest_day(now)
    if day > last:
        return f"must be within {YEARS_AHEAD} years of today: {last.day} {last:%B %Y} or earlier"
    if day.year < EARLIEST_YEAR:
        return f"must be in {EARLIEST_YEAR} or later"
    return None


def check_reasonable(moment: datetime, now: datetime, noun: str, field: str | None = None) -> None:
    """Raise InvalidInput, naming ``noun`` ("closing date") and ``field``, if ``moment``
    breaks the rule."""
    wrong = problem(moment, now)
    if wrong:
        raise InvalidInput(f"The {noun} {wrong}", field)
