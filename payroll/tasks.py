"""Thin Celery tasks of the stipend app (API.md "Jobs"): each loads its arguments and calls one service."""

from __future__ import annotations

from celery import shared_task

from payroll import services


@shared_task
def run_monthly_payroll(month: str | None = None) -> dict:
    """R-42: on the 1st, build the previous month's draft run for every county (``month``: "YYYY-MM").
    Approved runs are skipped; running it again gives the same lines."""
    return services.run_monthly_payroll(month=month)


@shared_task
def build_pay_run(run_id: int, user_id: int | None = None) -> dict:
    """Build one run started by hand in the UI; the run row shows the progress (polled by the page)."""
    return services.pay_run_build_job(run_id=run_id, user_id=user_id)
