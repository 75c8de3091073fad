"""Excel imports with a dry-run preview (issue 14 item 3): upload → every row checked by the real services in a
transaction that is rolled back → a preview (counts, first rows, warnings) → 确认导入 commits the same file.

All or nothing: one bad row and nothing is imported; the user gets their own sheet back with the bad rows
marked and a 错误说明 column (``core.excel.error_workbook``). Between the preview and the confirmation the
checked file waits in an ``ImportBatch`` row, bound to its SHA-256: a confirmation names the batch and the
hash the preview showed, so a stale or foreign preview can never commit a different file. The confirmation
checks every row again against the database of that moment (decision 020).

An app describes its import as an ``ImportKind`` (columns and a ``run`` that creates the rows through its own
services) and answers its page with ``import_page(request, kind)``; core knows no app.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import excel
from core.errors import Conflict
from core.forms import ImportUploadForm
from core.models import ImportBatch
from core.web import apply_errors

#: how long a preview may wait for its 确认导入
PREVIEW_MINUTES = 30
#: rows listed on the preview page
PREVIEW_ROWS = 20


@dataclass
class ImportOutcome:
    """What an import did (or, in the dry run, would do)."""

    counts: list[tuple[str, int]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: shown once after the commit (the accounts' first passwords), never stored
    secrets_headers: list[str] = field(default_factory=list)
    secrets: list[list] = field(default_factory=list)
    result_file: bytes | None = None
    result_filename: str = ""


@dataclass
class ImportKind:
    key: str
    title: str
    columns: dict[str, str]
    #: ``run(by=, result=)`` creates every row through the app's services, noting bad rows in ``result``
    run: Callable[..., ImportOutcome]
    template_url: str
    back_url: str
    steps: list[str] = field(default_factory=list)
    optional: frozenset = frozenset()
    max_rows: int | None = None


def error_lines(exc, labels: dict[str, str]) -> list[str]:
    """A service error as lines a clerk can read, each prefixed with the field's Chinese name."""
    if isinstance(exc, Conflict):
        return [str(exc.message)]
    if isinstance(exc, PermissionDenied):
        return [str(exc) or _("您无权导入这一行。")]
    if not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    out = []
    for name, errors in exc.error_dict.items():
        for e in errors:
            for m in e.messages:
                out.append(f"{labels[name]}：{m}" if name in labels else str(m))
    return out


def each_row(result, handle, labels: dict[str, str]) -> list:
    """``handle(number, row)`` for every row, each in a savepoint; a refusal becomes the row's error."""
    done = []
    for number, row in result.rows:
        try:
            with transaction.atomic():
                done.append(handle(number, row))
        except (ValidationError, Conflict, PermissionDenied) as exc:
            for message in error_lines(exc, labels):
                result.error(number, message)
    return done


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def choice_cell(problems: dict, row, field: str, choices, message: str, *, default=None):
    """The value of the choice written by its label in ``row[field]`` (blank: ``default``, a choice member);
    a label that is not one of ``choices`` is noted in ``problems[field]`` (``message``, %(c)s the labels) and
    gives None."""
    labels = {str(label): value for value, label in choices}
    value = labels.get(cell_text(row[field]) or (str(default.label) if default is not None else ""))
    if value is None:
        problems[field] = message % {"c": "、".join(labels)}
    return value


def _run(kind: ImportKind, by, result, *, commit: bool) -> ImportOutcome:
    """The import in one transaction, rolled back unless ``commit`` and every row was good."""
    with transaction.atomic():
        outcome = kind.run(by=by, result=result)
        if result.errors or not commit:
            transaction.set_rollback(True)
    return outcome


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _stage(kind: ImportKind, by, name: str, content: bytes, rows: int) -> ImportBatch:
    stale = timezone.now() - dt.timedelta(minutes=PREVIEW_MINUTES)
    ImportBatch.objects.filter(committed_at__isnull=True, created_at__lt=stale).delete()
    ImportBatch.objects.filter(committed_at__isnull=True, created_by=by, kind=kind.key).delete()  # one preview at a time
    batch = ImportBatch(kind=kind.key, filename=name[:200], sha256=_digest(content), content=content, created_by=by,
                        rows=rows)
    batch._history_user = by
    batch.save()
    return batch


def _page(request, kind, template, ctx, status=200):
    return render(request, template, {"kind": kind, **ctx}, status=status)


