"""R-21/R-22/R-23 through /api/v1/leave-requests/ (API.md "Leave and attendance")."""

import datetime as dt
import threading

import pytest
from django.db import connection

from attendance import services
from attendance.models import LeaveRequest
from core.models import Notification
from core.roles import Role
from tests.factories import user_with_role

URL = "/api/v1/leave-requests/"
D = dt.date


def ask(api, user, **body):
    data = {"start_date": "2026-03-04", "end_date": "2026-03-04", "reason": "家中有事"}
    data.update(body)
    return api(user).post(URL, data, format="json")


@pytest.mark.django_db
def test_cadre_asks_for_one_and_a_half_days_routed_to_the_liaison(world, api):
    r = ask(api, world.users[Role.CADRE], start_half="pm", end_date="2026-03-05")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["days"] == "1.5"
    assert body["approver_role"] == "township_liaison"
    assert body["status"] == "pending"
    assert body["cadre"] == world.cadre.pk
    assert body["returned_on"] is None
    # the liaison is told, the secretary is not
    assert Notification.objects.filter(user=world.users[Role.TOWNSHIP_LIAISON], kind="leave_pending").count() == 1
    assert not Notification.objects.filter(user=world.users[Role.VILLAGE_SECRETARY]).exists()


@pytest.mark.django_db
def test_one_day_is_routed_to_the_village_secretary(world, api):
    r = ask(api, world.users[Role.CADRE], start_date="2026-03-06", end_date="2026-03-09",
            start_half="pm", end_half="am")
    assert r.status_code == 201, r.json()
    assert r.json()["days"] == "1.0"
    assert r.json()["approver_role"] == "village_secretary"


@pytest.mark.django_db
def test_a_range_with_no_working_day_is_refused(world, api):
    r = ask(api, world.users[Role.CADRE], start_date="2026-10-01", end_date="2026-10-07")
    assert r.status_code == 400
    assert "没有工作日" in r.json()["end_date"][0]
    assert not LeaveRequest.objects.exists()


@pytest.mark.django_db
def test_a_cadre_cannot_ask_for_someone_else(world, api):
    r = ask(api, world.users[Role.CADRE], cadre=world.other_cadre.pk)
    assert r.status_code == 403
    assert "本人" in r.json()["detail"]
    assert not LeaveRequest.objects.exists()


@pytest.mark.django_db
def test_wechat_needs_a_note_and_the_secretary_may_record_it(world, api):
    sec = world.users[Role.VILLAGE_SECRETARY]
    r = ask(api, sec, cadre=world.cadre.pk, channel="wechat")
    assert r.status_code == 400
    assert "微信或短信" in r.json()["channel_note"][0]
    r = ask(api, sec, cadre=world.cadre.pk, channel="wechat", channel_note="本人在县医院，无法到村填表")
    assert r.status_code == 201
    assert r.json()["channel"] == "wechat"
    # a township official cannot record leave, and nobody may for a cadre outside their scope
    assert ask(api, world.users[Role.TOWNSHIP_PARTY], cadre=world.cadre.pk, start_date="2026-03-10",
               end_date="2026-03-10").status_code == 403
    assert ask(api, sec, cadre=world.other_cadre.pk).status_code == 400


@pytest.mark.django_db
def test_overlapping_leave_is_refused(world, api):
    cadre = world.users[Role.CADRE]
    assert ask(api, cadre, end_date="2026-03-05").status_code == 201
    r = ask(api, cadre, start_date="2026-03-05", end_date="2026-03-06")
    assert r.status_code == 400 and "重叠" in r.json()["start_date"][0]
    # the afternoon after a morning-only leave is free
    assert ask(api, cadre, start_date="2026-03-09", end_date="2026-03-09", end_half="am").status_code == 201
    assert ask(api, cadre, start_date="2026-03-09", end_date="2026-03-09", start_half="pm").status_code == 201


NON_APPROVERS_FORBIDDEN = [Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY,
                           Role.VILLAGE_SECRETARY, Role.CADRE]
