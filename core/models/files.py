"""Files attached to records (decision 019) and Excel import batches (issue 14 item 3)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import filetypes
from core.models.org import User


def attachment_path(instance, filename) -> str:
    """Where a stored file goes: a random name under the month it arrived, with the extension of what the
    file *is* (``core.filetypes``). The name the user gave is kept in ``FileAttachment.name`` only."""
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class FileAttachment(models.Model):
    """Issue 14 item 2 (decision 019): a file (a signed form, a screenshot, a medical certificate, a decision
    document …) attached to a record of an app: a leave, a discipline case, a talk, a notice, a selection
    round. Generic (content type + id) so core knows no app; an app registers which of its models take files
    and who sees and attaches (``core.registry.attachable``).

    Nothing is deleted: replacing a file adds the next version of the same ``series`` (the old one stays
    listed and downloadable, ``current`` False); removing only withdraws it (who, when, why)."""

    class Kind(models.TextChoices):
        JPEG = "jpeg", _("JPEG 图片")
        PNG = "png", _("PNG 图片")
        PDF = "pdf", _("PDF 文件")
        DOCX = "docx", _("Word 文档")
        XLSX = "xlsx", _("Excel 表格")

    target_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    series = models.UUIDField(_("附件编号"), db_index=True, editable=False)
    version = models.PositiveSmallIntegerField(_("版本"), default=1, editable=False)
    current = models.BooleanField(_("当前版本"), default=True, editable=False)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200, editable=False)
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, editable=False)
    size = models.PositiveBigIntegerField(_("大小（字节）"), editable=False)
    sha256 = models.CharField(_("校验值"), max_length=64, editable=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(User, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤下时间"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(User, verbose_name=_("撤下人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", editable=False)
    withdraw_reason = models.CharField(_("撤下原因"), max_length=200, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id", "current"], name="attachment_target")]
        constraints = [models.UniqueConstraint(fields=["series", "version"], name="attachment_version_once")]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return filetypes.KINDS[self.kind].extension

    @property
    def mime(self) -> str:
        return filetypes.KINDS[self.kind].mime

    @property
    def previewable(self) -> str:
        """"image" (shown inline as a thumbnail), "pdf" (opened in the browser) or "" (downloaded only)."""
        return filetypes.KINDS[self.kind].previewable

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
class ImportBatch(models.Model):
    """Issue 14 item 3: one Excel import (cadres in post, accounts). The checked upload is kept here between
    the preview and 确认导入, bound to its SHA-256, so a confirmation commits exactly the file previewed; once
    committed, the file is dropped and the row stays as the record of who imported what and how many."""

    kind = models.CharField(_("导入类别"), max_length=20)
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    content = models.BinaryField(_("文件内容"), blank=True, default=b"")
    created_by = models.ForeignKey(User, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    summary = models.JSONField(_("导入结果"), default=dict, blank=True)
    history = HistoricalRecords(excluded_fields=["content"])

    class Meta:
        verbose_name = _("Excel导入")
        verbose_name_plural = _("Excel导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} · {self.filename}"
