"""Org tree (R-01), users, role assignments, notifications and the audit event log."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.files.storage import storages
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from core import filetypes
from core.roles import Role

phone_validator = RegexValidator(
    r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$",
    _("请输入11位手机号（如 13812345678）或带区号的固定电话（如 0598-5321234）。"),
)


def user_field(verbose_name, **kwargs) -> models.ForeignKey:
    """A user a record names (登记人, 审批人, 联系领导…): optional, kept while a record names them (PROTECT), with no
    reverse accessor. ``kwargs`` add to the field (e.g. ``editable=False`` for one the services set)."""
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=verbose_name, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", **kwargs)


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[phone_validator])
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username


class County(models.Model):
    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(_("区划代码"), max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$")])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("县")
        verbose_name_plural = _("县")
        ordering = ["code"]
        permissions = [
            (Role.COUNTY_ORG.value, _("县委组织部")),
            (Role.COUNTY_FINANCE.value, _("县财政局")),
            (Role.COUNTY_HRSS.value, _("县人社局")),
        ]

    def __str__(self):
        return self.name


class Township(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="townships")
    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(_("区划代码"), max_length=9, unique=True, validators=[RegexValidator(r"^\d{9}$")])
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.TOWN)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("乡（镇）")
        verbose_name_plural = _("乡（镇）")
        ordering = ["code"]
        permissions = [(Role.TOWNSHIP_PARTY.value, _("乡（镇）党委"))]

    def __str__(self):
        return self.name


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("村")
        COMMUNITY = "community", _("社区")

    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), on_delete=models.PROTECT, related_name="villages")
    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(_("区划代码"), max_length=12, unique=True, validators=[RegexValidator(r"^\d{12}$")])
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.VILLAGE)
    quota = models.PositiveSmallIntegerField(_("后备干部储备名额"), default=1, help_text=_("每个村储备1名"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("村（社区）")
        verbose_name_plural = _("村（社区）")
        ordering = ["code"]
        permissions = [
            (Role.TOWNSHIP_LIAISON.value, _("乡镇包村领导")),
            (Role.VILLAGE_SECRETARY.value, _("村党组织书记")),
        ]

    def __str__(self):
        return self.name


# Direct-foreign-key guardian permission tables: one row per (user, unit, role), never per cadre.
class CountyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(County, on_delete=models.CASCADE)


class TownshipUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Township, on_delete=models.CASCADE)


class VillageUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Village, on_delete=models.CASCADE)


class RoleAssignment(models.Model):
    """The record of a role given to a user on one org unit; the guardian permission is its effect."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=30, choices=[c for c in Role.choices if c[0] != Role.CADRE])
    county = models.ForeignKey(County, verbose_name=_("县"), null=True, blank=True, on_delete=models.PROTECT)
    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), null=True, blank=True, on_delete=models.PROTECT)
    village = models.ForeignKey(Village, verbose_name=_("村"), null=True, blank=True, on_delete=models.PROTECT)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("授予时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.CheckConstraint(
                name="role_assignment_one_unit",
                condition=(
                    models.Q(county__isnull=False, township__isnull=True, village__isnull=True)
                    | models.Q(county__isnull=True, township__isnull=False, village__isnull=True)
                    | models.Q(county__isnull=True, township__isnull=True, village__isnull=False)
                ),
            ),
            # One active assignment of a role per user and unit (issue 16: parallel requests made
            # duplicates). One partial index per tier, because NULLs never collide in a unique index.
            *[models.UniqueConstraint(fields=["user", "role", unit], name=f"role_assignment_active_once_{unit}",
                                      condition=models.Q(is_active=True, **{f"{unit}__isnull": False}))
              for unit in ("county", "township", "village")],
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def unit(self):
        return self.county or self.township or self.village


class Notification(models.Model):
    """In-app inbox. ``key`` makes a job's notice idempotent: the same key for a user is sent once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    key = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""), name="notification_key_once"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


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

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.username or '—'} {self.get_outcome_display()}"


class CalendarOverride(models.Model):
    """R-20: a county's own change to the official calendar (a local holiday, an extra duty day)."""

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.CASCADE, related_name="calendar_overrides")
    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("是否工作日"), help_text=_("勾选：当天上班；不勾选：当天放假"))
    note = models.CharField(_("说明"), max_length=100)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["county", "date"], name="calendar_override_once")]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '放假'}（{self.note}）"


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


