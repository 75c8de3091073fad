"""Issue 19: the lists are read by keys (``?cursor=``): the same rows in the same order as the pages by number,
ties on the sort date kept apart by id, the filters kept across pages, a changed cursor shows the first page,
and page 40 costs the queries page 1 costs."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs

import pytest
from django.core.paginator import Paginator
from django.test.client import RequestFactory

from attendance.models import LeaveRequest
from core import keyset
from core.models import AuditEvent, Notification
from core.roles import Role
from tests.factories import CadreFactory, client_for

NEXT = re.compile(r'href="\?([^"]*)" rel="next"')
PREV = re.compile(r'href="\?([^"]*)" rel="prev"')
LEAVE_ROW = re.compile(r'href="/attendance/leave/(\d+)/"')


def _leaves(world, n=60):
    """``n`` leaves on few start dates (ties: up to 7 rows share one), two cadres in two townships."""
    rows = []
    for i in range(n):
        cadre = world.cadre if i % 3 else world.other_cadre
        start = dt.date(2026, 1, 1) + dt.timedelta(days=i // 7)
        rows.append(LeaveRequest(cadre=cadre, county_id=cadre.county_id, township_id=cadre.township_id,
                                 start_date=start, end_date=start + dt.timedelta(days=1), days=2,
                                 reason=f"事由{i}", status="approved", approver_role="township_liaison"))
    LeaveRequest.objects.bulk_create(rows)


def _ids(html: str) -> list[int]:
    seen: list[int] = []
    for pk in LEAVE_ROW.findall(html):
        if int(pk) not in seen:
            seen.append(int(pk))
    return seen


def _cursor(html: str) -> str:
    """The cursor of the page's 下一页 link."""
    return parse_qs(unescape(NEXT.search(html).group(1)))["cursor"][0]


def _walk(client, url):
    """Follow 下一页 from ``url``: the ids of every page and the pages' HTML."""
    pages, htmls = [], []
    while url:
        html = client.get(url).content.decode()
        pages.append(_ids(html))
        htmls.append(html)
        found = NEXT.search(html)
        url = f"/attendance/leave/?{unescape(found.group(1))}" if found else None
    return pages, htmls


def test_keyset_pages_hold_the_rows_of_the_numbered_pages_across_ties(world):
    _leaves(world)
    org = world.users[Role.COUNTY_ORG]
    pages, htmls = _walk(client_for(org), "/attendance/leave/")
    offset = Paginator(LeaveRequest.objects.order_by("-start_date", "-pk").values_list("pk", flat=True), 25)
    assert pages == [list(offset.page(n).object_list) for n in offset.page_range]
    assert "第 1 / 3 页，共 60 条" in htmls[0]
    assert "第 3 / 3 页，共 60 条" in htmls[2]
    assert "?page=" not in htmls[1]
    # 上一页 from the last page gives the second page again
    back = PREV.search(htmls[2]).group(1)
    again = client_for(org).get(f"/attendance/leave/?{unescape(back)}").content.decode()
    assert _ids(again) == pages[1]
    assert "第 2 / 3 页" in again


def test_keyset_pages_keep_the_filters(world):
    _leaves(world)
    party = world.users[Role.COUNTY_ORG]
    pages, htmls = _walk(client_for(party), f"/attendance/leave/?township={world.township.pk}")
    expected = list(LeaveRequest.objects.filter(cadre__village__township=world.township)
                    .order_by("-start_date", "-pk").values_list("pk", flat=True))
    assert sum(pages, []) == expected and len(pages) == 2
    assert f"township={world.township.pk}" in NEXT.search(htmls[0]).group(1)
    assert "共 40 条" in htmls[1]


@pytest.mark.parametrize("cursor", ["garbage", "eyJvIjoiMSJ9:1abc:def", "", "x" * 3000])
def test_a_changed_cursor_shows_the_first_page_with_a_message(world, cursor):
    _leaves(world)
    client = client_for(world.users[Role.COUNTY_ORG])
    first = _ids(client.get("/attendance/leave/").content.decode())
    response = client.get("/attendance/leave/", {"cursor": cursor})
    assert response.status_code == 200
    assert _ids(response.content.decode()) == first
    if cursor:
        assert "翻页位置无效或已过期，已显示第一页。" in response.content.decode()


def test_a_cursor_of_another_list_shows_the_first_page(world):
    _leaves(world)
    for i in range(40):
        Notification.objects.create(user=world.users[Role.COUNTY_ORG], kind="x", title=f"通知{i}", body="")
    client = client_for(world.users[Role.COUNTY_ORG])
    html = client.get("/notifications/").content.decode()
    token = _cursor(html)
    response = client.get("/attendance/leave/", {"cursor": token})
    assert response.status_code == 200
    assert "翻页位置无效或已过期，已显示第一页。" in response.content.decode()
    assert "第 1 / 3 页" in response.content.decode()


