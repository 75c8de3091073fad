"""Issue 17 bulk decisions: several pending leave requests approved or rejected at once from the "待我审批" list
and through POST /api/v1/leave-requests/bulk-decide/. Each request goes through the single decision (R-22: only
the fixed approver decides) in its own transaction; the refused ones are listed with their reason."""

import datetime as dt

import pytest
from django.test import Client

from attendance import services
from attendance.models import LeaveRequest
from core.roles import Role
from tests.attendance.conftest import workdays_from
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db
D = dt.date
DAYS = workdays_from(D(2026, 3, 2), 20)
S = LeaveRequest.Status


@pytest.fixture
def leaves(world):
    """Two 2-day requests the liaison decides (R-22: more than one day), a 1-day one only the secretary decides,
    and one in another township the liaison cannot see."""
    colleague = CadreFactory(village=world.village, name="王五")
    by = world.users[Role.VILLAGE_SECRETARY]
    ask = services.leave_submit
    return {
        "zhang": ask(cadre=world.cadre, by=by, start_date=DAYS[0], end_date=DAYS[1], reason="探亲",
                     channel="wechat", channel_note="在外地"),
        "wang": ask(cadre=colleague, by=by, start_date=DAYS[2], end_date=DAYS[3], reason="陪护",
                    channel="wechat", channel_note="在医院"),
        "short": ask(cadre=colleague, by=by, start_date=DAYS[6], end_date=DAYS[6], reason="办证",
                     channel="wechat", channel_note="在县城"),
        "other": ask(cadre=world.other_cadre, by=world.users["village_secretary_b"], start_date=DAYS[0],
                     end_date=DAYS[2], reason="探亲", channel="wechat", channel_note="在外地"),
    }


def status(leave):
    leave.refresh_from_db()
    return leave.status


def test_r22_bulk_approve_decides_each_and_lists_the_refused_with_reasons(world, leaves):
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    c = Client()
    c.force_login(liaison)
    page = c.get("/attendance/leave/?mine=pending").content.decode()
    assert 'data-testid="bulk-decide"' in page and "批量批准" in page and "批量驳回" in page
    assert f'name="ids" value="{leaves["zhang"].pk}"' in page
    ids = [leaves[k].pk for k in ("zhang", "wang", "short", "other")]
    r = c.post("/attendance/leave/bulk/", {"ids": ids, "decision": "approve"}, follow=True)
    text = r.content.decode()
    assert "已批准 2 条请假：张三、王五。" in text
    assert "2 条未能批准，原因如下。" in text
    assert "须由城东村的村党组织书记审批，您无权审批" in text  # R-22, the 1-day request
    assert "请假记录不存在或不在您的管辖范围内" in text  # the other township's request: not found
    assert [status(leaves[k]) for k in ("zhang", "wang", "short", "other")] == [S.APPROVED, S.APPROVED, S.PENDING,
                                                                                S.PENDING]
    assert leaves["zhang"].decided_by == liaison
    # the history records who decided, as a single decision does
    assert leaves["zhang"].history.first().history_user == liaison


def test_r22_bulk_reject_needs_one_reason_and_changes_nothing_without_it(world, leaves):
    c = Client()
    c.force_login(world.users[Role.TOWNSHIP_LIAISON])
    ids = [leaves["zhang"].pk, leaves["wang"].pk]
    text = c.post("/attendance/leave/bulk/", {"ids": ids, "decision": "reject", "comment": " "},
                  follow=True).content.decode()
    assert "批量驳回时请写明理由" in text
    assert status(leaves["zhang"]) == status(leaves["wang"]) == S.PENDING
    c.post("/attendance/leave/bulk/", {"ids": ids, "decision": "reject", "comment": "农忙时节，请改期"})
    assert status(leaves["zhang"]) == status(leaves["wang"]) == S.REJECTED
    assert leaves["wang"].decision_comment == "农忙时节，请改期"


def test_r22_an_already_decided_request_is_refused_and_the_rest_go_through(world, leaves):
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    services.leave_approve(leave=leaves["zhang"], by=liaison)
    results = services.leave_decide_many(ids=[leaves["zhang"].pk, leaves["wang"].pk], by=liaison, decision="reject",
                                         comment="人手不足")
    assert [r["ok"] for r in results] == [False, True]
    assert "已是“已批准”状态，不能再审批" in results[0]["message"]
    assert status(leaves["zhang"]) == S.APPROVED and status(leaves["wang"]) == S.REJECTED


def test_bulk_page_is_post_only_and_junk_is_answered_plainly(world, leaves):
    c = Client()
    c.force_login(world.users[Role.TOWNSHIP_LIAISON])
    assert c.get("/attendance/leave/bulk/").status_code == 405
    text = c.post("/attendance/leave/bulk/", {"ids": ["x", "99999999999999"], "decision": "approve"},
                  follow=True).content.decode()
    assert "请至少选择一条请假" in text
    text = c.post("/attendance/leave/bulk/", {"ids": [leaves["zhang"].pk], "decision": "maybe"},
                  follow=True).content.decode()
    assert "请选择批准或驳回" in text
    assert status(leaves["zhang"]) == S.PENDING
    # the list without pending requests shows no bulk form
    c.force_login(world.users[Role.COUNTY_ORG])
    assert 'data-testid="bulk-decide"' not in c.get("/attendance/leave/?mine=pending").content.decode()


def test_bulk_needs_csrf(world, leaves):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users[Role.TOWNSHIP_LIAISON])
    r = c.post("/attendance/leave/bulk/", {"ids": [leaves["zhang"].pk], "decision": "approve"})
    assert r.status_code == 403
    assert status(leaves["zhang"]) == S.PENDING


def test_api_bulk_decide_answers_per_id(world, leaves, api):
    r = api(world.users[Role.TOWNSHIP_LIAISON]).post(
        "/api/v1/leave-requests/bulk-decide/",
        {"ids": [leaves["zhang"].pk, leaves["other"].pk, leaves["short"].pk], "decision": "approve", "comment": ""},
        format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["decided"] == 1 and body["refused"] == 2
    by_id = {row["id"]: row for row in body["results"]}
    assert by_id[leaves["zhang"].pk]["ok"] is True and by_id[leaves["zhang"].pk]["status"] == "approved"
    assert by_id[leaves["other"].pk]["status"] is None
    assert "不存在" in by_id[leaves["other"].pk]["message"]
    assert "无权审批" in by_id[leaves["short"].pk]["message"]
    r = api(world.users[Role.TOWNSHIP_LIAISON]).post(
        "/api/v1/leave-requests/bulk-decide/", {"ids": [leaves["wang"].pk], "decision": "reject"}, format="json")
    assert r.status_code == 400 and "理由" in r.json()["comment"][0]
    assert status(leaves["wang"]) == S.PENDING


def test_bulk_decide_is_in_the_schema(client, world):
    client.force_login(world.users[Role.COUNTY_ORG])
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/leave-requests/bulk-decide/:" in schema and "LeaveBulkDecisionEnum" in schema
