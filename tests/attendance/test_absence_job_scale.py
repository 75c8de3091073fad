"""Issue 19 item 6: the R-25 job goes county by county and opens a county's cases together, so the queries
it makes do not grow with the cases it opens (at most 3 per case opened), and its results are those of a
case-by-case run (the other tests of tests/attendance/test_thresholds.py, unchanged)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attendance.models import AttendanceDay
from attendance.services import run_daily_checks
from cadres.models import DisciplineCase
from core.models import County, Notification
from core.roles import Role
from core.selectors import users_with_role
from tests.attendance.conftest import workdays_from
from tests.factories import CadreFactory, TownshipFactory, VillageFactory, user_with_role

pytestmark = pytest.mark.django_db

DAYS = workdays_from(dt.date(2026, 3, 2), 16)


def absent(cadres):
    AttendanceDay.objects.bulk_create([
        AttendanceDay(cadre=c, county_id=c.county_id, township_id=c.township_id, date=d, status="absent")
        for c in cadres for d in DAYS])


def test_cases_opened_cost_at_most_three_queries_each(world, django_assert_max_num_queries):
    absent([world.cadre])
    with CaptureQueriesContext(connection) as one:
        assert run_daily_checks(as_of=DAYS[-1]) == 1
    # nine more over the line, in both townships of 清流县 and in another county
    other_county = County.objects.get(code="350421")
    township = TownshipFactory(county=other_county, code="350421100")
    user_with_role("township_party", township)
    more = [CadreFactory(village=v) for v in (world.village, world.village2) for _ in range(3)]
    more += [CadreFactory(village=VillageFactory(township=township)) for _ in range(3)]
    absent(more)
    with django_assert_max_num_queries(len(one.captured_queries) + 3 * (len(more) - 1)) as nine:
        assert run_daily_checks(as_of=DAYS[-1]) == 9
    print(f"1 case: {len(one.captured_queries)} queries; 9 more cases: {len(nine.captured_queries)} queries")
    assert DisciplineCase.objects.count() == 10
    # every case told its township party committee and its county's office, once each, naming the cadre
    for case in DisciplineCase.objects.select_related("cadre__village__township__county"):
        township = case.cadre.village.township
        expected = {u.pk for u in users_with_role(Role.TOWNSHIP_PARTY, township=township)} | {
            u.pk for u in users_with_role(Role.COUNTY_ORG, county=township.county)}
        told = Notification.objects.filter(key=f"absence-case:{case.pk}")
        assert sorted(told.values_list("user_id", flat=True)) == sorted(expected) and expected
        assert all(case.cadre.name in n.title and "旷工超过规定天数" in n.title for n in told)
    # a rerun opens nothing and sends nothing
    notices = Notification.objects.count()
    assert run_daily_checks(as_of=DAYS[-1]) == 0
    assert Notification.objects.count() == notices


def test_county_by_county_gives_what_one_chunk_gives(world, monkeypatch):
    from attendance.services import jobs

    other_county = County.objects.get(code="350421")
    township = TownshipFactory(county=other_county, code="350421100")
    user_with_role("township_party", township)
    cadres = [world.cadre, world.other_cadre, CadreFactory(village=VillageFactory(township=township))]
    absent(cadres)

    def state():
        return (sorted((c.cadre.name, c.key, c.details, c.absence_start, c.absence_end)
                       for c in DisciplineCase.objects.select_related("cadre")),
                sorted((n.user_id, n.title, n.body) for n in Notification.objects.filter(kind="absence_case")))

    assert run_daily_checks(as_of=DAYS[-1]) == 3
    together = state()
    DisciplineCase.objects.all().delete()
    Notification.objects.all().delete()
    monkeypatch.setattr(jobs, "CHUNK_CADRES", 1)  # every county its own chunk
    assert run_daily_checks(as_of=DAYS[-1]) == 3
    assert state() == together
    assert len(together[0]) == 3 and len(together[1]) >= 3
