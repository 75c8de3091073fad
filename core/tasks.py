"""Core jobs: log retention (等保: keep security logs at least 6 months)."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task
def purge_audit_events(days: int | None = None) -> int:
    """Delete security events older than the retention (default AUDIT_RETENTION_DAYS = 180); returns count."""
    from core.models import AuditEvent

    keep = days if days is not None else settings.AUDIT_RETENTION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=keep)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
