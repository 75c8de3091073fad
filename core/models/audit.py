"""Security events and where users are signed in."""


from django.db import models
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
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
