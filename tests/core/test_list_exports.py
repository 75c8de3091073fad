"""Issue 17: every list page with filters offers 导出Excel of the rows its current filters keep. A crawler over
every page (the same routes as test_crawl_junk) as a county account: each page that shows the shared filter form
has an export link, and the link answers a workbook; on the cadre and leave lists the workbook holds exactly the
filtered rows, every one of them (not one page)."""

import datetime as dt
import io
import re
from html import unescape

import pytest
from django.test import Client
from openpyxl import load_workbook

from attendance import services
from core.excel import XLSX
from core.roles import Role
from tests.core.test_crawl_junk import SKIP, fill, objects_by_route, routes
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db
EXPORT = re.compile(r'<a\b[^>]*href="([^"]+)"[^>]*data-testid="export-xlsx"')


def sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(XLSX)
    ws = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


@pytest.fixture
def org(world):
    services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=dt.date(2026, 3, 4),
                          end_date=dt.date(2026, 3, 4), reason="体检")
    c = Client(raise_request_exception=False)
    c.force_login(world.users[Role.COUNTY_ORG])
    return c


def test_every_filtered_list_page_exports_its_rows(world, org):
    ids = objects_by_route()
    lists, missing, broken = [], [], []
    for url in [u for r in routes() if r not in SKIP and (u := fill(r, ids))]:
        page = org.get(url, {"q": "张"})
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        html = page.content.decode()
        if 'data-testid="filters"' not in html:
            continue
        lists.append(url)
        link = EXPORT.search(html)
        if link is None:
            missing.append(url)
            continue
        href = unescape(link.group(1))
        answer = org.get(href if href.startswith("/") else url + href)
        if answer.status_code != 200 or not answer.get("Content-Type", "").startswith(XLSX):
            broken.append(f"{url} → {href} → {answer.status_code} {answer.get('Content-Type')}")
            continue
        if href.startswith("?"):  # the shared link keeps the current filter
            assert "q=%E5%BC%A0" in href and ("export=xlsx" in href or "format=xlsx" in href), href
        load_workbook(io.BytesIO(answer.content))
    assert len(lists) >= 20, lists  # cadres, selection, attendance, payroll, supervision, the county's own lists
    for prefix in ("/cadres/", "/selection/", "/attendance/", "/payroll/", "/supervision/", "/org/"):
        assert any(u.startswith(prefix) for u in lists), prefix
    assert not missing, f"no 导出Excel on: {missing}"
    assert not broken, "\n".join(broken)


def test_the_export_holds_the_filtered_rows_all_of_them(world, org):
    for i in range(30):  # more than one page (25) of the cadre list
        CadreFactory(village=world.village2, name=f"张{i:02d}")
    page = org.get("/cadres/", {"q": "张"}).content.decode()
    href = unescape(EXPORT.search(page).group(1))
    rows = sheet_rows(org.get("/cadres/" + href))
    names = [r[0] for r in rows[1:]]
    assert len(names) == 31  # 张三 and the 30 others, on one sheet
    assert "张三" in names and "李四" not in names
    assert rows[0][0] == "姓名"


def test_the_leave_list_export_keeps_the_status_filter(world, org):
    rows = sheet_rows(org.get("/attendance/leave/", {"status": "pending", "export": "xlsx"}))
    assert list(rows[0][:3]) == ["请假人", "村", "请假时间"]
    assert [r[0] for r in rows[1:]] == ["张三"]
    rows = sheet_rows(org.get("/attendance/leave/", {"status": "approved", "export": "xlsx"}))
    assert rows[1:] == []