def _marked(request, kind, upload, result, form=None):
    """Nothing imported: the errors row by row and the user's sheet with the bad rows marked."""
    marked = excel.error_workbook(upload, result)
    return _page(request, kind, "core/import_upload.html", {
        "form": form or ImportUploadForm(), "error_rows": sorted(result.errors.items()),
        "error_file_b64": base64.b64encode(marked).decode(),
        "error_filename": _("导入未成功-请按标红说明修改-%(n)s") % {"n": upload.name},
    }, status=400)


def import_views(kind_for, template, filename):
    """The two pages of one import: the page itself (``import_page``) and its template workbook,
    ``template(user)`` saved as ``filename``. ``kind_for(request)`` gives the ``ImportKind`` and refuses (403)
    whoever may not import."""

    @login_required
    def page(request):
        return import_page(request, kind_for(request))

    @login_required
    def template_download(request):
        kind_for(request)
        return excel.xlsx_response(template(request.user), str(filename))

    return page, template_download


def import_page(request, kind: ImportKind):
    """The import page of ``kind``: GET the form; POST a file → preview; POST ``batch`` + ``sha256`` → commit."""
    if request.method == "POST" and "batch" in request.POST:
        return _confirm(request, kind)
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if request.method == "POST" and excel.upload_form_valid(request, form):
        upload = form.cleaned_data["file"]
        try:
            result = excel.read_upload(upload, kind.columns, optional=kind.optional, max_rows=kind.max_rows)
            outcome = _run(kind, request.user, result, commit=False)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if result.errors:
                return _marked(request, kind, upload, result)
            upload.seek(0)
            batch = _stage(kind, request.user, upload.name, upload.read(), len(result.rows))
            return _page(request, kind, "core/import_preview.html", {
                "batch": batch, "outcome": outcome, "preview_rows": outcome.rows[:PREVIEW_ROWS],
                "more_rows": max(len(outcome.rows) - PREVIEW_ROWS, 0), "minutes": PREVIEW_MINUTES})
    return _page(request, kind, "core/import_upload.html", {"form": form},
                 status=400 if request.method == "POST" else 200)


def _refuse(request, kind, message):
    return _page(request, kind, "core/import_upload.html", {"form": ImportUploadForm(), "refusal": message},
                 status=400)


def _confirm(request, kind: ImportKind):
    """确认导入: the batch this user previewed, unchanged (same hash), not yet imported and not expired."""
    batch_id = request.POST.get("batch", "")
    sha = request.POST.get("sha256", "")
    with transaction.atomic():
        batch = (ImportBatch.objects.select_for_update().filter(
            pk=int(batch_id) if batch_id.isdigit() and len(batch_id) < 12 else 0,
            kind=kind.key, created_by=request.user).first())
        if batch is not None and batch.committed_at is not None:
            return _refuse(request, kind, _("这份文件已经导入过了（%(t)s），不会重复导入。") % {
                "t": timezone.localtime(batch.committed_at).strftime("%Y-%m-%d %H:%M")})
        content = bytes(batch.content) if batch is not None else b""
        if (batch is None or batch.created_at < timezone.now() - dt.timedelta(minutes=PREVIEW_MINUTES)
                or sha != batch.sha256 or _digest(content) != batch.sha256):
            return _refuse(request, kind, _("预览已过期或与上传的文件不一致，请重新上传文件，核对预览后再确认导入。"))
        upload = SimpleUploadedFile(batch.filename, content)
        try:
            result = excel.read_upload(upload, kind.columns, optional=kind.optional, max_rows=kind.max_rows)
        except ValidationError as exc:
            return _refuse(request, kind, "；".join(exc.messages))
        outcome = _run(kind, request.user, result, commit=True)
        if result.errors:
            # the database changed since the preview: nothing imported, the sheet back with the rows marked
            return _marked(request, kind, upload, result)
        batch.committed_at = timezone.now()
        batch.content = b""
        batch.summary = {str(label): n for label, n in outcome.counts}
        batch._history_user = request.user
        batch.save()
    ctx = {"batch": batch, "outcome": outcome}
    if outcome.result_file is not None:
        ctx["result_file_b64"] = base64.b64encode(outcome.result_file).decode()
    return _page(request, kind, "core/import_done.html", ctx)
