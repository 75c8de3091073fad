"""Scheduled job runs, tasks waiting for the broker, and export jobs."""


from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models.org import User


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

    class Meta:
        verbose_name = _("定时任务运行记录")
        verbose_name_plural = _("定时任务运行记录")
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

    class Meta:
        verbose_name = _("待发送任务")
        verbose_name_plural = _("待发送任务")
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

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="export_job_user_recent"),
                   models.Index(fields=["status", "expires_at"], name="export_job_expiry")]

    def __str__(self):
        return f"{self.label} {self.get_status_display()}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

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