def test_a_deep_page_costs_the_queries_of_the_first(world, django_assert_max_num_queries):
    _leaves(world, n=200)
    org = world.users[Role.COUNTY_ORG]
    client = client_for(org)
    client.get("/attendance/leave/")  # the session and scope caches warm
    qs = LeaveRequest.objects.order_by("-start_date", "-pk")
    token = keyset.cursor_for_page(qs, 25, 8)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as first:
        client.get("/attendance/leave/")
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get("/attendance/leave/", {"cursor": token}).content.decode()
    assert "第 8 / 8 页，共 200 条" in html
    offset = Paginator(qs.values_list("pk", flat=True), 25)
    assert _ids(html) == list(offset.page(8).object_list)
    assert not any("OFFSET" in q["sql"].upper() for q in first.captured_queries if "attendance_leave" in q["sql"])


def test_the_count_stops_at_the_cap(world, monkeypatch):
    _leaves(world, n=30)
    monkeypatch.setattr(keyset, "COUNT_CAP", 20)
    html = client_for(world.users[Role.COUNTY_ORG]).get("/attendance/leave/").content.decode()
    assert "第 1 页，共 20+ 条" in html


def test_nullable_and_datetime_keys_page_like_offsets(world):
    """The audit log orders by a time with microseconds; a list ordered by a column that may be NULL pages the
    NULLs where the database sorts them."""
    for i in range(7):
        CadreFactory(village=world.village, name=f"同名{i % 2}")
    qs = LeaveRequest.objects.none()
    factory = RequestFactory()
    from cadres.models import Cadre
    for ordered in (Cadre.objects.order_by("banned_until", "name", "pk"),
                    Cadre.objects.order_by("-banned_until", "-name", "-pk"),
                    AuditEvent.objects.all()):
        if ordered.model is AuditEvent:
            for i in range(9):
                AuditEvent.objects.create(action="login", username=f"u{i}")
            ordered = AuditEvent.objects.all()
        Cadre.objects.filter(name="同名0").update(banned_until=dt.date(2027, 1, 1))
        expected = list(ordered.values_list("pk", flat=True))
        seen, request = [], factory.get("/")
        request._messages = []
        while True:
            page = keyset.keyset_page(request, ordered, 3)
            seen += [r.pk for r in page]
            if not page.has_next():
                break
            request = factory.get("/", {"cursor": page.next_cursor})
        assert seen == expected
    assert qs.count() == 0


def test_a_list_ordered_by_a_relation_pages_by_number(world):
    request = RequestFactory().get("/", {"page": "1"})
    page = keyset.page_of(request, LeaveRequest.objects.order_by("cadre"), 10)
    assert not getattr(page, "is_keyset", False)


def _walk_audit(client, query):
    names, url, htmls = [], f"/audit/?{query}", []
    while url:
        html = client.get(url).content.decode()
        htmls.append(html)
        names += [int(n) for n in re.findall(r"kz(\d+)x", html)]
        found = NEXT.search(html)
        url = f"/audit/?{unescape(found.group(1))}" if found else None
    return names, htmls


def test_the_audit_log_pages_by_keys_in_the_chosen_sort(world):
    from tests.factories import UserFactory

    AuditEvent.objects.bulk_create([AuditEvent(action="login", outcome="success", username=f"kz{i:03d}x")
                                    for i in range(120)])
    client = client_for(UserFactory(is_superuser=True, is_staff=True))
    newest_first = [int(u[2:5]) for u in AuditEvent.objects.filter(username__startswith="kz")
                    .order_by("-at", "-id").values_list("username", flat=True)]
    names, htmls = _walk_audit(client, "q=kz")
    assert names == newest_first and len(htmls) == 3
    assert "第 3 / 3 页，共 120 条" in htmls[2]
    names, htmls = _walk_audit(client, "q=kz&sort=-user")
    assert names == sorted(newest_first, reverse=True)
    # the column headers start the new sort on its first page
    assert "cursor=" not in re.search(r'href="\?([^"]*sort=[^"]*)"', htmls[1]).group(1)
    # a cursor of the time order is not used for the name order
    token = _cursor(_walk_audit(client, "q=kz")[1][0])
    html = client.get("/audit/", {"q": "kz", "sort": "user", "cursor": token}).content.decode()
    assert "翻页位置无效或已过期，已显示第一页。" in html
    assert [int(n) for n in re.findall(r"kz(\d+)x", html)] == list(range(50))
