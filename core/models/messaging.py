"""The in-app inbox and the messages out of the app (issue 14 item 1, docs/decisions/018-messages-out-of-the-app.md)."""


from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import HistoricalRecords
from core.models.base import verbose_names
from core.models.org import County, Township, User


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

    class Meta(verbose_names(_("通知"))):
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""), name="notification_key_once"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class MessagePreference(models.Model):
    """What one person receives outside the app. No row: every kind by e-mail (when they have an address),
    one e-mail per notice. ``email_kinds`` holds the kind groups of ``core.messaging.KIND_GROUPS``."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="message_preference")
    email_kinds = models.JSONField(_("邮件提醒的类别"), default=list, blank=True)
    digest = models.BooleanField(_("每日汇总"), default=False,
                                 help_text=_("勾选后每天早上只收一封邮件，列出前一天的全部通知，不再每条通知发一封。"))

    history = HistoricalRecords()

    Meta = verbose_names(_("消息提醒设置"))

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

    class Meta(verbose_names(_("群机器人"))):
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

    class Meta(verbose_names(_("消息发送记录"))):
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
