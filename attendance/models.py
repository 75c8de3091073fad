"""Leave (R-21…R-23), daily attendance and absences (R-24), incapacity reports (R-26)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attendance import policies
from cadres.models import Cadre
from core import limits
from core.models import County, ScopeColumns, user_field
from core.roles import Role

_D = policies.DEFAULTS


def validate_half_days(value):
    if value is not None and (value * 2) % 1:
        raise ValidationError(_("天数须以半天为单位，例如 1、1.5、2。"), code="half_day")


class AttendanceSetting(models.Model):
    """Issue 12 item 7: the county's own values of the R-22/R-25/R-26 defaults (``policies.Limits``). A county
    without a row uses the defaults; the values are read when used (leave submission, the nightly check,
    the incapacity flag, the pages), so a change affects later checks only."""

    county = models.OneToOneField(County, verbose_name=_("县"), on_delete=models.CASCADE,
                                  related_name="attendance_setting")
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

    class Meta:
        verbose_name = _("考勤设置")
        verbose_name_plural = _("考勤设置")

    def __str__(self):
        return f"{self.county} · {self._meta.verbose_name}"

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

    # R-22 (attendance.policies): the role choices of the fixed approver, the escalation tier and the decider
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

    class Meta:
        verbose_name = _("请假申请")
        verbose_name_plural = _("请假申请")
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["cadre", "status", "start_date"]),
            # issue 8: the leave lists' order; a scoped first page walks it and stops after 25 rows
            models.Index(fields=["-start_date", "-id"], name="leave_newest_first"),
            # decision 021: the scoped lists' order under each tier's own column
            models.Index(fields=["county", "-start_date", "-id"], name="leave_county_newest"),
            models.Index(fields=["township", "-start_date", "-id"], name="leave_township_newest"),
        ]
        constraints = [
            models.CheckConstraint(name="leave_end_after_start", condition=models.Q(end_date__gte=models.F("start_date"))),
        ]

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


class AttendanceDay(ScopeColumns):
    """R-24: the village secretary's mark for one cadre on one working day. Leave is not stored here:
    it comes from approved requests."""

    class Status(models.TextChoices):
        PRESENT = "present", _("出勤")
        OFFICIAL = "official", _("因公外出")
        ABSENT = "absent", _("旷工")

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT, related_name="attendance")
    date = models.DateField(_("日期"))
    status = models.CharField(_("考勤"), max_length=10, choices=Status.choices)
    excused = models.BooleanField(_("有正当理由"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考勤记录")
        verbose_name_plural = _("考勤记录")
        ordering = ["date", "cadre_id"]
        constraints = [models.UniqueConstraint(fields=["cadre", "date"], name="attendance_once_per_day")]
        indexes = [models.Index(fields=["date", "status"]),
                   # decision 021: scoped marks by day
                   models.Index(fields=["county", "date"], name="attday_county_date"),
                   models.Index(fields=["township", "date"], name="attday_township_date")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.date} {self.get_status_display()}"


class Absence(ScopeColumns):
    """R-24: a range of absence (旷工 or 逾期不归), possibly excused with a valid reason (正当理由)."""

    class Kind(models.TextChoices):
        ABSENT = "absent", _("旷工")
        OVERSTAY = "overstay", _("逾期不归")

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT, related_name="absences")
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.ABSENT)
    excused = models.BooleanField(_("有正当理由"), default=False,
                                  help_text=_("勾选并在说明中写明理由后，这些天不计入旷工天数"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    days = models.DecimalField(_("天数（工作日）"), max_digits=5, decimal_places=1, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                    on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("缺勤记录")
        verbose_name_plural = _("缺勤记录")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["cadre", "start_date"]),
                   # decision 021: the absence list's order under each tier's own column
                   models.Index(fields=["county", "-start_date", "-id"], name="absence_county_newest"),
                   models.Index(fields=["township", "-start_date", "-id"], name="absence_township_newest")]
        constraints = [
            models.CheckConstraint(name="absence_end_after_start", condition=models.Q(end_date__gte=models.F("start_date"))),
        ]

    def __str__(self):
        return f"{self.cadre.name} {self.get_kind_display()} {self.start_date}～{self.end_date}"


class IncapacityReport(models.Model):
    """R-26 (第十五条): the village found a cadre unable to perform duties and reports to the township
    within 5 days of discovery."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT,
                              related_name="incapacity_reports")
    discovered_on = models.DateField(_("发现日期"))
    reported_on = models.DateField(_("报告乡（镇）日期"), null=True, blank=True)
    description = limits.text_field(_("情况说明"), limits.NOTE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                    on_delete=models.PROTECT, related_name="+", editable=False)
    flagged_on = models.DateField(_("提醒日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("无法正常履职报告")
        verbose_name_plural = _("无法正常履职报告")
        ordering = ["-discovered_on", "-pk"]

    def __str__(self):
        return f"{self.cadre.name} {self.discovered_on}"


class ApproverDeputy(models.Model):
    """Issue 12 item 5: an approver (village secretary or township liaison at a village) names a deputy for a
    date range — someone who can see the village — who decides leave in their place; the decision records it."""

    ROLES = [(r, Role(r).label) for r in policies.APPROVER_ROLES]

    principal = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), on_delete=models.PROTECT,
                                  related_name="+")
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代理人"), on_delete=models.PROTECT,
                               related_name="+")
    role = models.CharField(_("代理的审批角色"), max_length=30, choices=ROLES)
    village = models.ForeignKey("core.Village", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("如：外出学习、住院"))
    cancelled = models.BooleanField(_("已取消"), default=False)
    created_by = user_field(_("登记人"), editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("审批代理")
        verbose_name_plural = _("审批代理")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["deputy", "start_date", "end_date"])]
        constraints = [
            models.CheckConstraint(name="deputy_end_after_start", condition=models.Q(end_date__gte=models.F("start_date"))),
        ]

    def __str__(self):
        return f"{self.deputy} 代 {self.principal}（{self.get_role_display()}，{self.start_date}～{self.end_date}）"


