"""Small date helpers shared by every app."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def previous_month(today: dt.date) -> tuple[int, int]:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


def parse_month(value: str) -> tuple[int, int]:
    """"YYYY-MM" → (year, month); ValueError on anything else."""
    year, month = value.split("-")
    year, month = int(year), int(month)
    if not (1 <= month <= 12 and 2000 <= year <= 2100) or len(value) != 7:
        raise ValueError(value)
    return year, month


def today() -> dt.date:
    return timezone.localdate()


# -- domain bounds (issue 16) ----------------------------------------------------------------
# One place for "is this date plausible at all": year 9999 made a leave count 2.9 million days (30 s,
# then a 500) and 0001-01-01 overflowed date arithmetic. Services call these before anything else, so
# the web, the API and the imports answer a field error and change nothing.

#: no record of this system is older than this
EARLIEST = dt.date(2000, 1, 1)
#: a leave, absence, trip or attachment lies within this many years before today …
PERIOD_YEARS_BACK = 5
#: … and this many years after today
PERIOD_YEARS_AHEAD = 2
#: and spans at most this many calendar days
PERIOD_MAX_DAYS = 366
#: an event (talk, case opened, assessment, appointment…) can be dated at most this far after today
EVENT_DAYS_AHEAD = 31


def _fmt(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


def period_errors(start: dt.date | None, end: dt.date | None, *, start_field: str = "start_date",
                  end_field: str = "end_date", on: dt.date | None = None) -> dict[str, list[str]]:
    """Field errors for a period (leave, absence, trip, attachment) outside the plausible window:
    from ``PERIOD_YEARS_BACK`` years before today to ``PERIOD_YEARS_AHEAD`` after, at most
    ``PERIOD_MAX_DAYS`` long. Empty when the period is plausible (or a date is missing)."""
    on = on or today()
    first, last = add_years(on, -PERIOD_YEARS_BACK), add_years(on, PERIOD_YEARS_AHEAD)
    errors: dict[str, list[str]] = {}
    window = _("日期须在 %(a)s 至 %(b)s 之间。") % {"a": _fmt(first), "b": _fmt(last)}
    if start is not None and not first <= start <= last:
        errors[start_field] = [window]
    if end is not None and not first <= end <= last:
        errors[end_field] = [window]
    if not errors and start is not None and end is not None and (end - start).days + 1 > PERIOD_MAX_DAYS:
        errors[end_field] = [_("起止日期最长跨 %(n)s 天（一年），请分段登记。") % {"n": PERIOD_MAX_DAYS}]
    return errors


def event_errors(day: dt.date | None, *, field: str, on: dt.date | None = None,
                 days_ahead: int = EVENT_DAYS_AHEAD) -> dict[str, list[str]]:
    """Field errors for the date of something that happened (a talk, a case opened, an assessment,
    an appointment, a decision): not before ``EARLIEST`` and at most ``days_ahead`` days after today."""
    if day is None:
        return {}
    latest = (on or today()) + dt.timedelta(days=days_ahead)
    if day < EARLIEST:
        return {field: [_("日期不能早于 %(d)s。") % {"d": _fmt(EARLIEST)}]}
    if day > latest:
        return {field: [_("日期不能晚于 %(d)s，请检查年份。") % {"d": _fmt(latest)}]}
    return {}


def deadline_errors(day: dt.date | None, *, field: str, on: dt.date | None = None) -> dict[str, list[str]]:
    """Field errors for a deadline or a planned date: within the same window as a period."""
    if day is None:
        return {}
    on = on or today()
    first, last = add_years(on, -PERIOD_YEARS_BACK), add_years(on, PERIOD_YEARS_AHEAD)
    if not first <= day <= last:
        return {field: [_("日期须在 %(a)s 至 %(b)s 之间。") % {"a": _fmt(first), "b": _fmt(last)}]}
    return {}


def year_errors(year, *, field: str = "year", on: dt.date | None = None) -> dict[str, list[str]]:
    """Field errors for a year (assessment, commitment, selection round, ledger): 2000 … next year."""
    latest = (on or today()).year + 1
    try:
        ok = EARLIEST.year <= int(year) <= latest
    except (TypeError, ValueError):
        ok = False
    if not ok:
        return {field: [_("年度须在 %(a)s 至 %(b)s 之间。") % {"a": EARLIEST.year, "b": latest}]}
    return {}


def check(*errors: dict) -> None:
    """Raise one ValidationError with every field error of ``errors`` (each a dict from above)."""
    merged: dict[str, list[str]] = {}
    for e in errors:
        for field, messages in e.items():
            merged.setdefault(field, []).extend(messages)
    if merged:
        raise ValidationError(merged)


def parse_year(value, *, default: int, latest: int | None = None) -> int:
    """A year from a query parameter within 2000 … ``latest`` (default next year); else ``default``."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    latest = latest if latest is not None else today().year + 1
    return year if EARLIEST.year <= year <= latest else default
