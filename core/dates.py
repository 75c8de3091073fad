"""Small date helpers shared by every app."""

import datetime as dt


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
    from django.utils import timezone

    return timezone.localdate()
