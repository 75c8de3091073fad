"""Issue 17 #5: "等待您审批" stays unread no more once the leave is decided or withdrawn; the inbox badge
counts only what still waits."""

import datetime as dt

import pytest
from django.test import Client

from attendance import services
from core.models import Notification
from core.roles import Role

pytestmark = pytest.mark.django_db


def ask(world, days=1):
    start = dt.date(2026, 3, 4)
    return services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=start,
                                 end_date=start + dt.timedelta(days=days - 1), reason="家中有事")


def pending_notice(leave, user):
    return Notification.objects.get(user=user, key=f"leave-pending:{leave.pk}")


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_deciding_a_leave_settles_its_waiting_notice(world, decide):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    leave = ask(world)
    assert pending_notice(leave, secretary).read_at is None
    client = Client()
    client.force_login(secretary)
    assert "等待您审批" in client.get("/notifications/").content.decode()
    if decide == "approve":
        services.leave_approve(leave=leave, by=secretary)
    else:
        services.leave_reject(leave=leave, by=secretary, comment="村里换届，暂缓")
    assert pending_notice(leave, secretary).read_at is not None
    assert not Notification.objects.filter(user=secretary, read_at__isnull=True).exists()
    # the cadre's own notice of the decision is new, and unread
    assert Notification.objects.get(user=world.users[Role.CADRE], key=f"leave-decided:{leave.pk}").read_at is None


def test_withdrawing_a_leave_settles_its_waiting_notice(world):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    leave = ask(world)
    services.leave_cancel(leave=leave, by=world.users[Role.CADRE])
    assert pending_notice(leave, secretary).read_at is not None
