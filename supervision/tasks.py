"""Celery tasks of the supervision app (API.md "Jobs"). Thin: parse the date, call the service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from core.dates import today
from supervision.services import check_overdue as run


@shared_task(name="supervision.tasks.check_overdue")
def check_overdue(as_of=None) -> dict:
    """Daily overdue check (R-26, R-44, R-52, R-53, R-56); ``as_of`` is a date or "YYYY-MM-DD"
    (default today in Asia/Shanghai). Idempotent: each notice goes out once."""
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    return run(as_of=as_of or today())
