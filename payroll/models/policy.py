"""What a county pays (R-40): funding sources, pay policies, the county's settings, bonuses and corrections."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core import limits
from core.history import HistoricalRecords
from core.models import County, CountySetting, user_field, verbose_names

MONEY = {"max_digits": 12, "decimal_places": 2}


class FundingSource(models.TextChoices):
    """Who pays a component (第十三条)."""

    COUNTY = "county", _("县人才工作经费")
    TOWNSHIP = "township", _("乡镇财政")
    VILLAGE = "village", _("村财")


class Component(models.TextChoices):
    """The five parts of a monthly stipend (R-40), in pay-sheet order."""

    COUNTY_SUBSIDY = "county_subsidy", _("县级补助")
    TOWNSHIP_SUBSIDY = "township_subsidy", _("乡镇补助")
    PERFORMANCE_BONUS = "performance_bonus", _("业绩考核奖")
    PENSION_SUBSIDY = "pension_subsidy", _("养老保险补助")
    ACCIDENT_INSURANCE = "accident_insurance", _("人身意外伤害保险")


#: 第十三条: where each component is paid from unless a county's policy says otherwise
DEFAULT_SOURCES = {
    Component.COUNTY_SUBSIDY: FundingSource.COUNTY,
    Component.TOWNSHIP_SUBSIDY: FundingSource.TOWNSHIP,
    Component.PERFORMANCE_BONUS: FundingSource.VILLAGE,
    Component.PENSION_SUBSIDY: FundingSource.VILLAGE,
    Component.ACCIDENT_INSURANCE: FundingSource.VILLAGE,
}


def _source_field(component):
    # format_lazy keeps the label translatable (a "%" on a lazy string would freeze it at import)
    return models.CharField(format_lazy(_("{component}经费来源"), component=component.label), max_length=10,
                            choices=FundingSource.choices, default=DEFAULT_SOURCES[component])


class PayPolicy(models.Model):
    """R-40: the amounts a county pays each month, valid from a date until the next policy's date."""

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="pay_policies")
    valid_from = models.DateField(_("执行日期"), help_text=_("从该日所在月份起执行，直到下一条标准的执行日期。"))
    county_subsidy = models.DecimalField(_("县级补助（元/月）"), **MONEY, default=Decimal("1000.00"),
                                         validators=[MinValueValidator(Decimal("0"))])
    township_subsidy = models.DecimalField(_("乡镇补助（元/月）"), **MONEY, default=Decimal("1000.00"),
                                           validators=[MinValueValidator(Decimal("0"))])
    pension_subsidy = models.DecimalField(_("养老保险补助（元/月）"), **MONEY, default=Decimal("0.00"),
                                          validators=[MinValueValidator(Decimal("0"))])
    accident_insurance = models.DecimalField(_("人身意外伤害保险（元/月）"), **MONEY, default=Decimal("0.00"),
                                             validators=[MinValueValidator(Decimal("0"))])
    county_subsidy_source = _source_field(Component.COUNTY_SUBSIDY)
    township_subsidy_source = _source_field(Component.TOWNSHIP_SUBSIDY)
    performance_bonus_source = _source_field(Component.PERFORMANCE_BONUS)
    pension_subsidy_source = _source_field(Component.PENSION_SUBSIDY)
    accident_insurance_source = _source_field(Component.ACCIDENT_INSURANCE)
    note = models.CharField(_("依据或说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("报酬标准"))):
        ordering = ["county", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["county", "valid_from"], name="pay_policy_once_per_day")]

    def __str__(self):
        return _("%(c)s报酬标准（%(d)s起）") % {"c": self.county, "d": self.valid_from}

    def source_of(self, component: str) -> str:
        return getattr(self, f"{component}_source")


class AccidentMode(models.TextChoices):
    """R-45: how the county pays the 人身意外伤害保险 (component accident_insurance of R-40)."""

    MONTHLY = "monthly", _("按月随报酬发放")
    YEARLY = "yearly", _("按年向保险公司缴纳")


class PayrollSetting(CountySetting):
    """Per-county settings of the county's check (R-44): lines unpaid this many days after month end."""

    county = CountySetting.county_field("payroll_setting")
    unpaid_days = models.PositiveSmallIntegerField(
        _("未发放提醒天数"), default=15,
        help_text=_("月末后超过此天数仍未发放的报酬，列入县委组织部的检查清单。"))
    # accident insurance as a monthly line or a yearly premium paid to an insurer
    accident_mode = models.CharField(_("意外保险缴纳方式"), max_length=8, choices=AccidentMode.choices,
                                     default=AccidentMode.MONTHLY)
    accident_from_year = models.PositiveSmallIntegerField(
        _("按年缴纳起始年度"), null=True, blank=True,
        help_text=_("从该年度起按年向保险公司缴纳，该年度起的月度报酬不再列意外伤害保险。"))
    insurer = models.CharField(_("承保保险公司"), max_length=100, blank=True)
    premium_per_year = models.DecimalField(_("每人每年保费（元）"), **MONEY, default=Decimal("0.00"),
                                           validators=[MinValueValidator(Decimal("0"))])

    history = HistoricalRecords()

    Meta = verbose_names(_("报酬检查设置"))

    def __str__(self):
        return str(self.county)

    def accident_yearly(self, year: int) -> bool:
        """R-45: is the accident insurance of ``year`` paid as a yearly premium (no monthly line)?"""
        return (self.accident_mode == AccidentMode.YEARLY and self.accident_from_year is not None
                and year >= self.accident_from_year)


class PerformanceBonus(models.Model):
    """R-40: 业绩考核奖 of one cadre for one month, entered by the township."""

    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("后备干部"), on_delete=models.PROTECT,
                              related_name="performance_bonuses")
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    amount = models.DecimalField(_("业绩考核奖（元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("业绩考核奖"))):
        ordering = ["-month", "cadre__village__code", "cadre__name"]
        constraints = [models.UniqueConstraint(fields=["cadre", "month"], name="bonus_once_per_month")]
        indexes = [models.Index(fields=["month", "cadre"])]

    def __str__(self):
        return f"{self.cadre.name} {self.month:%Y-%m} {self.amount}"


class PayAdjustment(models.Model):
    """R-42: a correction to an approved month, paid in a later month's run as an adjustment line."""

    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("后备干部"), on_delete=models.PROTECT,
                              related_name="pay_adjustments")
    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("补发/扣回月份"), help_text=_("计入哪个月的发放（当月1日）"))
    corrects_month = models.DateField(_("更正月份"), help_text=_("被更正的已审定月份（当月1日）"))
    county_subsidy = models.DecimalField(_("县级补助"), **MONEY, default=Decimal("0.00"))
    township_subsidy = models.DecimalField(_("乡镇补助"), **MONEY, default=Decimal("0.00"))
    performance_bonus = models.DecimalField(_("业绩考核奖"), **MONEY, default=Decimal("0.00"))
    pension_subsidy = models.DecimalField(_("养老保险补助"), **MONEY, default=Decimal("0.00"))
    accident_insurance = models.DecimalField(_("人身意外伤害保险"), **MONEY, default=Decimal("0.00"))
    reason = limits.text_field(_("更正原因"), limits.REASON)
    created_by = user_field(_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("报酬更正"))):
        ordering = ["-month", "-pk"]
        indexes = [models.Index(fields=["county", "month"])]

    def __str__(self):
        return _("%(n)s %(m)s更正（计入%(t)s）") % {"n": self.cadre.name, "m": f"{self.corrects_month:%Y-%m}",
                                                 "t": f"{self.month:%Y-%m}"}
