"""Result periods: a quarter (`2026-Q4`) or a month (`2026-11`). Pure.

A period is text people type in spreadsheets, so it is checked strictly and kept as written
(upper-case Q). Its first and last day decide which answers count towards a rep's proficiency
for it.
"""

from __future__ import annotations

import datetime
import re

_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FORMAT_HINT = "write a quarter as 2026-Q4 or a month as 2026-11"


class BadPeriod(ValueError):
    """Not a period this server understands; the message says how to write one."""


def parse_period(text: str) -> str:
    """The period in its stored form, e.g. ' 2026-q4 ' -> '2026-Q4'."""
    value = text.strip()
    if quarter := _QUARTER.match(value):
        year = int(quarter.group(1))
        _check_year(year, value)
        return f"{year:04d}-Q{quarter.group(2)}"
    if month := _MONTH.match(value):
        year, number = int(month.group(1)), int(month.group(2))
        _check_year(year, value)
        if not 1 <= number <= 12:
            raise BadPeriod(f"period {value!r} has no month {number}: {FORMAT_HINT}")
        return f"{year:04d}-{number:02d}"
    if not value:
        raise BadPeriod(f"the period is empty: {FORMAT_HINT}")
    raise BadPeriod(f"period {value!r} is not a quarter or a month: {FORMAT_HINT}")


def _check_year(year: int, value: str) -> None:
    if not 2000 <= year <= 2100:
        raise BadPeriod(f"period {value!r}: the year must be between 2000 and 2100")


def bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a stored period."""
    year = int(period[:4])
    if period[5] == "Q":
        first_month = 3 * (int(period[6]) - 1) + 1
        last_month = first_month + 2
    else:
        first_month = last_month = int(period[5:7])
    start = datetime.date(year, first_month, 1)
    after = datetime.date(year + (last_month == 12), last_month % 12 + 1, 1)
    return start, after - datetime.timedelta(days=1)


def sort_key(period: str) -> tuple[datetime.date, int]:
    """Periods in time order: by first day, a quarter before the months inside it."""
    start, end = bounds(period)
    return start, -(end - start).days
