"""Core jobs: log retention (等保: keep security logs at least 6 months) and the catch-up of missed work."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core import (
    exports,
    jobs,  # connects the run recording and the catch-up at worker start
    messaging,
)
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
# -- messages out of the app (core.messaging, docs/decisions/018) ---------------------------------------------

@shared_task(name="core.tasks.deliver_notices")
def deliver_notices(ids=None, key: str = "", user_ids=None) -> int:
    """Plan the deliveries of notices just written (by id, or by their key and recipients) and send each."""
    if key:
        ids = messaging.notices_for_key(key, user_ids or [])
    pending = messaging.plan(ids or [])
    for pk in pending:
        _send_delivery(pk)
    return len(pending)


@shared_task(bind=True, name="core.tasks.deliver", max_retries=None, acks_late=True)
def deliver(self, delivery_id: int) -> None:
    """One attempt; on failure Celery retries after ``messaging.retry_delay`` until MESSAGE_MAX_ATTEMPTS."""
    wait = messaging.attempt(delivery_id)
    while wait is not None and self.request.is_eager:  # tests run tasks in-process: the retries follow at once
        wait = messaging.attempt(delivery_id)
    if wait is not None:
        raise self.retry(countdown=wait)


def _send_delivery(pk: int) -> None:
    """To the broker now; when it is down the task is kept as a PendingJob for the catch-up (core.jobs)."""
    jobs.send_or_keep("core.tasks.deliver", [pk])


@shared_task(name="core.tasks.resend_deliveries")
def resend_deliveries() -> int:
    """Every few minutes: hand again to Celery the deliveries whose retry is long overdue (nothing is lost)."""
    lost = messaging.lost_deliveries()
    for pk in lost:
        _send_delivery(pk)
    return len(lost)


@shared_task(name="core.tasks.send_message_digest")
def send_message_digest(as_of: str | None = None) -> int:
    """Daily: one e-mail to each person who chose the digest, listing the notices of the day before."""
    run_day = dt.date.fromisoformat(str(as_of)[:10]) if as_of else timezone.localdate()
    pending = messaging.plan_digests(run_day)
    for pk in pending:
        _send_delivery(pk)
    return len(pending)