class ListPreference(models.Model):
    """What a user chose for one list page: the columns shown (by name). Remembered across visits and devices."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="list_preferences")
    table = models.CharField(_("列表"), max_length=80)
    hidden_columns = models.JSONField(_("隐藏的列"), default=list, blank=True)

    class Meta:
        verbose_name = _("列表显示设置")
        verbose_name_plural = _("列表显示设置")
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

    class Meta:
        verbose_name = _("保存的筛选")
        verbose_name_plural = _("保存的筛选")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "path", "name"], name="saved_filter_name_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}"


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


# -- messages out of the app (issue 14 item 1, docs/decisions/018-messages-out-of-the-app.md) ----------------

class MessagePreference(models.Model):
    """What one person receives outside the app. No row: every kind by e-mail (when they have an address),
    one e-mail per notice. ``email_kinds`` holds the kind groups of ``core.messaging.KIND_GROUPS``."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="message_preference")
    email_kinds = models.JSONField(_("邮件提醒的类别"), default=list, blank=True)
    digest = models.BooleanField(_("每日汇总"), default=False,
                                 help_text=_("勾选后每天早上只收一封邮件，列出前一天的全部通知，不再每条通知发一封。"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("消息提醒设置")
        verbose_name_plural = _("消息提醒设置")

    def __str__(self) -> str:
        return str(self.user)


class UnitWebhook(models.Model):
    """The group robot (企业微信 or 钉钉) of one township or one county, set by its officials. The address
    and the secret are credentials: pages show them masked and the history does not keep them."""

    class Platform(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    county = models.OneToOneField(County, verbose_name=_("县"), null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="webhook")
    township = models.OneToOneField(Township, verbose_name=_("乡（镇）"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="webhook")
    platform = models.CharField(_("平台"), max_length=10, choices=Platform.choices, default=Platform.WECOM)
    url = models.CharField(_("机器人地址"), max_length=500, blank=True)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    kinds = models.JSONField(_("推送的类别"), default=list, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["url", "secret"])

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        constraints = [
            models.CheckConstraint(
                name="unit_webhook_one_unit",
                condition=(models.Q(county__isnull=False, township__isnull=True)
                           | models.Q(county__isnull=True, township__isnull=False))),
        ]

    def __str__(self) -> str:
        return f"{self.township or self.county} · {self.get_platform_display()}"

    @property
    def unit(self):
        return self.township or self.county


class Delivery(models.Model):
    """One notice (or one day's digest) sent through one channel: nothing is lost when a platform is down.
    The inbox ``Notification`` stays the record; a delivery only says whether it also went out."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        DIGEST = "digest", _("每日汇总邮件")
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败")

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="deliveries")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    webhook = models.ForeignKey(UnitWebhook, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="deliveries")
    day = models.DateField(_("汇总日期"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    last_error = models.CharField(_("最近一次错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    next_try_at = models.DateTimeField(_("下次重试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息发送记录")
        verbose_name_plural = _("消息发送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            # a notice goes once to a person's mailbox and once to a unit's robot; a person gets one digest a day
            models.UniqueConstraint(fields=["notification", "channel"], condition=models.Q(webhook__isnull=True),
                                    name="delivery_once_per_notice"),
            models.UniqueConstraint(fields=["notification", "webhook"], condition=models.Q(webhook__isnull=False),
                                    name="delivery_once_per_robot"),
            models.UniqueConstraint(fields=["user", "day"], condition=models.Q(channel="digest"),
                                    name="delivery_one_digest_a_day"),
        ]
        indexes = [models.Index(fields=["status", "next_try_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.title} · {self.get_status_display()}"


class ScopeColumns(models.Model):
    """Decision 021: the county and township of a row scoped through its cadre's village, copied onto the
    row so that a county-wide or province-wide list filters and orders on its own columns instead of
    joining ``cadre → village → township → county`` (issue 19).

    Invariant: ``(county, township)`` are those of the village the row's cadre (``SCOPE_CADRE``) or the row
    itself (``SCOPE_VILLAGE``) is in. Kept by whoever writes the rows: ``save()`` fills them when unset (a
    safety net for services that save one row); set-based writers (``bulk_create``, INSERT … SELECT) set them
    explicitly; ``core.scope_columns`` moves them in set-based UPDATEs when a village changes township
    (``core.services.village_update``) or a cadre changes village (``cadres.services.cadre_update``)."""

    #: path from the row to its Village (a query lookup), e.g. "cadre__village"
    SCOPE_VILLAGE = "cadre__village"
    #: path from the row to its Cadre, or None for the Cadre model itself
    SCOPE_CADRE: str | None = "cadre"

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+",
                               editable=False, db_index=False)
    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), on_delete=models.PROTECT, related_name="+",
                                 editable=False, db_index=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.county_id is None or self.township_id is None:
            self.fill_scope_columns()
        super().save(*args, **kwargs)

    def fill_scope_columns(self) -> None:
        """Copy the county and township from the cadre (itself kept by this invariant) or the village."""
        if self.SCOPE_CADRE is not None:
            cadre = getattr(self, self.SCOPE_CADRE)
            if cadre.county_id is None:
                cadre.fill_scope_columns()
            self.county_id, self.township_id = cadre.county_id, cadre.township_id
            return
        village = getattr(self, self.SCOPE_VILLAGE)
        self.township_id = village.township_id
        self.county_id = village.township.county_id
