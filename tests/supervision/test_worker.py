"""The daily job through a real Celery worker (the beat row in core/schedules.py names this task)."""

import datetime as dt

import pytest

from core.models import Notification
from core.roles import Role
from core.schedules import SCHEDULES

pytestmark = pytest.mark.services


def test_beat_row_names_the_task():
    assert any(s["task"] == "supervision.tasks.check_overdue" for s in SCHEDULES)


def test_check_overdue_runs_in_a_real_worker(world, celery_worker_process):  # R-53, idempotent
    first = celery_worker_process("supervision.tasks.check_overdue", "2025-07-01")
    assert first["talks"] >= 1
    party = world.users[Role.TOWNSHIP_PARTY]
    assert Notification.objects.filter(user=party, kind="talk_due").exists()
    before = Notification.objects.count()
    again = celery_worker_process("supervision.tasks.check_overdue", as_of=dt.date(2025, 7, 1).isoformat())
    assert again["talks"] == 0 and Notification.objects.count() == before
