"""The system's own records beside the apps' data: security events and sessions, scheduled job runs, tasks
waiting for the broker and export jobs, list preferences and saved filters, files attached to records
(decision 019) and Excel import batches (issue 14 item 3)."""

import uuid

from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import filetypes
from core.history import HistoricalRecords
from core.models.base import verbose_names
from core.models.org import User


class AuditEvent(models.Model):
    """Security events (logins, failures, denials) beside the per-model history of simple-history."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")
        DENIED = "denied", _("拒绝")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=60)
    path = models.CharField(_("路径"), max_length=300, blank=True)
    address = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    detail = models.TextField(_("详情"), blank=True)
    # personal-data access (issue 14 item 5, decision 017): what was shown in full and to how many people
    people = models.PositiveIntegerField(_("涉及人数"), null=True, blank=True)
    scope_label = models.CharField(_("范围"), max_length=200, blank=True)
    personal_fields = models.CharField(_("个人信息项"), max_length=100, blank=True)
    subjects = models.TextField(_("涉及人员"), blank=True)
    subject_ids = models.JSONField(_("涉及人员编号"), default=list, blank=True)

    class Meta(verbose_names(_("审计事件"))):
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.username or '—'} {self.get_outcome_display()}"


class UserSession(models.Model):
    """Where a user is signed in (for the "my sessions" page); the session itself is Django's."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    address = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("登录时间"), auto_now_add=True)
    last_seen = models.DateTimeField(_("最近活动"))

    def __str__(self) -> str:
        return f"{self.user} @ {self.address or '—'}"


class JobRun(models.Model):
    """One scheduled job for one period (a day "YYYY-MM-DD" or a month "YYYY-MM"): when it last ran and how
    it ended. ``core.jobs`` writes it outside the job's own transaction, so a killed job stays "running" and
    the catch-up runs that period again (docs/decisions/004)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("运行中")
        OK = "ok", _("已完成")
        FAILED = "failed", _("失败")

    job = models.CharField(_("任务"), max_length=150)
    period = models.CharField(_("所属日期/月份"), max_length=10)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("执行次数"), default=0)
    runner = models.CharField(_("执行进程"), max_length=200, blank=True)
    trigger = models.CharField(_("触发方式"), max_length=20, blank=True)
    result = models.JSONField(_("返回结果"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta(verbose_names(_("定时任务运行记录"))):
        ordering = ["job", "-period"]
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="job_run_once_per_period")]

    def __str__(self):
        return f"{self.job} {self.period} {self.get_outcome_display()}"


class PendingJob(models.Model):
    """A task the web could not hand to the broker (Redis down); ``core.jobs.catch_up`` sends it later."""

    task = models.CharField(_("任务"), max_length=150)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("排队时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    last_error = models.CharField(_("最近一次错误"), max_length=300, blank=True)

    class Meta(verbose_names(_("待发送任务"))):
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="pending_job_unsent")]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


def export_storage():
    """Where finished export files live: STORAGES["exports"] (not under MEDIA_URL, never served directly;
    only ``core.views_exports.export_download`` hands a file to the user it belongs to)."""
    return storages["exports"]


class ExportJob(models.Model):
    """A large export built by a Celery task (issue 19 item 5, docs/decisions/024): who asked, what
    (``kind`` + ``params``), how far it is, the file when done and until when it is kept."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队")
        RUNNING = "running", _("进行中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    user = models.ForeignKey(User, verbose_name=_("导出人"), on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(_("导出类型"), max_length=40)
    label = models.CharField(_("导出内容"), max_length=300)
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已完成行数"), default=0)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    file = models.FileField(_("文件"), storage=export_storage, upload_to="%Y/%m/", blank=True, max_length=300)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    personal_log = models.JSONField(_("个人信息记录"), null=True, blank=True,
                                    help_text=_("文件含完整身份证号等时，下载时记入个人信息查看记录的内容"))
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("文件保留至"), null=True, blank=True)

    class Meta(verbose_names(_("导出任务"))):
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="export_job_user_recent"),
                   models.Index(fields=["status", "expires_at"], name="export_job_expiry")]

    def __str__(self):
        return f"{self.label} {self.get_status_display()}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and not self.is_expired()

    def is_expired(self, now=None) -> bool:
        """Expired, or past its keeping time even if the cleaning job has not run yet."""
        if self.status == self.Status.EXPIRED:
            return True
        return self.status == self.Status.DONE and self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


class ListPreference(models.Model):
    """What a user chose for one list page: the columns shown (by name). Remembered across visits and devices."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="list_preferences")
    table = models.CharField(_("列表"), max_length=80)
    hidden_columns = models.JSONField(_("隐藏的列"), default=list, blank=True)

    class Meta(verbose_names(_("列表显示设置"))):
        constraints = [models.UniqueConstraint(fields=["user", "table"], name="list_preference_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.table}"


class SavedFilter(models.Model):
    """Issue 17: a filter a user saved on one list page (its path), applied again with one click. The query
    string keeps only that list's own filter parameters (``core.services.saved_filter_save``); only the
    owner sees it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_filters")
    path = models.CharField(_("列表"), max_length=200)
    name = models.CharField(_("名称"), max_length=40)
    query = models.CharField(_("筛选条件"), max_length=1000)
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta(verbose_names(_("保存的筛选"))):
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "path", "name"], name="saved_filter_name_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}"


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

    class Meta(verbose_names(_("附件"))):
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

    class Meta(verbose_names(_("Excel导入"))):
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} · {self.filename}"