class OfficialTrip(ScopeColumns):
    """R-27: official business away from the village (因公外出), recorded by the village secretary or the
    township (party committee, liaison). Its working days count as official business; after its end, until
    the recording side confirms the return, the working days are overstay exactly as after a leave (R-23)."""

    class Status(models.TextChoices):
        OPEN = "open", _("外出中")
        RETURNED = "returned", _("已返岗")
        CANCELLED = "cancelled", _("已取消")

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT, related_name="official_trips")
    purpose = limits.text_field(_("外出事由"), limits.REASON)
    destination = models.CharField(_("外出地点"), max_length=100, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN,
                              editable=False, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True,
                                    on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    returned_on = models.DateField(_("返岗日期"), null=True, blank=True, editable=False)
    confirmed_by = user_field(_("返岗确认人"), editable=False)
    confirmed_at = models.DateTimeField(_("返岗确认时间"), null=True, blank=True, editable=False)
    #: R-27 as R-23: the cadre's report of the return, until the recording side confirms it
    return_reported_on = models.DateField(_("报告返岗日期"), null=True, blank=True, editable=False)
    return_reported_by = user_field(_("返岗报告人"), editable=False)
    return_reported_at = models.DateTimeField(_("返岗报告时间"), null=True, blank=True, editable=False)
    return_report_reason = limits.text_field(_("补报原因"), limits.REASON, blank=True, editable=False)
    return_note = limits.text_field(_("返岗确认意见"), limits.REASON, blank=True, editable=False)
    cancel_reason = limits.text_field(_("取消原因"), limits.REASON, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("因公外出")
        verbose_name_plural = _("因公外出")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["cadre", "status", "start_date"]),
                   # decision 021: the trip list's order under each tier's own column
                   models.Index(fields=["county", "-start_date", "-id"], name="trip_county_newest"),
                   models.Index(fields=["township", "-start_date", "-id"], name="trip_township_newest")]
        constraints = [
            models.CheckConstraint(name="trip_end_after_start", condition=models.Q(end_date__gte=models.F("start_date"))),
        ]

    def __str__(self):
        return f"{self.cadre.name} {self.start_date}～{self.end_date} {self.purpose[:20]}"

    @property
    def return_pending(self) -> bool:
        """R-27: a return was reported and waits for the recording side's confirmation."""
        return self.status == self.Status.OPEN and self.return_reported_on is not None


# -- R-28 duty rota (值班表) ---------------------------------------------------------------------

