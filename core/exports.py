"""Exports as jobs (issue 19 item 5, docs/decisions/024).

An export that can take more than a few seconds (the ledger of many townships) is not built inside the
request — gunicorn kills a request after its timeout and a national ledger takes minutes. Instead
``export_start`` records an ``ExportJob`` and sends ``core.tasks.run_export``; the task writes the file in
constant memory through the builder the owning app registered (``core.registry.export_kind``), reports
progress on the row every so many rows, and stores the file in ``STORAGES["exports"]``. The user watches the
job page (htmx polling) and downloads the file through ``core.views_exports.export_download``, which checks
the job is theirs and writes the personal-data log. ``export_expire`` (scheduled) deletes files after
``EXPORT_KEEP_HOURS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import tempfile
from contextlib import contextmanager

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _

from core.audit import log_personal_data
from core.db import session_setting
from core.jobs import QUEUED_MESSAGE, enqueue
from core.models import ExportJob
from core.registry import export_builder

log = logging.getLogger(__name__)


@transaction.atomic
def export_start(*, user, kind: str, label: str, params: dict, total: int = 0) -> ExportJob:
    """Record an export job for ``user`` and send it to a worker once the transaction commits (with the
    broker down it waits as a PendingJob and the page says so)."""
    export_builder(kind)  # an unknown kind fails here, in the request, not later in the worker
    job = ExportJob.objects.create(user=user, kind=kind, label=label[:300], params=params, total=total)

    def deferred():
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(error=str(QUEUED_MESSAGE))

    enqueue("core.tasks.run_export", job.pk, on_deferred=deferred)
    return job


@contextmanager
def jit_off():
    """PostgreSQL's JIT compiles the ledger's big query for seconds (measured: 2.46 s with JIT, 0.50 s
    without). The job's reads run in autocommit (the progress updates must be seen by the page while the
    file is built), so the setting is made for the session and reset afterwards rather than ``SET LOCAL``
    inside one transaction. Nothing to do on SQLite."""
    with session_setting("jit", "off"):
        yield


def _progress(job_id: int):
    def report(done: int, total: int | None = None) -> None:
        fields = {"done": done}
        if total is not None:
            fields["total"] = total
        ExportJob.objects.filter(pk=job_id).update(**fields)

    return report


def export_run(job_id: int) -> str:
    """The task's body: build job ``job_id``'s file. Idempotent — a finished, failed or expired job is left
    as it is (a redelivered message does nothing). Returns the final status."""
    claimed = ExportJob.objects.filter(pk=job_id, status__in=(ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)) \
        .update(status=ExportJob.Status.RUNNING, started_at=timezone.now(), error="", done=0)
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if not claimed or job is None:
        return job.status if job else "missing"
    try:
        with tempfile.TemporaryFile() as out, jit_off():
            result = export_builder(job.kind)(job, out, _progress(job.pk))
            out.seek(0)
            job.refresh_from_db(fields=["done", "total"])
            job.file.save(result["filename"], File(out), save=False)
        now = timezone.now()
        job.filename = result["filename"]
        job.personal_log = result.get("personal_log")
        job.status = ExportJob.Status.DONE
        job.finished_at = now
        job.expires_at = now + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)
        job.save(update_fields=["file", "filename", "personal_log", "status", "finished_at", "expires_at"])
    except Exception as exc:
        log.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now(),
            error=(_("生成文件时出错，请稍后重试；如仍失败请联系管理员。") + f"（{exc.__class__.__name__}）")[:500])
        raise
    return job.status


#: how long the row of an expired or failed job stays listed under 我的导出 (its file is long gone)
KEEP_ROWS_DAYS = 30


def export_expire(*, now=None) -> int:
    """Delete the files of jobs past their keeping time; the rows stay a while, marked 已过期 and without the
    names kept for the personal-data log, so the page says what happened; rows older than ``KEEP_ROWS_DAYS``
    go. Returns how many jobs expired now."""
    now = now or timezone.now()
    n = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now).iterator():
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="", personal_log=None)
        n += 1
    ExportJob.objects.filter(status__in=(ExportJob.Status.EXPIRED, ExportJob.Status.FAILED),
                             created_at__lt=now - dt.timedelta(days=KEEP_ROWS_DAYS)).delete()
    return n


def download_response(request, job):
    """The finished file of ``job`` (the page's and the API's download), recorded in the personal-data log when
    it shows full ID numbers and phones."""
    if job.personal_log:
        log_personal_data(request, **{**job.personal_log, "subjects": [tuple(p) for p in job.personal_log["subjects"]]})
    content_type = mimetypes.guess_type(job.filename)[0] or "application/octet-stream"
    response = FileResponse(job.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(job.filename)}"
    return response
