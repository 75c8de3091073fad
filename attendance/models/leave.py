"""The county's attendance settings (issue 12 item 7), leave requests (R-21…R-23) and approver deputies."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from attendance import policies
from cadres.models import Cadre
from core import limits
from core.history import HistoricalRecords
from core.models import CountySetting, ScopeColumns, ends_after_start, user_field, verbose_names
from core.roles import Role

_D = policies.DEFAULTS


def validate_half_days(value):
    if value is not None and (value * 2) % 1:
        raise ValidationError(_("天数须以半天为单位，例如 1、1.5、2。"), code="half_day")


class AttendanceSetting(CountySetting):
    """Issue 12 item 7: the county's own values of the R-22/R-25/R-26 defaults (``policies.Limits``). A county
    without a row uses the defaults; the values are read when used (leave submission, the nightly check,
    the incapacity flag, the pages), so a change affects later checks only."""

    county = CountySetting.county_field("attendance_setting")
    run_limit = models.PositiveSmallIntegerField(
        _("连续旷工立案天数"), default=_D.run_limit,
        validators=[MinValueValidator(1, _("连续旷工立案天数至少为1天。")),
                    MaxValueValidator(100, _("连续旷工立案天数不能超过100天。"))],
        help_text=_("连续旷工（含请假期满逾期不归）超过此工作日数，自动立案。默认15。"))
    year_limit = models.PositiveSmallIntegerField(
        _("一年累计旷工立案天数"), default=_D.year_limit,
        validators=[MinValueValidator(1, _("一年累计旷工立案天数至少为1天。")),
                    MaxValueValidator(250, _("一年累计旷工立案天数不能超过250天。"))],
        help_text=_("一个自然年内累计旷工超过此工作日数，自动立案。默认30。"))
    excused_breaks_run = models.BooleanField(
        _("有正当理由的缺勤中断连续旷工"), default=_D.excused_breaks_run,
        help_text=_("勾选（默认）：有正当理由的一天像请假一样中断连续旷工；不勾选：这一天只是不计入，前后的旷工天数仍连续计算。"))
    incapacity_report_days = models.PositiveSmallIntegerField(
        _("无法正常履职报告期限（天）"), default=_D.incapacity_report_days,
        validators=[MinValueValidator(1, _("报告期限至少为1天。")),
                    MaxValueValidator(30, _("报告期限不能超过30天。"))],
        help_text=_("村党组织自发现之日起在此天数内向乡（镇）党委报告，按自然日计。默认5。"))
    secretary_max_days = models.DecimalField(
        _("村党组织书记审批的最长请假天数"), max_digits=3, decimal_places=1, default=_D.secretary_max_days,
        validators=[MinValueValidator(Decimal("0.5"), _("村党组织书记审批天数至少为0.5天。")),
                    MaxValueValidator(Decimal("10"), _("村党组织书记审批天数不能超过10天。")),
                    validate_half_days],
        help_text=_("请假不超过此工作日数由村党组织书记审批，超过的由乡（镇）包村领导审批；以半天为单位。默认1。"))

    history = HistoricalRecords()

    Meta = verbose_names(_("考勤设置"))

    def clean(self):
        if isinstance(self.run_limit, int) and isinstance(self.year_limit, int) and self.year_limit < self.run_limit:
            raise ValidationError({"year_limit": [_(
                "一年累计天数（%(y)s）不能少于连续天数（%(r)s），请调整其中一项。") % {
                "y": self.year_limit, "r": self.run_limit}]})

    def as_limits(self) -> policies.Limits:
        return policies.Limits(run_limit=self.run_limit, year_limit=self.year_limit,
                               excused_breaks_run=self.excused_breaks_run,
                               incapacity_report_days=self.incapacity_report_days,
                               secretary_max_days=Decimal(self.secretary_max_days))


class Half(models.TextChoices):
    AM = "am", _("上午")
    PM = "pm", _("下午")


class LeaveRequest(ScopeColumns):
    """R-21/R-22/R-23: a request for leave, its fixed approver, the decision and the return (销假)."""

    class Channel(models.TextChoices):
        WRITTEN = "written", _("书面请假审批表")
        WECHAT = "wechat", _("微信")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        CANCELLED = "cancelled", _("已撤回")
        RETURNED = "returned", _("已销假")

    # R-22 (attendance.policies): the role choices of the fixed approver (and of a deputy), the escalation tier and
    # the decider
    APPROVER_ROLES = [(r, Role(r).label) for r in policies.APPROVER_ROLES]
    ESCALATION_ROLES = [(r, Role(r).label) for r in policies.ESCALATION_ROLES]
    DECIDER_ROLES = [(r, Role(r).label) for r in policies.DECIDER_ROLES]

    cadre = models.ForeignKey(Cadre, verbose_name=_("请假人"), on_delete=models.PROTECT, related_name="leave_requests")
    start_date = models.DateField(_("开始日期"))
    start_half = models.CharField(_("开始时段"), max_length=2, choices=Half.choices, default=Half.AM)
    end_date = models.DateField(_("结束日期"))
    end_half = models.CharField(_("结束时段"), max_length=2, choices=Half.choices, default=Half.PM)
    reason = limits.text_field(_("请假事由"), limits.REASON)
    channel = models.CharField(_("请假方式"), max_length=10, choices=Channel.choices, default=Channel.WRITTEN)
    channel_note = models.CharField(_("未能书面请假的原因"), max_length=300, blank=True)
    days = models.DecimalField(_("请假天数（工作日）"), max_digits=5, decimal_places=1, editable=False)
    approver_role = models.CharField(_("审批人"), max_length=30, choices=APPROVER_ROLES, editable=False)
    #: issue 12 item 5: the tier that must decide because nobody holds ``approver_role`` at the village
    #: when the request is made ("" = not escalated). The original tier may still decide while pending.
    escalated_to = models.CharField(_("代为审批"), max_length=30, choices=ESCALATION_ROLES, blank=True, default="",
                                    editable=False)
    #: the role the decider decided as; differs from ``approver_role`` when decided on behalf of a missing tier
    decided_as = models.CharField(_("审批身份"), max_length=30, choices=DECIDER_ROLES, blank=True, default="",
                                  editable=False)
    #: issue 12 item 5: decided by a deputy the approver named; the approver the deputy stood in for
    decided_for = user_field(_("受托审批（代理）"), editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              editable=False, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True,
                                     on_delete=models.PROTECT, related_name="+", editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = user_field(_("审批人"), editable=False)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True, editable=False)
    decision_comment = limits.text_field(_("审批意见"), limits.REASON, blank=True, editable=False)
    returned_on = models.DateField(_("销假日期"), null=True, blank=True, editable=False)
    return_recorded_by = user_field(_("销假登记人"), editable=False)
    return_recorded_at = models.DateTimeField(_("销假登记时间"), null=True, blank=True, editable=False)
    #: issue 12 item 1 (R-23): the cadre's (or the secretary's) report of the return, until the approving
    #: side confirms it; the leave stays ``approved`` and overstay keeps counting until then
    return_reported_on = models.DateField(_("报告回岗日期"), null=True, blank=True, editable=False)
    return_reported_by = user_field(_("销假报告人"), editable=False)
    return_reported_at = models.DateTimeField(_("销假报告时间"), null=True, blank=True, editable=False)
    return_report_reason = limits.text_field(_("补报原因"), limits.REASON, blank=True, editable=False)
    #: the confirming side's note (required when it corrects the reported date)
    return_note = limits.text_field(_("销假确认意见"), limits.REASON, blank=True, editable=False)
    overstay_reason = limits.text_field(_("逾期正当理由"), limits.REASON, blank=True, editable=False,
                                       help_text=_("登记正当理由后，逾期天数不计入旷工"))

    history = HistoricalRecords()

    class Meta(verbose_names(_("请假申请"))):
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["cadre", "status", "start_date"]),
            # issue 8: the leave lists' order; a scoped first page walks it and stops after 25 rows
            models.Index(fields=["-start_date", "-id"], name="leave_newest_first"),
            # decision 021: the scoped lists' order under each tier's own column
            models.Index(fields=["county", "-start_date", "-id"], name="leave_county_newest"),
            models.Index(fields=["township", "-start_date", "-id"], name="leave_township_newest"),
        ]
        constraints = [ends_after_start("leave_end_after_start")]

    def __str__(self):
        return f"{self.cadre.name} {self.start_date}～{self.end_date}（{self.days}天）"

    @property
    def decided_on_behalf(self) -> bool:
        """The decision was made by the next tier up for a missing approver (issue 12 item 5)."""
        return bool(self.decided_as) and self.decided_as != self.approver_role

    @property
    def return_pending(self) -> bool:
        """R-23: a return was reported and waits for the approving side's confirmation."""
        return self.status == self.Status.APPROVED and self.return_reported_on is not None

    @property
    def period_display(self) -> str:
        return _("%(a)s %(ah)s 至 %(b)s %(bh)s") % {
            "a": f"{self.start_date:%Y-%m-%d}", "ah": self.get_start_half_display(),
            "b": f"{self.end_date:%Y-%m-%d}", "bh": self.get_end_half_display()}


class ApproverDeputy(models.Model):
    """Issue 12 item 5: an approver (village secretary or township liaison at a village) names a deputy for a
    date range — someone who can see the village — who decides leave in their place; the decision records it."""

    principal = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), on_delete=models.PROTECT,
                                  related_name="+")
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代理人"), on_delete=models.PROTECT,
                               related_name="+")
    role = models.CharField(_("代理的审批角色"), max_length=30, choices=LeaveRequest.APPROVER_ROLES)
    village = models.ForeignKey("core.Village", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("如：外出学习、住院"))
    cancelled = models.BooleanField(_("已取消"), default=False)
    created_by = user_field(_("登记人"), editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("审批代理"))):
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["deputy", "start_date", "end_date"])]
        constraints = [ends_after_start("deputy_end_after_start")]

    def __str__(self):
        return f"{self.deputy} 代 {self.principal}（{self.get_role_display()}，{self.start_date}～{self.end_date}）"
