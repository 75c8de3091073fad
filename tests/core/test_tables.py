"""Issue 15 item 3: list tables (django-tables2) — sort by a header, choose the columns (remembered per user),
export the visible columns of the whole filtered list to Excel."""

import io

import pytest
from openpyxl import load_workbook

from core.models import AuditEvent, ListPreference
from core.roles import Role

pytestmark = pytest.mark.django_db


def _rows(resp):
    ws = load_workbook(io.BytesIO(resp.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_accounts_sort_by_a_header(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get("/org/accounts/", {"sort": "-username"}).content.decode()
    names = sorted((u.username for u in world.users.values() if u.username in page), reverse=True)
    positions = [page.index(f">{n}<") for n in names if f">{n}<" in page]
    assert positions == sorted(positions) and len(positions) >= 3
    assert "bi-caret-down-fill" in page


def test_hidden_column_is_remembered_and_left_out_of_the_export(world, client):
    org = world.users[Role.COUNTY_ORG]
    client.force_login(org)
    resp = client.post("/lists/columns/", {"table": "accounts", "next": "/org/accounts/",
                                           "offered": ["full_name", "roles", "last_login"],
                                           "shown": ["full_name", "roles"]})
    assert resp.status_code == 302 and resp["Location"] == "/org/accounts/"
    assert ListPreference.objects.get(user=org, table="accounts").hidden_columns == ["last_login"]
    page = client.get("/org/accounts/").content.decode()
    assert "<th" in page and ">最近登录<" not in page.split("<tbody>")[0].split("column-chooser")[-1].split("</form>")[-1]
    rows = _rows(client.get("/org/accounts/", {"export": "xlsx", "q": world.users[Role.TOWNSHIP_PARTY].username}))
    assert rows[0] == ["用户名", "姓名", "角色与单位", "状态"]
    assert rows[1][0] == world.users[Role.TOWNSHIP_PARTY].username and "乡（镇）党委" in rows[1][2]
    assert len(rows) == 2  # the filter holds in the export too


def test_column_names_that_are_not_names_are_ignored(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    client.post("/lists/columns/", {"table": "accounts", "offered": ["<script>", "x" * 300], "shown": []})
    pref = ListPreference.objects.get(table="accounts")
    assert pref.hidden_columns == []
    assert client.post("/lists/columns/", {"table": "a b", "next": "https://evil.example/"})["Location"] == "/"


def test_audit_log_reads_in_words_and_exports(world, client):
    org = world.users[Role.COUNTY_ORG]
    AuditEvent.objects.create(user=world.users[Role.TOWNSHIP_PARTY], username=world.users[Role.TOWNSHIP_PARTY].username,
                              action="login", outcome="failure", address="10.0.0.9", path="/login/")
    client.force_login(org)
    page = client.get("/audit/").content.decode()
    assert "登录" in page and ">login<" not in page and "失败" in page
    rows = _rows(client.get("/audit/", {"export": "xlsx", "outcome": "failure"}))
    assert rows[0][:3] == ["时间", "操作人", "操作"] and rows[1][2] == "登录" and rows[1][rows[0].index("结果")] == "失败"


def test_audit_log_bad_date_says_so(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    resp = client.get("/audit/", {"date_from": "2026-13-45"})
    assert resp.status_code == 200
    assert 'data-field="date_from"' in resp.content.decode()


def test_cells_carry_their_column_label_and_attributes_on_every_row(world, client):
    """The stacked (phone) layout reads each cell's data-label; the column's td attributes stay on every row,
    also where they are computed per record (includes/table.html renders ListTable.body)."""
    import django_tables2 as tables
    from django.test import RequestFactory

    from core.lists import AuditTable

    people = [world.users[r] for r in (Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON)]
    for n, person in enumerate(people):
        AuditEvent.objects.create(user=person, username=f"u{n}", action="login",
                                  outcome="failure" if n else "success", address="10.0.0.9", path="/login/")
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get("/audit/").content.decode()
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = body.count("<tr ")
    assert rows >= 3
    assert body.count('data-label="时间" class="text-nowrap"') == rows
    assert body.count('data-label="结果"') == rows

    class Flagged(AuditTable):
        outcome = tables.Column(verbose_name="结果", attrs={"td": {"data-outcome": lambda record: record.outcome}})

    table = Flagged(AuditEvent.objects.order_by("username"))
    table.request = RequestFactory().get("/")
    cells = {row.record.username: dict((h, a) for h, a, _ in cells) for row, cells in table.body()}
    assert 'data-outcome="success"' in cells["u0"]["结果"] and 'data-outcome="failure"' in cells["u1"]["结果"]
