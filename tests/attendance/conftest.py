import datetime as dt

import pytest

from core import calendar


def workdays_from(start: dt.date, n: int, county=None) -> list[dt.date]:
    """The first ``n`` working days on or after ``start`` (R-20 calendar)."""
    days = calendar.working_days(start, start + dt.timedelta(days=n * 3 + 30), county=county)
    assert len(days) >= n
    return days[:n]


@pytest.fixture
def county_id(world):
    return world.county.pk
