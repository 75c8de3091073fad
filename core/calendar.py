"""R-20: the working-day calendar.

China's official calendar (holidays and 调休 make-up workdays) comes from the maintained
``chinese_calendar`` library; a county's own changes (``core.models.CalendarOverride``) win over it.
For a year the library does not know yet (the State Council publishes each year's arrangement in
November or December), the statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision) are
computed instead — 元旦 1 day, 春节 4 days from 除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3, lunar
dates from ``lunardate`` and 清明 from the solar terms of ``chinese_calendar`` — without the 调休 the
State Council adds. Such a year is *provisional* (:func:`year_is_official` is False): the UI says so
wherever it counts days, and county_org enters the published arrangement as overrides, which win.

:func:`working_days` is the one place that decides which days are working days;
:func:`count_working_days` is the one place that counts them in half-day steps (R-21, R-22).
Everything else (leave length, absence days, the R-25 threshold job) calls these two.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import chinese_calendar
from django.utils.translation import gettext as _
from lunardate import LunarDate

from core.models import CalendarOverride

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


@functools.lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The holidays 《全国年节及纪念日放假办法》 (State Council, 2024 revision, art. 2) gives every citizen in
    ``year``, before any 调休: {date: name}. Used for years the official arrangement is not known yet."""
    def lunar(month: int, day: int) -> dt.date:
        return LunarDate(year, month, day).to_solar_date()

    new_year = lunar(1, 1)
    qingming = next(d for d, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
                    if name == "清明")
    days = {dt.date(year, 1, 1): "元旦", qingming: "清明节", lunar(5, 5): "端午节", lunar(8, 15): "中秋节"}
    days.update({new_year + dt.timedelta(days=k): "春节" for k in range(-1, 3)})  # 除夕 … 初三
    days.update({dt.date(year, 5, d): "劳动节" for d in (1, 2)})
    days.update({dt.date(year, 10, d): "国庆节" for d in (1, 2, 3)})
    return days


def official_is_workday(day: dt.date) -> bool:
    """The national calendar, including 调休; for a provisional year Monday–Friday less the statutory
    holidays (:func:`statutory_holidays`)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5 and day not in statutory_holidays(day.year)


def provisional_years(start: dt.date, end: dt.date) -> list[int]:
    """The years from ``start`` to ``end`` whose official arrangement is not known yet (for warnings)."""
    return [y for y in range(start.year, end.year + 1) if not year_is_official(y)]


def provisional_note(start: dt.date, end: dt.date) -> str:
    """The warning shown wherever days of a provisional year are counted (leave form, approval), or ""."""
    years = provisional_years(start, end)
    if not years:
        return ""
    return _("（%(y)s年国务院放假安排尚未公布，暂按法定节假日计算，未含调休；公布后以县委组织部登记的安排为准。）") % {
        "y": "、".join(str(y) for y in years)}


def official_holidays(year: int) -> list[tuple[dt.date, bool, str]]:
    """Days of ``year`` where the official calendar differs from Mon–Fri: (date, is_workday, name). For a
    provisional year: the statutory holidays that fall on weekdays."""
    if not year_is_official(year):
        return [(d, False, name) for d, name in sorted(statutory_holidays(year).items()) if d.weekday() < 5]
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
