"""R-20: the working-day calendar.

China's official calendar (holidays and 调休 make-up workdays) comes from the maintained
``chinese_calendar`` library; a county's own changes (``core.models.CalendarOverride``) win over it.
For a year the library does not know yet (it raises NotImplementedError), Monday–Friday are taken as
working days and :func:`year_is_official` says so, so the UI can warn the county to enter overrides.

:func:`working_days` is the one place that decides which days are working days;
:func:`count_working_days` is the one place that counts them in half-day steps (R-21, R-22).
Everything else (leave length, absence days, the R-25 threshold job) calls these two.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import chinese_calendar

AM = "am"
PM = "pm"
HALF = Decimal("0.5")
ONE = Decimal("1")


def year_is_official(year: int) -> bool:
    """True when the library holds the State Council's holiday arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def official_is_workday(day: dt.date) -> bool:
    """The national calendar, including 调休; Monday–Friday for years the library lacks."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def official_holidays(year: int) -> list[tuple[dt.date, bool, str]]:
    """Days of ``year`` where the official calendar differs from Mon–Fri: (date, is_workday, name)."""
    if not year_is_official(year):
        return []
    out = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        work = chinese_calendar.is_workday(day)
        if work != (day.weekday() < 5):
            _on, name = chinese_calendar.get_holiday_detail(day)
            out.append((day, work, HOLIDAY_NAMES.get(name, name or "")))
        day += dt.timedelta(days=1)
    return out


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _county_id(county) -> int | None:
    if county is None:
        return None
    return county if isinstance(county, int) else county.pk


def overrides(county, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """The county's overrides between ``start`` and ``end`` (one query)."""
    cid = _county_id(county)
    if cid is None:
        return {}
    from core.models import CalendarOverride

    return dict(CalendarOverride.objects.filter(county_id=cid, date__gte=start, date__lte=end)
                .values_list("date", "is_workday"))


def is_workday(day: dt.date, *, county=None, county_overrides: dict | None = None) -> bool:
    if county_overrides is None:
        county_overrides = overrides(county, day, day)
    if day in county_overrides:
        return county_overrides[day]
    return official_is_workday(day)


def working_days(start: dt.date, end: dt.date, *, county=None, county_overrides: dict | None = None) -> list[dt.date]:
    """Every working day from ``start`` to ``end`` inclusive, for the county (R-20)."""
    if end < start:
        return []
    if county_overrides is None:
        county_overrides = overrides(county, start, end)
    out = []
    day = start
    while day <= end:
        if is_workday(day, county_overrides=county_overrides):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def count_working_days(start: dt.date, end: dt.date, *, start_half: str = AM, end_half: str = PM,
                       county=None, county_overrides: dict | None = None) -> Decimal:
    """R-21/R-22: working days from ``start`` (morning or afternoon) to ``end`` (noon or evening),
    in half-day steps, as a Decimal with one decimal place (``Decimal("1.5")``).

    Starting in the afternoon (``pm``) takes half a day off the first day, ending at noon (``am``)
    takes half a day off the last one, when those days are working days.
    """
    if end < start:
        raise ValueError("end before start")
    if start == end and start_half == PM and end_half == AM:
        raise ValueError("afternoon to morning of the same day")
    days = working_days(start, end, county=county, county_overrides=county_overrides)
    total = Decimal(len(days))
    if days and days[0] == start and start_half == PM:
        total -= HALF
    if days and days[-1] == end and end_half == AM:
        total -= HALF
    return total.quantize(Decimal("0.1"))
