"""R-28 duty rota (值班表): the township's schedule, the villages' rotas, shifts and missed duty."""


from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre
from core.models import user_field


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
