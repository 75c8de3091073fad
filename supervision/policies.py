"""The rules of 第十五条 that are pure date computation (R-52, R-53, R-56). No database here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DUE = "due"          # the period is still running and ends soon: a reminder
OVERDUE = "overdue"  # the period has ended without the talk
WARNING = "warning"  # attachment: from 1 October, days still short
YEAR_END = "year_end"  # attachment: the year is over (or on its last day) and days are short


@dataclass(frozen=True)
class Period:
    """A half-year (R-53 individual talks) or a calendar year (collective talks, attachment)."""

    start: dt.date
    end: dt.date
    label: str  # stable, used in notification keys: "2026H1", "2026"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def half_year(day: dt.date) -> Period:
    """R-53: Jan–Jun and Jul–Dec."""
    if day.month <= 6:
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 6, 30), f"{day.year}H1")
    return Period(dt.date(day.year, 7, 1), dt.date(day.year, 12, 31), f"{day.year}H2")


def previous_half_year(day: dt.date) -> Period:
    return half_year(half_year(day).start - dt.timedelta(days=1))


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))


def talk_checks(as_of: dt.date, *, warning_days: int, yearly: bool = False) -> list[tuple[Period, str]]:
    """R-53: which periods are checked on ``as_of`` and at what stage.

    - the period that just ended is OVERDUE for the whole of the following period
      (half-year: H1 is overdue from 07-01, H2 from 01-01; year: from 01-01);
    - the running period is DUE from ``warning_days`` days before its last day (inclusive).
    On the last day of a period the talk is still only due, never overdue.
    """
    if yearly:
        current, previous = year_period(as_of.year), year_period(as_of.year - 1)
    else:
        current, previous = half_year(as_of), previous_half_year(as_of)
    checks = [(previous, OVERDUE)]
    if as_of >= current.end - dt.timedelta(days=warning_days):
        checks.append((current, DUE))
    return checks


def attachment_days(start: dt.date, end: dt.date) -> int:
    """R-52: calendar days of a period, both ends included."""
    return (end - start).days + 1


def attachment_check(as_of: dt.date, *, check_month: int = 10) -> tuple[int, str] | None:
    """R-52: (year, stage) whose shortfall is flagged on ``as_of``, or None.

    From 1 ``check_month`` (default 1 October) to 30 December: WARNING for the current year.
    On 31 December: YEAR_END for the current year. From 1 January until the next check month: the
    previous year's YEAR_END result stays flagged (it is what the year-end check found).
    """
    if as_of >= dt.date(as_of.year, 12, 31):
        return as_of.year, YEAR_END
    if as_of >= dt.date(as_of.year, check_month, 1):
        return as_of.year, WARNING
    return as_of.year - 1, YEAR_END


def notice_overdue(*, due_on: dt.date, as_of: dt.date) -> bool:
    """R-56: overdue from the day after the deadline; on the deadline itself it is not."""
    return as_of > due_on