OUT_OF_SCOPE = ["township_party_b", "village_secretary_b", "stranger"]


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_only_the_liaison_decides_more_than_a_day(world, api, action):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  end_date=D(2026, 3, 5), start_half="pm", reason="探亲")
    for who in NON_APPROVERS_FORBIDDEN:
        r = api(world.users[who]).post(f"{URL}{leave.pk}/{action}/", {"comment": "同意"}, format="json")
        assert r.status_code == 403, who
    for who in OUT_OF_SCOPE:
        r = api(world.users[who]).post(f"{URL}{leave.pk}/{action}/", {"comment": "同意"}, format="json")
        assert r.status_code == 404, who
    leave.refresh_from_db()
    assert leave.status == "pending"
    r = api(world.users[Role.TOWNSHIP_LIAISON]).post(f"{URL}{leave.pk}/{action}/", {"comment": "同意"}, format="json")
    assert r.status_code == 200
    assert r.json()["status"] == ("approved" if action == "approve" else "rejected")
    # deciding again is a conflict
    again = api(world.users[Role.TOWNSHIP_LIAISON]).post(f"{URL}{leave.pk}/approve/", {}, format="json")
    assert again.status_code == 409


@pytest.mark.django_db
def test_only_the_secretary_decides_a_day_or_less(world, api):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  end_date=D(2026, 3, 4), reason="办证")
    assert leave.approver_role == "village_secretary"
    for who in [Role.TOWNSHIP_LIAISON, Role.TOWNSHIP_PARTY, Role.COUNTY_ORG, Role.CADRE]:
        assert api(world.users[who]).post(f"{URL}{leave.pk}/approve/", {}, format="json").status_code == 403, who
    # a secretary of another village (even in the same township) cannot
    other_sec = user_with_role(Role.VILLAGE_SECRETARY, world.village2)
    assert api(other_sec).post(f"{URL}{leave.pk}/approve/", {}, format="json").status_code == 404
    r = api(world.users[Role.VILLAGE_SECRETARY]).post(f"{URL}{leave.pk}/approve/", {"comment": "同意"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    note = Notification.objects.get(user=world.users[Role.CADRE], kind="leave_decided")
    assert "已批准" in note.title


@pytest.mark.django_db
def test_the_approver_is_fixed_at_submission(world, api):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  end_date=D(2026, 3, 4), reason="办证")
    # a county override later makes the range longer... the approver does not move
    from core.models import CalendarOverride

    CalendarOverride.objects.create(county=world.county, date=D(2026, 3, 7), is_workday=True, note="加班")
    leave.refresh_from_db()
    assert leave.approver_role == "village_secretary"


@pytest.mark.django_db
def test_reject_needs_a_reason(world, api):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  end_date=D(2026, 3, 4), reason="办证")
    r = api(world.users[Role.VILLAGE_SECRETARY]).post(f"{URL}{leave.pk}/reject/", {"comment": ""}, format="json")
    assert r.status_code == 400 and "理由" in r.json()["comment"][0]


@pytest.mark.django_db
def test_cancel_before_approval_only(world, api):
    cadre = world.users[Role.CADRE]
    leave = services.leave_submit(cadre=world.cadre, by=cadre, start_date=D(2026, 3, 4), end_date=D(2026, 3, 4),
                                  reason="办证")
    assert api(world.users[Role.TOWNSHIP_PARTY]).post(f"{URL}{leave.pk}/cancel/").status_code == 403
    r = api(cadre).post(f"{URL}{leave.pk}/cancel/")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    leave2 = services.leave_submit(cadre=world.cadre, by=cadre, start_date=D(2026, 3, 4), end_date=D(2026, 3, 4),
                                   reason="办证")
    services.leave_approve(leave=leave2, by=world.users[Role.VILLAGE_SECRETARY])
    assert api(cadre).post(f"{URL}{leave2.pk}/cancel/").status_code == 409


