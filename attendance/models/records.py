"""Daily attendance and absences (R-24), incapacity reports (R-26), official trips (R-27) and the duty rota
(值班表, R-28): the township's schedule, the villages' rotas, shifts and missed duty."""


from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from core import limits
from core.history import HistoricalRecords
from core.models import ScopeColumns, ends_after_start, user_field, verbose_names


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

    class Meta(verbose_names(_("考勤记录"))):
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

    class Meta(verbose_names(_("缺勤记录"))):
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["cadre", "start_date"]),
                   # decision 021: the absence list's order under each tier's own column
                   models.Index(fields=["county", "-start_date", "-id"], name="absence_county_newest"),
                   models.Index(fields=["township", "-start_date", "-id"], name="absence_township_newest")]
        constraints = [ends_after_start("absence_end_after_start")]

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

    class Meta(verbose_names(_("无法正常履职报告"))):
        ordering = ["-discovered_on", "-pk"]

    def __str__(self):
        return f"{self.cadre.name} {self.discovered_on}"


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

    class Meta(verbose_names(_("因公外出"))):
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["cadre", "status", "start_date"]),
                   # decision 021: the trip list's order under each tier's own column
                   models.Index(fields=["county", "-start_date", "-id"], name="trip_county_newest"),
                   models.Index(fields=["township", "-start_date", "-id"], name="trip_township_newest")]
        constraints = [ends_after_start("trip_end_after_start")]

    def __str__(self):
        return f"{self.cadre.name} {self.start_date}～{self.end_date} {self.purpose[:20]}"

    @property
    def return_pending(self) -> bool:
        """R-27: a return was reported and waits for the recording side's confirmation."""
        return self.status == self.Status.OPEN and self.return_reported_on is not None


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

    class Meta(verbose_names(_("值班安排"))):
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

    class Meta(verbose_names(_("值班表"))):
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

    class Meta(verbose_names(_("值班人员"))):
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

    class Meta(verbose_names(_("值班缺岗"))):
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["village", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.person} {self._meta.verbose_name}"

    @property
    def person(self) -> str:
        return self.cadre.name if self.cadre_id else self.name
