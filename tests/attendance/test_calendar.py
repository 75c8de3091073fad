"""R-20/R-22: working days from China's official calendar (with 调休) and county overrides, in half days."""

import datetime as dt
from decimal import Decimal

import pytest

from core import calendar
from core.models import CalendarOverride

D = dt.date


def count(a, b, sh="am", eh="pm", county=None):
    return calendar.count_working_days(a, b, start_half=sh, end_half=eh, county=county)


def test_a_plain_week_and_a_weekend():
    assert count(D(2026, 3, 2), D(2026, 3, 6)) == Decimal("5.0")
    # Friday to Monday: the weekend does not count
    assert count(D(2026, 3, 6), D(2026, 3, 9)) == Decimal("2.0")
    assert count(D(2026, 3, 7), D(2026, 3, 8)) == Decimal("0.0")


def test_half_days():
    assert count(D(2026, 3, 4), D(2026, 3, 4), "am", "am") == Decimal("0.5")
    assert count(D(2026, 3, 4), D(2026, 3, 4), "pm", "pm") == Decimal("0.5")
    assert count(D(2026, 3, 4), D(2026, 3, 4), "am", "pm") == Decimal("1.0")
    # Wednesday afternoon to Thursday: 1.5
    assert count(D(2026, 3, 4), D(2026, 3, 5), "pm", "pm") == Decimal("1.5")
    # Friday afternoon to Monday noon: half + half
    assert count(D(2026, 3, 6), D(2026, 3, 9), "pm", "am") == Decimal("1.0")
    # starting "in the afternoon" of a Saturday takes nothing off: Saturday is not a working day
    assert count(D(2026, 3, 7), D(2026, 3, 9), "pm", "pm") == Decimal("1.0")
    with pytest.raises(ValueError):
        count(D(2026, 3, 4), D(2026, 3, 4), "pm", "am")


def test_spring_festival_2026_with_its_make_up_saturdays():
    # the library's 2026 arrangement: 15–23 February off; Saturday 14 and Saturday 28 February are workdays
    assert calendar.is_workday(D(2026, 2, 14)) is True      # 调休 Saturday
    assert calendar.is_workday(D(2026, 2, 16)) is False     # Monday in the holiday
    assert calendar.is_workday(D(2026, 2, 23)) is False     # Monday 23rd still off
    assert calendar.is_workday(D(2026, 2, 28)) is True      # 调休 Saturday
    # Fri 13, Sat 14 (调休), then nothing until Tue 24
    assert count(D(2026, 2, 13), D(2026, 2, 24)) == Decimal("3.0")
    assert count(D(2026, 2, 16), D(2026, 2, 23)) == Decimal("0.0")


def test_national_day_2026():
    # 1–7 October off; Sunday 20 September and Saturday 10 October are make-up workdays
    assert count(D(2026, 9, 30), D(2026, 10, 9)) == Decimal("3.0")   # 30 Sep, 8 Oct, 9 Oct
    assert count(D(2026, 10, 1), D(2026, 10, 7)) == Decimal("0.0")
    assert count(D(2026, 10, 10), D(2026, 10, 11)) == Decimal("1.0")  # Saturday 10th works
    assert count(D(2026, 9, 19), D(2026, 9, 20)) == Decimal("1.0")    # Sunday 20th works
    assert calendar.year_is_official(2026)


def test_county_overrides_win(world):
    CalendarOverride.objects.create(county=world.county, date=D(2026, 10, 8), is_workday=False, note="县庆")
    CalendarOverride.objects.create(county=world.county, date=D(2026, 10, 3), is_workday=True, note="防汛值班")
    assert count(D(2026, 9, 30), D(2026, 10, 9), county=world.county) == Decimal("3.0")  # -8th, +3rd
    assert count(D(2026, 10, 8), D(2026, 10, 8), county=world.county) == Decimal("0.0")
    # other counties keep the national calendar
    from tests.factories import CountyFactory

    other = CountyFactory(code="350421")
    assert count(D(2026, 10, 8), D(2026, 10, 8), county=other) == Decimal("1.0")


def test_year_without_official_data_falls_back_to_weekdays():
    assert calendar.year_is_official(2099) is False
    # 2099-01-01 is a Thursday: with no official data it is a working day
    assert calendar.is_workday(D(2099, 1, 1)) is True
    assert count(D(2099, 1, 1), D(2099, 1, 4)) == Decimal("2.0")
    assert calendar.official_holidays(2099) == []
    names = {name for _d, _w, name in calendar.official_holidays(2026)}
    assert {"春节", "国庆节"} <= names
