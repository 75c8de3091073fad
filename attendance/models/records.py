"""Daily attendance and absences (R-24), incapacity reports (R-26) and official trips (R-27)."""


from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre
from core import limits
from core.models import ScopeColumns, user_field


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
