"""R-59: the county organisation department logs its 调研 and 督查 visits (when, where, whom it met, what it
found); a finding turns into a 通报; the last visit shows on the dashboard and the ledger."""

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from core.dates import today
from core.roles import Role
from supervision.models import CountyVisit, Notice, VisitFinding
from supervision.services import visits
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def _form(world, **kw):
    data = {"kind": "inspection", "visited_on": (today() - dt.timedelta(days=3)).isoformat(),
            "township": world.township.pk, "village": world.village.pk, "met": "乡党委书记、城东村书记、后备干部张三",
            "summary": "查阅了后备干部考勤和谈话记录。", "findings": "考勤记录缺2周\n\n谈心谈话未按季度开展"}
    data.update(kw)
    return data


def test_county_org_records_a_visit_with_findings(world, org):
    c = client_for(org)
    r = c.post("/supervision/visits/new/", _form(world))
    assert r.status_code == 302
    visit = CountyVisit.objects.get()
    assert visit.kind == "inspection" and visit.village == world.village and visit.recorded_by == org
    assert [f.text for f in visit.findings.order_by("pk")] == ["考勤记录缺2周", "谈心谈话未按季度开展"]
    page = c.get(r["Location"]).content.decode()
    assert "考勤记录缺2周" in page and "转为通报" in page and "乡党委书记、城东村书记" in page


def test_bad_input_changes_nothing(world, org):
    c = client_for(org)
    r = c.post("/supervision/visits/new/", _form(world, visited_on=(today() + dt.timedelta(days=400)).isoformat()))
    assert r.status_code == 200 and CountyVisit.objects.count() == 0
    r = c.post("/supervision/visits/new/", _form(world, village=world.other_village.pk))
    assert r.status_code == 200 and CountyVisit.objects.count() == 0
    r = c.post("/supervision/visits/new/", _form(world, findings="\n".join(f"问题{i}" for i in range(31))))
    assert r.status_code == 200 and "一次最多登记30条问题" in r.content.decode()
    assert CountyVisit.objects.count() == 0 and VisitFinding.objects.count() == 0


def test_only_county_org_records_and_the_township_sees_its_own(world, org, party):
    visit = visits.visit_record(county=world.county, kind="research", visited_on=today(), township=world.township,
                                findings=["后备干部培训参与率低"], by=org)
    with pytest.raises(PermissionDenied):
        visits.visit_record(county=world.county, kind="research", visited_on=today(), township=world.township,
                            by=party)
    assert client_for(party).get("/supervision/visits/new/").status_code == 403
    assert "后备干部培训参与率低" in client_for(party).get(f"/supervision/visits/{visit.pk}/").content.decode()
    assert client_for(world.users["township_party_b"]).get(f"/supervision/visits/{visit.pk}/").status_code == 404
    assert client_for(world.users[Role.VILLAGE_SECRETARY]).get("/supervision/visits/").status_code == 403
    assert client_for(world.users["stranger"]).get(f"/supervision/visits/{visit.pk}/").status_code == 404


def test_a_finding_turns_into_a_notice_and_is_linked(world, org, party):
    visit = visits.visit_record(county=world.county, kind="inspection", visited_on=today(), township=world.township,
                                village=world.village, findings=["考勤记录缺2周"], by=org)
    finding = visit.findings.get()
    c = client_for(org)
    page = c.get(f"/supervision/visits/{visit.pk}/").content.decode()
    link = [part for part in page.split('"') if part.startswith("/supervision/notices/new/?")][0].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["finding"] == [str(finding.pk)] and "考勤记录缺2周" in query["body"][0]
    form = c.get(link).content.decode()
    assert "考勤记录缺2周" in form
    r = c.post(link, {"township": world.township.pk, "village": world.village.pk, "title": query["title"][0],
                      "body": query["body"][0], "due_on": (today() + dt.timedelta(days=15)).isoformat()})
    assert r.status_code == 302
    notice = Notice.objects.get()
    finding.refresh_from_db()
    assert finding.notice == notice and notice.village == world.village
    page = c.get(f"/supervision/visits/{visit.pk}/").content.decode()
    assert "已转通报" in page and "转为通报</a>" not in page


def test_dashboard_ledger_and_list_show_the_last_visit_and_export(world, org):
    visits.visit_record(county=world.county, kind="research", visited_on=today() - dt.timedelta(days=10),
                        township=world.township, by=org, met="乡党委书记")
    c = client_for(org)
    dash = c.get("/supervision/dashboard/").content.decode()
    assert 'data-testid="dashboard-visits"' in dash and "1 个乡（镇）本年度尚未到过" in dash  # 乡 B
    ledger = c.get("/supervision/ledger/").content.decode()
    assert 'data-testid="ledger-visits"' in ledger and (today() - dt.timedelta(days=10)).isoformat() in ledger
    listing = c.get("/supervision/visits/").content.decode()
    assert world.township.name in listing and "本年度尚未到过" in listing
    wb = load_workbook(io.BytesIO(c.get("/supervision/visits/?export=xlsx").content))
    rows = list(wb.active.iter_rows(min_row=3, values_only=True))
    assert rows[0][1] == "调研" and rows[0][2] == world.township.name and rows[0][4] == "乡党委书记"


def test_api_records_lists_and_scopes(api, world, org, party):
    body = {"kind": "inspection", "visited_on": str(today()), "township": world.township.pk,
            "village": world.village.pk, "met": "村书记", "summary": "", "findings": ["问题一", "问题二"]}
    r = api(party).post("/api/v1/county-visits/", body, format="json")
    assert r.status_code == 403
    r = api(org).post("/api/v1/county-visits/", body, format="json")
    assert r.status_code == 201, r.json()
    assert [f["text"] for f in r.json()["finding_list"]] == ["问题一", "问题二"]
    assert r.json()["county"] == world.county.pk
    assert len(api(party).get("/api/v1/county-visits/").json()["results"]) == 1
    assert api(world.users["township_party_b"]).get("/api/v1/county-visits/").json()["results"] == []
    r = api(org).post("/api/v1/county-visits/", {**body, "kind": "party"}, format="json")
    assert r.status_code == 400 and "kind" in r.json()
    with pytest.raises(ValidationError):
        visits.visit_record(county=world.county, kind="research", visited_on=today(), township=None, by=org)
