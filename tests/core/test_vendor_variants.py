"""Issue 11: the expressions with a PostgreSQL form and an SQLite form give the same answers.

The suite runs on both databases (CI parts b and c), so each test here checks one vendor variant against
a plain Python computation of the same thing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F

from attendance.models import LeaveRequest
from attendance.selectors.absence import _NextWorkday
from core.money import MoneySum
from payroll.models import PayLine, PayRun
from payroll.services.sql import commits_without_flush_wait
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db


def test_next_working_day_lookup_matches_python_on_this_database(world):
    # R-23 overstay pre-filter: the first listed working day strictly after each leave's end, clamped
    # to the window (before it: the first day; after it: none → 9999-12-31)
    start, end = dt.date(2026, 9, 28), dt.date(2026, 10, 12)
    days = [dt.date(2026, 9, 28), dt.date(2026, 9, 29), dt.date(2026, 9, 30), dt.date(2026, 10, 9),
            dt.date(2026, 10, 10), dt.date(2026, 10, 12)]  # 国庆 with 调休 on Saturday 10-10
    ends = [dt.date(2026, 9, 1), dt.date(2026, 9, 28), dt.date(2026, 9, 30), dt.date(2026, 10, 3),
            dt.date(2026, 10, 10), dt.date(2026, 10, 12), dt.date(2026, 12, 31)]
    for e in ends:
        LeaveRequest.objects.create(cadre=world.cadre, start_date=e - dt.timedelta(days=1), end_date=e,
                                    reason="家中有事", days=Decimal("1.0"))
    got = dict(LeaveRequest.objects.annotate(nxt=_NextWorkday(F("end_date"), start=start, end=end, days=days))
               .values_list("end_date", "nxt"))

    def expected(e):
        clamped = min(max(e, start - dt.timedelta(days=1)), end)
        return next((d for d in sorted(days) if d > clamped), dt.date(9999, 12, 31))

    assert got == {e: expected(e) for e in ends}
    assert got[dt.date(2026, 9, 30)] == dt.date(2026, 10, 9)    # over the holiday
    assert got[dt.date(2026, 9, 1)] == dt.date(2026, 9, 28)     # before the window: its first working day
    assert got[dt.date(2026, 12, 31)] == dt.date(9999, 12, 31)  # after the window: none


def test_money_sums_are_decimals_with_two_places_on_this_database(world):
    # 580.00 + 580.00 is "1160.00", also where the database keeps numbers as REAL (SQLite)
    other = CadreFactory(village=world.village)
    assert PayLine.objects.none().aggregate(s=MoneySum("total"))["s"] is None
    run = PayRun.objects.create(county=world.county, month=dt.date(2026, 10, 1))
    for cadre in (world.cadre, other):
        amounts = {f.name: Decimal("0.00") for f in PayLine._meta.concrete_fields
                   if f.get_internal_type() == "DecimalField"}
        amounts.update(total=Decimal("580.00"), county_fund=Decimal("580.00"))
        PayLine.objects.create(run=run, cadre=cadre, village=cadre.village, township=cadre.village.township,
                               county_id=cadre.county_id,
                               **amounts)
    s = PayLine.objects.filter(run=run).aggregate(s=MoneySum("total"))["s"]
    assert isinstance(s, Decimal) and str(s) == "1160.00"


@pytest.mark.django_db(transaction=True)
def test_monthly_loop_commit_tuning_is_scoped_to_the_loop_on_this_database():
    # R-42 / issue 8: PostgreSQL commits the monthly loop's counties without waiting for the WAL flush and
    # restores the setting afterwards; SQLite has no such setting (the variant is a no-op)
    def setting():
        with connection.cursor() as cur:
            cur.execute("SHOW synchronous_commit")
            return cur.fetchone()[0]

    if connection.vendor == "postgresql":
        before = setting()
        with commits_without_flush_wait():
            assert setting() == "off"
        assert setting() == before
    else:
        with commits_without_flush_wait():
            pass  # nothing to tune, nothing to restore
