"""Core jobs: log retention (等保: keep security logs at least 6 months) and the catch-up of missed work."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core import exports, jobs  # noqa: F401 - connects the run recording and the catch-up at worker start
from core.models import AuditEvent


@shared_task
def purge_audit_events(days: int | None = None) -> int:
    """Delete security events older than the retention (default AUDIT_RETENTION_DAYS = 180); returns count."""
    keep = days if days is not None else settings.AUDIT_RETENTION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=keep)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


@shared_task(name="core.tasks.catch_up")
def catch_up() -> dict:
    """After an outage (Redis, worker or beat down): run the missed days of the daily jobs and the missed
    month of the pay run, and send the tasks the web kept while the broker was down (core.jobs)."""
    return jobs.catch_up()


@shared_task(name="core.tasks.run_export")
def run_export(job_id: int) -> str:
    """Build one export job's file (core.exports; docs/decisions/024)."""
    return exports.export_run(job_id)


@shared_task(name="core.tasks.expire_exports")
def expire_exports() -> int:
    """Delete export files past their keeping time (EXPORT_KEEP_HOURS); the job page then says 已过期."""
    return exports.export_expire()
