"""R-58: the township plans each cadre's 跟班学习 for the year (periods, office); the list compares the days
served with the plan (already due) and with the county's minimum, and flags the deviations."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from core.roles import Role
from supervision import services
from supervision.models import AttachmentPlan
from supervision.services import plans
from tests.factories import client_for

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def planned(world, party):
    """张三 (城东村): 20 days in March at 党政办 and 15 days in September at 综治办 — 35 days planned."""
    plans.plan_add(cadre=world.cadre, start_date=D(2026, 3, 1), end_date=D(2026, 3, 20), department="党政办", by=party)
    plans.plan_add(cadre=world.cadre, start_date=D(2026, 9, 1), end_date=D(2026, 9, 15), department="综治办", by=party)


def test_the_list_compares_served_days_with_the_plan_due_and_the_minimum(world, party, planned):
    c = client_for(party)
    page = c.get("/supervision/attachments/plan/?year=2026&as_of=2026-04-01").content.decode()
    assert world.cadre.name in page and "未按计划完成" in page  # 20 days due, none served
    services.attachment_record(cadre=world.cadre, start_date=D(2026, 3, 1), end_date=D(2026, 3, 20),
                               department="党政办", by=party)
    page = c.get("/supervision/attachments/plan/?year=2026&as_of=2026-04-01&flag=behind").content.decode()
    assert world.cadre.name not in page
    # September's period ended and was not served: behind again
    page = c.get("/supervision/attachments/plan/?year=2026&as_of=2026-10-01&flag=behind").content.decode()
    assert world.cadre.name in page
    # a cadre without a plan is listed as such
    page = c.get("/supervision/attachments/plan/?year=2026&flag=none").content.decode()
    assert world.cadre.name not in page


def test_a_plan_short_of_the_minimum_is_flagged(world, party):
    plans.plan_add(cadre=world.cadre, start_date=D(2026, 5, 1), end_date=D(2026, 5, 10), department="党政办", by=party)
    page = client_for(party).get("/supervision/attachments/plan/?year=2026&flag=short").content.decode()
    assert world.cadre.name in page and "计划少于规定天数" in page


def test_bad_periods_are_refused_and_change_nothing(world, party, planned):
    with pytest.raises(ValidationError) as exc:
        plans.plan_add(cadre=world.cadre, start_date=D(2026, 3, 10), end_date=D(2026, 3, 25), department="党政办",
                       by=party)
    assert "重叠" in exc.value.message_dict["start_date"][0]
    with pytest.raises(ValidationError) as exc:
        plans.plan_add(cadre=world.cadre, start_date=D(2026, 12, 20), end_date=D(2027, 1, 10), department="党政办",
                       by=party)
    assert "自然年" in exc.value.message_dict["end_date"][0]
    with pytest.raises(ValidationError) as exc:
        plans.plan_add(cadre=world.cadre, start_date=D(2026, 6, 1), end_date=D(2026, 6, 5), department=" ", by=party)
    assert "科室" in exc.value.message_dict["department"][0]
    assert AttachmentPlan.objects.count() == 2


def test_only_the_township_plans(world, planned):
    with pytest.raises(PermissionDenied):
        plans.plan_add(cadre=world.cadre, start_date=D(2026, 6, 1), end_date=D(2026, 6, 5), department="党政办",
                       by=world.users[Role.VILLAGE_SECRETARY])
    assert client_for(world.users["township_party_b"]).get(
        f"/supervision/attachments/plan/cadres/{world.cadre.pk}/").status_code == 404


def test_the_cadre_page_adds_and_deletes_periods_and_the_list_exports(world, party):
    c = client_for(party)
    url = f"/supervision/attachments/plan/cadres/{world.cadre.pk}/"
    r = c.post(url, {"start_date": "2026-10-08", "end_date": "2026-11-07", "department": "农业服务中心"}, follow=True)
    assert "已加入跟班计划" in r.content.decode() and "农业服务中心" in r.content.decode()
    plan = AttachmentPlan.objects.get()
    assert plan.days == 31
    r = c.post(url, {"start_date": "2026-11-01", "end_date": "2026-10-01", "department": "党政办"})
    assert r.status_code == 400 and AttachmentPlan.objects.count() == 1
    wb = load_workbook(io.BytesIO(c.get("/supervision/attachments/plan/?year=2026&export=xlsx").content))
    rows = [r for r in wb.active.iter_rows(min_row=3, values_only=True) if r[2] == world.cadre.name]
    assert rows and rows[0][3] == 31
    c.post(f"/supervision/attachments/plan/{plan.pk}/delete/")
    assert not AttachmentPlan.objects.exists() and plan.history.count() == 2


def test_api_plans(world, party, api):
    r = api(party).post("/api/v1/attachment-plans/", {"cadre": world.cadre.pk, "start_date": "2026-10-08",
                                                      "end_date": "2026-10-27", "department": "党政办"}, format="json")
    assert r.status_code == 201 and r.json()["days"] == 20
    assert len(api(party).get("/api/v1/attachment-plans/").json()["results"]) == 1
    assert api(world.users["township_party_b"]).get("/api/v1/attachment-plans/").json()["results"] == []
    r = api(world.users[Role.VILLAGE_SECRETARY]).post("/api/v1/attachment-plans/", {
        "cadre": world.cadre.pk, "start_date": "2026-11-08", "end_date": "2026-11-10", "department": "x"},
        format="json")
    assert r.status_code == 403
