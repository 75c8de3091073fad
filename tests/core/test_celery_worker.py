"""A real Celery worker runs a real job through Redis (CI has Redis and PostgreSQL)."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import AuditEvent

pytestmark = [pytest.mark.services]


def test_worker_purges_old_audit_events_through_redis(celery_worker_process):
    old = AuditEvent.objects.create(action="login", outcome="success", username="old")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=200))
    recent = AuditEvent.objects.create(action="login", outcome="success", username="recent")

    deleted = celery_worker_process("core.tasks.purge_audit_events")

    assert deleted == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
