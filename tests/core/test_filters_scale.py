"""Issue 19: list pages stay small for a province user and the administrator. A user holding several counties
picks a county before townships are offered; a choice with more options than a select should hold is a search
box whose suggestions come from a small scoped JSON answer."""

from __future__ import annotations

import re

import pytest

from core.filters import CHOICES_MAX
from core.models import County, Township
from core.roles import Role
from core.services import role_assign
from tests.factories import UserFactory, client_for, user_with_role

SELECT = re.compile(r"<select\b.*?</select>", re.S)
#: list pages with the filter form (township, village) a province user and the administrator open
PAGES = ["/cadres/", "/attendance/leave/", "/attendance/absences/", "/attendance/incapacity/",
         "/supervision/talks/", "/supervision/cases/", "/supervision/notices/", "/supervision/commitments/",
         "/payroll/bonuses/", "/selection/applications/", "/cadres/vacancies/", "/supervision/ledger/",
         "/supervision/talks/due/", "/supervision/attachments/shortfall/", "/supervision/attachments/plan/",
         "/audit/", "/notifications/", "/payroll/"]


@pytest.fixture
def many_townships(world):
    """200 more townships in the world's county (202 in all: more than a select holds)."""
    Township.objects.bulk_create([Township(county=world.county, name=f"新设{i}镇", code=f"350423{400 + i:03d}")
                                  for i in range(200)])
    return world


def _largest_select(html: str) -> int:
    return max((s.count("<option") for s in SELECT.findall(html)), default=0)


@pytest.mark.parametrize("who", ["admin", "province"])
def test_a_province_users_list_pages_are_small(many_townships, who):
    world = many_townships
    if who == "admin":
        user = UserFactory(is_superuser=True, is_staff=True)
    else:
        user = user_with_role(Role.COUNTY_ORG, world.county, username="prov")
        role_assign(user=user, role=Role.COUNTY_ORG, county=County.objects.get(code="350421"))
    client = client_for(user)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert _largest_select(html) <= CHOICES_MAX, url
        assert len(response.content) < 150_000, url
        assert "新设199镇" not in html, url  # no township is offered before a county is chosen


def test_the_county_comes_first_then_too_many_townships_are_a_search_box(many_townships):
    world = many_townships
    client = client_for(UserFactory(is_superuser=True, is_staff=True))
    html = client.get("/attendance/leave/").content.decode()
    county_select = next(s for s in SELECT.findall(html) if 'name="county"' in s)
    assert "清流县" in county_select and "明溪县" in county_select
    assert html.index('name="county"') < html.index('name="township"')
    html = client.get("/attendance/leave/", {"county": world.county.pk}).content.decode()
    assert 'data-testid="suggest-township"' in html
    assert _largest_select(html) <= CHOICES_MAX
    # a township chosen through the search box filters and is named in the box
    html = client.get("/attendance/leave/", {"county": world.county.pk,
                                             "township": world.township.pk}).content.decode()
    assert 'value="清流县 · 龙津镇"' in html
    # a township user still picks from a select of their own
    html = client_for(world.users[Role.TOWNSHIP_PARTY]).get("/attendance/leave/").content.decode()
    assert 'data-testid="suggest-township"' not in html and 'name="county"' not in html


def test_a_county_user_with_few_townships_keeps_the_select(world):
    html = client_for(world.users[Role.COUNTY_ORG]).get("/cadres/").content.decode()
    township = next(s for s in SELECT.findall(html) if 'name="township"' in s)
    assert "龙津镇" in township and "嵩溪镇" in township
    assert 'name="county"' not in html


def test_suggestions_are_the_users_own(many_townships):
    world = many_townships
    party = client_for(world.users[Role.TOWNSHIP_PARTY])
    rows = party.get("/lists/choices/township/", {"q": "镇"}).json()["results"]
    assert [r["text"] for r in rows] == ["清流县 · 龙津镇"]
    org = client_for(world.users[Role.COUNTY_ORG])
    rows = org.get("/lists/choices/township/", {"q": "新设19"}).json()["results"]
    assert len(rows) == 11 and all(r["text"].startswith("清流县 · 新设19") for r in rows)
    stranger = client_for(world.users["stranger"])
    assert stranger.get("/lists/choices/township/", {"q": "龙津"}).json()["results"] == []
    rows = org.get("/lists/choices/village/", {"township": world.township.pk}).json()["results"]
    assert {r["text"] for r in rows} == {"龙津镇 · 城东村", "龙津镇 · 城南村"}
    assert org.get("/lists/choices/cadre_secret/").status_code == 404
    assert org.get("/lists/choices/township/", {"county": "99999999999999999999999"}).status_code == 200
    assert len(org.get("/lists/choices/township/").json()["results"]) == 20


def test_a_small_choice_is_read_in_one_query_and_keeps_the_chosen_option(world):
    """A county user's township select (a few options) is filled by one read of the townships: no count first,
    no second read by the widget; the chosen township stays selected and 全部 comes first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.users[Role.COUNTY_ORG])
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/cadres/", {"township": world.township.pk}).content.decode()
    township = next(s for s in SELECT.findall(html) if 'name="township"' in s)
    assert re.search(r'<option value="">全部</option>', township)
    assert re.search(rf'<option value="{world.township.pk}" selected>龙津镇</option>', township)
    township_sql = [q["sql"] for q in queries.captured_queries if 'FROM "core_township"' in q["sql"]]
    options = [sql for sql in township_sql if 'ORDER BY "core_township"."code"' in sql]
    assert [sql for sql in township_sql if "COUNT(" in sql] == []
    assert len(options) == 1 and f"LIMIT {CHOICES_MAX + 1}" in options[0]
