"""Issue 12 item 5: an approver names a deputy for a date range (same scope); the deputy decides in the
approver's place, is told of requests waiting, and the decision records whom it was made for."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attendance import services
from attendance.selectors import leave_pending_for
from attendance.services import deputies
from core.dates import today
from core.models import Notification
from core.roles import Role
from tests.factories import client_for, user_with_role

pytestmark = pytest.mark.django_db
D = dt.date
TWO_DAYS = {"start_date": D(2026, 3, 4), "end_date": D(2026, 3, 5)}


@pytest.fixture
def liaison2(world):
    """The deputy: 城东村's own secretary, who already acts at the village (decides ≤ 1 day, not 2)."""
    return world.users[Role.VILLAGE_SECRETARY]


def _name(world, deputy, *, start=None, end=None, by=None, role=Role.TOWNSHIP_LIAISON):
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    return deputies.deputy_name(principal=liaison, deputy=deputy, role=role, village=world.village,
                                start_date=start or today() - dt.timedelta(days=1),
                                end_date=end or today() + dt.timedelta(days=10), note="外出学习", by=by or liaison)


def test_the_deputy_decides_and_the_decision_says_for_whom(world, liaison2):
    _name(world, liaison2)
    assert Notification.objects.filter(user=liaison2, kind="leave_deputy").exists()
    leave = services.leave_submit(cadre=world.cadre, by=world.cadre.user, reason="探亲", **TWO_DAYS)
    assert leave.approver_role == "township_liaison"
    assert Notification.objects.filter(user=liaison2, kind="leave_pending").exists()  # told it waits
    assert leave in leave_pending_for(user=liaison2)
    leave = services.leave_approve(leave=leave, by=liaison2, comment="同意")
    assert leave.decided_by == liaison2 and leave.decided_for == world.users[Role.TOWNSHIP_LIAISON]
    assert leave.decided_as == "township_liaison"
    page = client_for(world.users[Role.TOWNSHIP_LIAISON]).get(f"/attendance/leave/{leave.pk}/").content.decode()
    assert "委托代理审批" in page


def test_outside_the_dates_the_deputy_may_not_decide(world, liaison2):
    _name(world, liaison2, start=today() + dt.timedelta(days=5), end=today() + dt.timedelta(days=9))
    leave = services.leave_submit(cadre=world.cadre, by=world.cadre.user, reason="探亲", **TWO_DAYS)
    with pytest.raises(PermissionDenied):
        services.leave_approve(leave=leave, by=liaison2)
    assert leave not in leave_pending_for(user=liaison2)


def test_a_deputy_outside_the_township_or_oneself_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        _name(world, world.users["village_secretary_b"])
    assert "本村" in exc.value.message_dict["deputy"][0]
    with pytest.raises(ValidationError):  # the liaison of another village of the same township does not see 城东村
        _name(world, user_with_role(Role.TOWNSHIP_LIAISON, world.village2, username="liaison_2"))
    with pytest.raises(ValidationError) as exc:
        _name(world, world.users[Role.TOWNSHIP_LIAISON])
    assert "本人" in exc.value.message_dict["deputy"][0]
    with pytest.raises(ValidationError) as exc:
        _name(world, world.users[Role.TOWNSHIP_PARTY], end=today() + dt.timedelta(days=200))
    assert "最长" in exc.value.message_dict["end_date"][0]


def test_who_names_a_deputy(world, liaison2):
    # the secretary does not hold the liaison role; the township party committee may name one for the liaison
    with pytest.raises(PermissionDenied):
        _name(world, world.users[Role.TOWNSHIP_PARTY], by=world.users[Role.VILLAGE_SECRETARY])
    row = _name(world, liaison2, by=world.users[Role.TOWNSHIP_PARTY])
    assert row.created_by == world.users[Role.TOWNSHIP_PARTY]
    deputies.deputy_cancel(deputyship=row, by=world.users[Role.TOWNSHIP_LIAISON])
    leave = services.leave_submit(cadre=world.cadre, by=world.cadre.user, reason="探亲", **TWO_DAYS)
    with pytest.raises(PermissionDenied):  # cancelled
        services.leave_approve(leave=leave, by=liaison2)


def test_the_page_names_and_lists_deputies(world, liaison2):
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    c = client_for(liaison)
    r = c.post("/attendance/deputies/", {"principal": liaison.pk, "role": "township_liaison",
                                         "village": world.village.pk, "deputy": liaison2.pk,
                                         "start_date": str(today()), "end_date": str(today() + dt.timedelta(days=3)),
                                         "note": "住院"}, follow=True)
    page = r.content.decode()
    assert "已指定" in page and "代理中" in page and "住院" in page
    r = c.post("/attendance/deputies/", {"principal": liaison.pk, "role": "township_liaison",
                                         "village": world.village.pk, "deputy": liaison2.pk,
                                         "start_date": str(today()), "end_date": str(today() - dt.timedelta(days=3))})
    assert r.status_code == 400
    assert client_for(world.users[Role.CADRE]).get("/attendance/deputies/").status_code == 403
