"""Issue 19: the supervision dashboard's township choice and the attendance day sheet's and month grid's
village/township choices are search boxes when the user's own are more than a select should hold; a township
official's few keep their select."""

from __future__ import annotations

import pytest

from core.filters import CHOICES_MAX
from core.models import Township, Village
from core.roles import Role
from tests.factories import client_for
from tests.selects import SELECT, largest_select


@pytest.fixture
def many_units(world):
    """CHOICES_MAX more townships in the world's county, and as many villages in 乡 A."""
    Township.objects.bulk_create([Township(county=world.county, name=f"新设{i}镇", code=f"350423{400 + i:03d}")
                                  for i in range(CHOICES_MAX)])
    Village.objects.bulk_create([Village(township=world.township, name=f"新建{i}村", code=f"350423100{300 + i:03d}")
                                 for i in range(CHOICES_MAX)])
    return world


def test_the_dashboard_township_choice_is_a_search_box_for_a_large_county(many_units):
    world = many_units
    client = client_for(world.users[Role.COUNTY_ORG])
    html = client.get("/supervision/dashboard/").content.decode()
    assert largest_select(html) <= CHOICES_MAX
    assert 'data-testid="suggest-township"' in html
    html = client.get("/supervision/dashboard/", {"township": world.township.pk}).content.decode()
    assert 'value="清流县 · 龙津镇"' in html
    # a township committee keeps its select of one
    html = client_for(world.users[Role.TOWNSHIP_PARTY]).get("/supervision/dashboard/").content.decode()
    assert 'data-testid="suggest-township"' not in html


def test_the_day_sheet_township_choice_is_a_search_box_for_a_large_county(many_units):
    world = many_units
    client = client_for(world.users[Role.COUNTY_ORG])
    response = client.get("/attendance/day/", {"date": "2026-03-02"})
    assert response.status_code == 200
    html = response.content.decode()
    assert largest_select(html) <= CHOICES_MAX
    assert 'data-testid="suggest-township"' in html and "新设199镇" not in html
    html = client.get("/attendance/day/", {"date": "2026-03-02", "township": world.other_township.pk}).content.decode()
    assert 'value="清流县 · 嵩溪镇"' in html and "嵩溪镇 · 2026年3月2日" in html


def test_the_grid_village_choice_is_a_search_box_for_many_villages(many_units):
    world = many_units
    client = client_for(world.users[Role.COUNTY_ORG])
    html = client.get("/attendance/grid/", {"village": world.other_village.pk,
                                            "month": "2026-03"}).content.decode()
    assert largest_select(html) <= CHOICES_MAX
    assert 'data-testid="suggest-village"' in html and "新建199村" not in html
    assert 'value="嵩溪镇 · 嵩溪村"' in html
    rows = client.get("/lists/choices/village/", {"q": "新建19"}).json()["results"]
    assert len(rows) == 11 and all(r["text"].startswith("龙津镇 · 新建19") for r in rows)


def test_small_scopes_keep_their_selects(world):
    html = client_for(world.users[Role.COUNTY_ORG]).get("/attendance/grid/", {"month": "2026-03"}).content.decode()
    grid = html[html.index('data-testid="grid-village"'):]
    village = next(s for s in SELECT.findall(grid) if 'name="village"' in s)
    assert "龙津镇 · 城东村" in village and "嵩溪镇 · 嵩溪村" in village
    html = client_for(world.users[Role.COUNTY_ORG]).get("/attendance/day/", {"date": "2026-03-02"}).content.decode()
    township = next(s for s in SELECT.findall(html) if 'name="township"' in s)
    assert "龙津镇" in township and "嵩溪镇" in township
    html = client_for(world.users[Role.COUNTY_ORG]).get("/supervision/dashboard/").content.decode()
    township = next(s for s in SELECT.findall(html) if 'name="township"' in s)
    assert "全县" in township and "嵩溪镇" in township


def test_the_leave_calendar_township_choice_is_a_search_box_for_a_large_county(many_units):
    world = many_units
    client = client_for(world.users[Role.COUNTY_ORG])
    html = client.get("/attendance/leave-calendar/", {"month": "2026-03"}).content.decode()
    assert largest_select(html) <= CHOICES_MAX
    assert 'data-testid="suggest-township"' in html and "新设199镇" not in html
    html = client.get("/attendance/leave-calendar/", {"township": world.other_township.pk,
                                                      "month": "2026-03"}).content.decode()
    assert 'value="清流县 · 嵩溪镇"' in html
    # another county's township is refused with the same warning as before, the default township shown
    html = client.get("/attendance/leave-calendar/", {"township": 99999, "month": "2026-03"}).content.decode()
    assert "没有可查看的这个乡（镇），已显示默认乡（镇）。" in html and 'value="清流县 · 龙津镇"' in html
