"""Thin Celery tasks of the attendance app (API.md "Jobs")."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from attendance import services


@shared_task(name="attendance.tasks.check_absence_thresholds")
def check_absence_thresholds(as_of: str | dt.date | None = None) -> int:
    """R-25, daily via Celery beat (core/schedules.py): flag overdue returns (R-23) and open one
    discipline case per absence run over 15 working days or year over 30. Returns cases opened."""
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    return services.run_daily_checks(as_of=as_of)
