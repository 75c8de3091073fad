import datetime as dt
from unittest import mock

import pytest

from core import calendar
from core.models import Notification


def workdays_from(start: dt.date, n: int, county=None) -> list[dt.date]:
    """The first ``n`` working days on or after ``start`` (R-20 calendar)."""
    days = calendar.working_days(start, start + dt.timedelta(days=n * 3 + 30), county=county)
    assert len(days) >= n
    return days[:n]


def today_is(day):
    """Services and pages read "today" from timezone.localdate()."""
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def titles(user, kind):
    """The titles of the user's notifications of ``kind``."""
    return list(Notification.objects.filter(user=user, kind=kind).values_list("title", flat=True))


@pytest.fixture
def county_id(world):
    return world.county.pk
