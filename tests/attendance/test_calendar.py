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


def test_a_year_without_the_official_arrangement_counts_the_statutory_holidays():  # R-20, issue 12 item 6
    assert calendar.year_is_official(2099) is False
    # 2099-01-01 is a Thursday: 元旦 is a holiday even before the State Council's notice
    assert calendar.is_workday(D(2099, 1, 1)) is False
    assert count(D(2099, 1, 1), D(2099, 1, 4)) == Decimal("1.0")  # Fri 2nd only (3rd/4th weekend)
    assert calendar.official_holidays(2099)[0] == (D(2099, 1, 1), False, "元旦")
    names = {name for _d, _w, name in calendar.official_holidays(2026)}
    assert {"春节", "国庆节"} <= names


def test_2027_before_the_notice_counts_new_year_spring_festival_and_national_day():
    # issue 12: 2026-12-31 → 2027-01-04 was counted as 3.0 working days (元旦 missing)
    if calendar.year_is_official(2027):
        pytest.skip("chinese_calendar now holds the 2027 arrangement")
    assert count(D(2026, 12, 31), D(2027, 1, 4)) == Decimal("2.0")  # Thu 31st and Mon 4th
    holidays = calendar.statutory_holidays(2027)
    # 春节 2027: 初一 is 6 February, so 除夕 5 February … 初三 8 February (4 days)
    assert [d for d, n in sorted(holidays.items()) if n == "春节"] == [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7),
                                                                       D(2027, 2, 8)]
    assert holidays[D(2027, 4, 5)] == "清明节" and holidays[D(2027, 6, 9)] == "端午节"
    assert holidays[D(2027, 9, 15)] == "中秋节"
    assert count(D(2027, 9, 27), D(2027, 10, 8)) == Decimal("9.0")  # 10 weekdays less 国庆 on Friday the 1st
    assert calendar.provisional_years(D(2026, 12, 31), D(2027, 1, 4)) == [2027]
    assert "2027年国务院放假安排尚未公布" in calendar.provisional_note(D(2026, 12, 31), D(2027, 1, 4))
    assert calendar.provisional_note(D(2026, 3, 2), D(2026, 3, 3)) == ""


def test_the_county_enters_the_published_arrangement_and_it_wins(world):
    # the State Council's 调休 for a provisional year, entered as the county's days, wins over the estimate
    if calendar.year_is_official(2027):
        pytest.skip("chinese_calendar now holds the 2027 arrangement")
    CalendarOverride.objects.create(county=world.county, date=D(2027, 2, 9), is_workday=False, note="春节调休")
    CalendarOverride.objects.create(county=world.county, date=D(2027, 2, 20), is_workday=True, note="春节调休上班")
    assert count(D(2027, 2, 8), D(2027, 2, 9), county=world.county) == Decimal("0.0")
    assert calendar.is_workday(D(2027, 2, 20), county=world.county) is True


def test_leave_pages_warn_when_a_provisional_year_is_counted(world, client):
    if calendar.year_is_official(2027):
        pytest.skip("chinese_calendar now holds the 2027 arrangement")
    client.force_login(world.users["cadre"])
    r = client.get("/attendance/leave/days/?start_date=2026-12-31&end_date=2027-01-04")
    text = r.content.decode()
    assert "共 2.0 个工作日" in text and "2027年国务院放假安排尚未公布" in text


def test_county_home_warns_from_november_while_next_year_is_provisional(world, client):
    from unittest import mock

    client.force_login(world.users["county_org"])
    with mock.patch("django.utils.timezone.localdate", return_value=D(2099, 11, 1)):
        page = client.get("/").content.decode()
    assert "2100年工作日历是暂定的" in page
    with mock.patch("django.utils.timezone.localdate", return_value=D(2099, 10, 31)):
        assert "工作日历是暂定的" not in client.get("/").content.decode()
    client.force_login(world.users["township_party"])
    with mock.patch("django.utils.timezone.localdate", return_value=D(2099, 11, 1)):
        assert "工作日历是暂定的" not in client.get("/").content.decode()


def test_county_org_enters_a_years_arrangement_in_one_form(world, client):
    # issue 12 item 6: the State Council's notice for a provisional year, typed once; it then wins
    client.force_login(world.users["county_org"])
    url = f"/attendance/calendar/?year=2027&county={world.county.pk}"
    bad = client.post(url, {"county": world.county.pk, "arrangement": "1",
                            "text": "2027-02-05 至 2027-02-11 放假 春节\n2026-12-31 放假 元旦\n明天放假"})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "第2行：日期须在2027年内" in page and "第3行看不懂" in page
    assert not CalendarOverride.objects.exists()  # all or nothing
    r = client.post(url, {"county": world.county.pk, "arrangement": "1",
                          "text": "2027-02-05 至 2027-02-11 放假 春节\n2027-02-20 上班 春节调休"}, follow=True)
    assert "已登记2027年放假安排，共 8 天" in r.content.decode()
    assert count(D(2027, 2, 8), D(2027, 2, 11), county=world.county) == Decimal("0.0")
    assert calendar.is_workday(D(2027, 2, 20), county=world.county) is True  # a Saturday made a working day
    assert CalendarOverride.objects.get(date=D(2027, 2, 20)).note == "国务院放假安排：春节调休"
    far = client.post(f"/attendance/calendar/?year=2040&county={world.county.pk}",
                      {"county": world.county.pk, "arrangement": "1", "text": "2040-02-01 放假 春节"})
    assert far.status_code == 400 and "日期须在" in far.content.decode()  # outside the dates the county may edit
    client.force_login(world.users["township_party"])
    assert client.post(url, {"county": world.county.pk, "arrangement": "1",
                             "text": "2027-03-02 放假 x"}).status_code == 403


def test_calendar_page_with_an_impossible_year_is_not_an_error(world, client):
    client.force_login(world.users["county_org"])
    for year in ("10000", "0", "99999", "-5"):
        r = client.get(f"/attendance/calendar/?year={year}")
        assert r.status_code == 200 and "年份须在1901至2099之间" in r.content.decode()
