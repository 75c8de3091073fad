"""Attachments (issue 14 item 2, decision 019): files on the records of the apps, kept for good.

- **What may be attached** is decided by the file's bytes (``core.filetypes.sniff``): JPEG, PNG, PDF, Word and
  Excel; a file named ``.jpg`` that is a PDF is stored as the PDF it is (its name corrected to ``.pdf``), an
  ``.exe`` renamed ``.pdf`` is refused. At most ``settings.MAX_ATTACHMENT_BYTES`` (``core.uploads`` stops
  reading a larger one while it arrives).
- **Where**: a model registered with ``core.registry.attachable`` by its app, which also says who sees its
  records (the scoped selector: the files of a record outside the user's scope answer 404) and who attaches
  (its ``permissions.py``; also who replaces and withdraws).
- **Nothing is deleted**: a replaced file stays as an older version of the same series; "remove" withdraws
  it (who, when, why) and it leaves the list, still readable by those in scope under "已撤下".

Services (writes) and selectors (reads) of the attachments live here together: they are one small topic.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import filetypes
from core.errors import Conflict
from core.models import FileAttachment
from core.permissions import enforce
from core.registry import Attachable, attachable_for
from core.scope import get_scope
from core.services import model_save
from core.uploads import ATTACHMENT_FIELD, attachment_too_large_message

MAX_NAME = 120


def entry_for(obj_or_label) -> Attachable | None:
    """The registration of a record's model (or of an ``"app.model"`` label); None when it takes no files."""
    label = obj_or_label if isinstance(obj_or_label, str) else obj_or_label._meta.label_lower
    return attachable_for(label)


def _target_type(att: FileAttachment) -> str:
    ct = ContentType.objects.get_for_id(att.target_type_id)  # cached by Django after the first read
    return f"{ct.app_label}.{ct.model}"


# -- reads -------------------------------------------------------------------------------------------------

def attachment_target(attachment: FileAttachment, *, user):
    """The record ``attachment`` belongs to, read through its app's scoped selector; None when the user may
    not see that record (the caller answers 404, as for the record itself)."""
    entry = entry_for(_target_type(attachment))
    if entry is None:
        return None
    return entry.visible(user).filter(pk=attachment.target_id).first()


def can_attach(user, target) -> bool:
    entry = entry_for(target)
    return entry is not None and bool(entry.can_attach(get_scope(user), target))


@dataclass
class AttachmentSeries:
    """One attached document: its newest version and the ones it replaced (newest first)."""

    latest: FileAttachment
    older: list[FileAttachment] = field(default_factory=list)

    @property
    def withdrawn(self) -> bool:
        return self.latest.withdrawn


def attachments_of(target) -> list[AttachmentSeries]:
    """Every file attached to ``target`` (already read through a scoped selector by the caller), grouped by
    document, in the order they were first attached. Two queries at most, whatever the number of files."""
    rows = (FileAttachment.objects
            .filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
            .select_related("uploaded_by", "withdrawn_by")
            .order_by("series", "-version"))
    series: dict[uuid.UUID, AttachmentSeries] = {}
    for row in rows:
        if row.series not in series:
            series[row.series] = AttachmentSeries(latest=row)
        else:
            series[row.series].older.append(row)
    return sorted(series.values(), key=lambda s: (s.older[-1] if s.older else s.latest).uploaded_at)


# -- writes ------------------------------------------------------------------------------------------------