class DutySchedule(models.Model):
    """R-28: the township's duty schedule its villages follow from ``valid_from`` on (the newest schedule
    not later than a day governs that day): which days need duty and how many people a day."""

    class Days(models.TextChoices):
        WORKDAYS = "workdays", _("法定工作日（含调休上班日）")
        MON_FRI = "mon_fri", _("周一至周五")
        EVERY_DAY = "every_day", _("每天（含周末）")

    township = models.ForeignKey("core.Township", verbose_name=_("乡（镇）"), on_delete=models.PROTECT,
                                 related_name="duty_schedules")
    valid_from = models.DateField(_("起用日期"))
    days = models.CharField(_("值班日"), max_length=10, choices=Days.choices, default=Days.WORKDAYS)
    holidays = models.BooleanField(_("节假日也须值班"), default=False,
                                   help_text=_("勾选后，周一至周五中放假的日子（如国庆、春节）也排值班"))
    per_day = models.PositiveSmallIntegerField(
        _("每天值班人数"), default=1,
        validators=[MinValueValidator(1, _("每天值班人数至少为1人。")),
                    MaxValueValidator(5, _("每天值班人数不能超过5人。"))])
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = user_field(_("登记人"), editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["township_id", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["township", "valid_from"], name="duty_schedule_once_per_date")]

    def __str__(self):
        return f"{self.township} {self.valid_from:%Y-%m-%d} {self.get_days_display()}"


class DutyRota(models.Model):
    """R-28: a village's duty rota (值班表) for one month; the people on duty are its ``days`` rows."""

    village = models.ForeignKey("core.Village", verbose_name=_("村"), on_delete=models.PROTECT,
                                related_name="duty_rotas")
    month = models.DateField(_("月份"), help_text=_("该月1日"))
    updated_by = user_field(_("修改人"), editable=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("值班表")
        verbose_name_plural = _("值班表")
        ordering = ["-month", "village_id"]
        constraints = [
            models.UniqueConstraint(fields=["village", "month"], name="duty_rota_once_per_month"),
            models.CheckConstraint(name="duty_rota_month_first_day", condition=models.Q(month__day=1)),
        ]

    def __str__(self):
        return f"{self.village} {self.month:%Y-%m} {self._meta.verbose_name}"


class DutyShift(models.Model):
    """R-28: one person on duty on one day of a rota: a reserve cadre of the village, or another village
    cadre named in words."""

    rota = models.ForeignKey(DutyRota, verbose_name=_("值班表"), on_delete=models.CASCADE, related_name="shifts")
    date = models.DateField(_("日期"))
    slot = models.PositiveSmallIntegerField(_("序号"), default=1)
    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="duty_shifts")
    name = models.CharField(_("其他值班人员"), max_length=30, blank=True, help_text=_("不是后备干部的村干部，写姓名"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("值班人员")
        verbose_name_plural = _("值班人员")
        ordering = ["date", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["rota", "date", "slot"], name="duty_shift_once_per_slot"),
            models.CheckConstraint(name="duty_shift_has_person",
                                   condition=models.Q(cadre__isnull=False) | ~models.Q(name="")),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.person}"

    @property
    def person(self) -> str:
        return self.cadre.name if self.cadre_id else self.name


class DutyMiss(models.Model):
    """R-28 值班缺岗: the person on duty did not show; with ``counts_as_absence`` the cadre's day is marked
    旷工 through the attendance-day service (R-24), so the R-25 counts include it. Undone, not deleted."""

    village = models.ForeignKey("core.Village", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="duty_misses")
    name = models.CharField(_("其他值班人员"), max_length=30, blank=True)
    note = models.CharField(_("情况说明"), max_length=200)
    counts_as_absence = models.BooleanField(_("计为缺勤"), default=False)
    undone = models.BooleanField(_("已撤销"), default=False, editable=False)
    undo_note = models.CharField(_("撤销原因"), max_length=200, blank=True, editable=False)
    recorded_by = user_field(_("登记人"), editable=False)
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("值班缺岗")
        verbose_name_plural = _("值班缺岗")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["village", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.person} {self._meta.verbose_name}"

    @property
    def person(self) -> str:
        return self.cadre.name if self.cadre_id else self.name
