"""Issue 13: a draft built before the facts changed is stale — it says so and cannot be locked as it is;
a month cannot be approved before it has ended (Asia/Shanghai)."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from cadres import services as cadre_services
from cadres.models import DisqualifyCategory
from core.errors import Conflict
from payroll import services
from payroll.models import PayLine, PayRun
from payroll.selectors import pay_run_list
from supervision.services import check_overdue
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db


def _disqualify(world, date=dt.date(2025, 2, 20)):
    cadre_services.cadre_disqualify(cadre=world.cadre, date=date, category=DisqualifyCategory.COMPLAINTS,
                                    reason="群众反映强烈", by=world.users["county_org"])


def test_a_draft_built_before_a_disqualification_is_stale_and_cannot_be_approved(world, build, api, client):
    # 张三 disqualified in February after the March draft was built still has a March line
    run = build("2025-03")
    assert PayLine.objects.filter(run=run, cadre=world.cadre).exists()
    _disqualify(world)

    org = api(world.users["county_org"])
    data = org.get(f"/api/v1/pay-runs/{run.pk}/").json()
    assert data["stale"] is True and "已不应发放：张三" in data["stale_reason"]
    r = org.post(f"/api/v1/pay-runs/{run.pk}/approve/")
    assert r.status_code == 409 and "请先重新生成" in r.json()["detail"] and "张三" in r.json()["detail"]
    assert PayRun.objects.get(pk=run.pk).status == PayRun.Status.DRAFT

    client.force_login(world.users["county_org"])
    page = client.get(f"/payroll/runs/{run.pk}/").content.decode()
    assert 'id="run-stale"' in page and "已不应发放：张三" in page
    home = client.get("/").content.decode()
    assert "已过期，需重新生成" in home

    rebuilt = build("2025-03")  # 重新生成
    assert not PayLine.objects.filter(run=rebuilt, cadre=world.cadre).exists()
    assert org.get(f"/api/v1/pay-runs/{run.pk}/").json()["stale"] is False
    assert org.post(f"/api/v1/pay-runs/{run.pk}/approve/").status_code == 200


def test_a_change_that_does_not_touch_pay_leaves_the_draft_as_it_is(world, build, api):
    run = build("2025-03")
    cadre_services.cadre_update(cadre=world.cadre, by=world.users["county_org"], phone="13912345678")
    data = api(world.users["county_org"]).get(f"/api/v1/pay-runs/{run.pk}/").json()
    assert data["stale"] is False and data["stale_reason"] == ""


def test_a_new_cadre_and_a_changed_bonus_make_the_draft_stale(world, build):
    from payroll.staleness import stale_reason

    run = build("2025-03")
    CadreFactory(village=world.village, name="王五", appointed_on=dt.date(2025, 3, 10))
    services.bonus_set(cadre=world.other_cadre, month=dt.date(2025, 3, 1), amount="200", by=None)
    reason = stale_reason(pay_run_list(user=world.users["county_org"]).get(pk=run.pk))
    assert "应发未列入：王五" in reason and "金额有变化：李四" in reason


def test_the_daily_pass_rebuilds_stale_drafts_by_itself(world, build):
    run = build("2025-03")
    _disqualify(world)
    check_overdue(as_of=dt.date(2025, 4, 2))
    assert not PayLine.objects.filter(run=run, cadre=world.cadre).exists()
    run.refresh_from_db()
    assert run.lines_count == 1 and run.total == Decimal("2160.00")


def test_the_list_of_runs_costs_the_same_queries_with_stale_flags(world, build, api, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = api(world.users["county_org"])
    build("2025-03")
    with CaptureQueriesContext(connection) as few:
        assert org.get("/api/v1/pay-runs/").status_code == 200
    for month in ("2025-04", "2025-05", "2025-06"):
        build(month)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(org.get("/api/v1/pay-runs/").json()["results"]) == 4


def test_the_current_month_can_be_previewed_but_not_approved(world, policy, api, client):
    # issue 13: R-42 builds the previous month on the 1st; the running month is a preview
    with mock.patch("payroll.services.runs.local_today", return_value=dt.date(2026, 12, 1)), \
            mock.patch("payroll.views.runs.local_today", return_value=dt.date(2026, 12, 1)):
        run = services.pay_run_build(county=world.county, month="2026-12", by=world.users["county_org"])
        with pytest.raises(Conflict, match="尚未结束"):
            services.pay_run_approve(run=run, by=world.users["county_org"])
        client.force_login(world.users["county_org"])
        assert 'id="run-preview"' in client.get(f"/payroll/runs/{run.pk}/").content.decode()
        last = services.pay_run_build(county=world.county, month="2026-11", by=world.users["county_org"])
        assert services.pay_run_approve(run=last, by=world.users["county_org"]).status == PayRun.Status.APPROVED
    # on 31 December at 23:59 in Shanghai the month is still running; on 1 January it has ended
    with mock.patch("payroll.services.runs.local_today", return_value=dt.date(2027, 1, 1)):
        assert services.pay_run_approve(run=run, by=world.users["county_org"]).status == PayRun.Status.APPROVED