def _clean_name(name: str, kind: filetypes.FileKind) -> str:
    """The user's file name, kept for the reader: no folders, no control characters, at most ``MAX_NAME``
    characters, and the extension of what the file really is."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C").strip()
    stem, _ext = os.path.splitext(base)
    stem = stem.strip(" .") or _("附件")
    return stem[:MAX_NAME - len(kind.extension)] + kind.extension


def check_upload(upload) -> filetypes.FileKind:
    """The upload's kind, or ValidationError on the ``attachment`` field saying what to do."""
    if upload is None:
        raise ValidationError({ATTACHMENT_FIELD: [_("请选择要上传的文件（照片、扫描件或 PDF）。")]})
    if upload.size > settings.MAX_ATTACHMENT_BYTES:
        raise ValidationError({ATTACHMENT_FIELD: [attachment_too_large_message(upload.size)]})
    if upload.size == 0:
        raise ValidationError({ATTACHMENT_FIELD: [_("文件“%(n)s”是空的，请重新选择。") % {"n": upload.name}]})
    kind = filetypes.sniff(upload)
    if kind is None:
        raise ValidationError({ATTACHMENT_FIELD: [
            _("文件“%(n)s”不是可以上传的格式。只能上传 JPG、PNG 图片，PDF 文件，或 Word（.docx）、Excel（.xlsx）"
              "文档；按文件内容判断，改文件名无效。请拍照、扫描或另存为 PDF 后再上传。") % {"n": upload.name}]})
    return kind


def _digest(upload) -> str:
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def _store(att: FileAttachment, upload, *, by) -> FileAttachment:
    """Write the file to the storage, then the row; a row that fails leaves no file behind."""
    att.file.save(f"upload{att.extension}", upload, save=False)
    try:
        return model_save(att, by=by)
    except Exception:
        att.file.storage.delete(att.file.name)
        raise


def _refuse_unless_may_attach(by, target) -> None:
    enforce(can_attach(by, target), _("您无权为这条记录上传或修改附件。"))


@transaction.atomic
def attachment_add(*, target, upload, note: str = "", by) -> FileAttachment:
    """Attach ``upload`` to ``target`` (a record of a registered model the caller read in scope)."""
    if entry_for(target) is None:
        raise ValidationError(_("这类记录不能上传附件。"))
    _refuse_unless_may_attach(by, target)
    kind = check_upload(upload)
    att = FileAttachment(target_type=ContentType.objects.get_for_model(target), target_id=target.pk,
                         series=uuid.uuid4(), version=1, name=_clean_name(upload.name, kind), kind=kind.key,
                         size=upload.size, sha256=_digest(upload), note=(note or "").strip(), uploaded_by=by)
    return _store(att, upload, by=by)


def _lock_current(attachment: FileAttachment, *, superseded: str, withdrawn: str) -> FileAttachment:
    """``attachment`` locked, refused (Conflict) unless it is the current, not withdrawn version."""
    att = FileAttachment.objects.select_for_update().get(pk=attachment.pk)
    if not att.current:
        raise Conflict(superseded)
    if att.withdrawn:
        raise Conflict(withdrawn)
    return att


@transaction.atomic
def attachment_replace(*, attachment: FileAttachment, target, upload, note: str = "", by) -> FileAttachment:
    """A new version of the document ``attachment`` is the newest of; the old one stays (not current)."""
    _refuse_unless_may_attach(by, target)
    old = _lock_current(attachment, superseded=_("这个附件已有更新的版本，请在最新版本上替换。"),
                        withdrawn=_("这个附件已撤下，不能替换；请重新上传。"))
    kind = check_upload(upload)
    old.current = False
    model_save(old, by=by, update_fields=["current"])
    new = FileAttachment(target_type_id=old.target_type_id, target_id=old.target_id, series=old.series,
                         version=old.version + 1, name=_clean_name(upload.name, kind), kind=kind.key,
                         size=upload.size, sha256=_digest(upload), note=(note or "").strip() or old.note,
                         uploaded_by=by)
    return _store(new, upload, by=by)


@transaction.atomic
def attachment_withdraw(*, attachment: FileAttachment, target, reason: str, by) -> FileAttachment:
    """Take a document off the list (its newest version is marked withdrawn by ``by`` now); nothing deleted."""
    _refuse_unless_may_attach(by, target)
    att = _lock_current(attachment, superseded=_("只能撤下附件的最新版本。"), withdrawn=_("这个附件已经撤下。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写撤下原因（如：上传错了文件）。")]})
    att.withdrawn_at = timezone.now()
    att.withdrawn_by = by
    att.withdraw_reason = reason[:200]
    return model_save(att, by=by, update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