@pytest.mark.django_db
def test_return_is_recorded(world, api):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  end_date=D(2026, 3, 5), reason="探亲")
    # not approved yet: nothing to return from
    r = api(world.users[Role.CADRE]).post(f"{URL}{leave.pk}/return/", {"returned_on": "2026-03-06"}, format="json")
    assert r.status_code == 409
    services.leave_approve(leave=leave, by=world.users[Role.TOWNSHIP_LIAISON])
    r = api(world.users[Role.COUNTY_FINANCE]).post(f"{URL}{leave.pk}/return/", {"returned_on": "2026-03-06"},
                                                   format="json")
    assert r.status_code == 403
    r = api(world.users[Role.TOWNSHIP_LIAISON]).post(f"{URL}{leave.pk}/return/", {"returned_on": "2026-03-01"},
                                                     format="json")
    assert r.status_code == 400 and "returned_on" in r.json()
    # the approving side (the liaison who decided it) records the return: it is final (issue 12 item 1)
    r = api(world.users[Role.TOWNSHIP_LIAISON]).post(f"{URL}{leave.pk}/return/", {"returned_on": "2026-03-06"},
                                                     format="json")
    assert r.status_code == 200
    assert r.json()["status"] == "returned" and r.json()["returned_on"] == "2026-03-06"
    leave.refresh_from_db()
    assert leave.return_recorded_by == world.users[Role.TOWNSHIP_LIAISON]
    # the record is kept: history has who did each step
    assert [h.history_user for h in leave.history.order_by("history_date")] == [
        world.users[Role.CADRE], world.users[Role.TOWNSHIP_LIAISON], world.users[Role.TOWNSHIP_LIAISON]]


@pytest.mark.django_db
def test_list_is_scoped_and_a_cadre_sees_only_their_own(world, api):
    services.leave_submit(cadre=world.cadre, by=None, start_date=D(2026, 3, 4), end_date=D(2026, 3, 4), reason="a")
    services.leave_submit(cadre=world.other_cadre, by=None, start_date=D(2026, 3, 4), end_date=D(2026, 3, 4),
                          reason="b")
    seen = lambda who: {x["cadre"] for x in api(world.users[who]).get(URL).json()["results"]}  # noqa: E731
    assert seen(Role.CADRE) == {world.cadre.pk}
    assert seen(Role.TOWNSHIP_PARTY) == {world.cadre.pk}
    assert seen("township_party_b") == {world.other_cadre.pk}
    assert seen(Role.COUNTY_ORG) == {world.cadre.pk, world.other_cadre.pk}
    assert seen("stranger") == set()
    assert api(None).get(URL).status_code in (401, 403)
    r = api(world.users[Role.COUNTY_ORG]).get(URL, {"status": "pending", "village": world.village.pk})
    assert [x["cadre"] for x in r.json()["results"]] == [world.cadre.pk]


@pytest.mark.django_db
def test_leave_list_query_count_does_not_grow(world, api, django_assert_max_num_queries):
    from tests.factories import CadreFactory

    user = world.users[Role.COUNTY_ORG]
    for _i in range(3):
        c = CadreFactory(village=world.village2)
        services.leave_submit(cadre=c, by=None, start_date=D(2026, 3, 4), end_date=D(2026, 3, 4), reason="x")
    with django_assert_max_num_queries(8) as few:
        api(user).get(URL)
    for i in range(25):
        c = CadreFactory(village=world.village2 if i % 2 else world.other_village)
        services.leave_submit(cadre=c, by=None, start_date=D(2026, 3, 4), end_date=D(2026, 3, 5), reason="x")
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = api(user).get(URL)
    assert r.json()["count"] == 28


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_exactly_one_wins(world, api):  # R-22 (select_for_update)
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    second = user_with_role(Role.TOWNSHIP_LIAISON, world.village, username="liaison_1b")
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  end_date=D(2026, 3, 6), reason="探亲")
    barrier = threading.Barrier(2)
    results = {}

    def go(user):
        from django.db import connections

        try:
            barrier.wait()
            results[user.username] = api(user).post(f"{URL}{leave.pk}/approve/", {"comment": user.username},
                                                    format="json").status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(u,)) for u in (world.users[Role.TOWNSHIP_LIAISON], second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == [200, 409]
    leave.refresh_from_db()
    assert leave.status == "approved"
    assert leave.history.filter(status="approved").count() == 1
