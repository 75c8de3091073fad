"""Stipends (第十三条, 第十四条): pay policies, bonuses, pay runs and lines, and paid state (R-40…R-44)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import limits
from core.dates import month_bounds
from core.models import County, CountySetting, Township, Village, user_field, verbose_names
from payroll.accounts import MAX_NUMBER, PayeeKind

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


class PayRun(models.Model):
    """R-42: one county, one month. Draft → approved (locked)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已审定")

    class BuildState(models.TextChoices):
        IDLE = "", _("—")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="pay_runs")
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("合计（元）"), **MONEY, default=Decimal("0.00"))
    lines_count = models.PositiveIntegerField(_("人数（行数）"), default=0)
    county_fund_total = models.DecimalField(_("县人才工作经费合计"), **MONEY, default=Decimal("0.00"))
    township_fund_total = models.DecimalField(_("乡镇财政合计"), **MONEY, default=Decimal("0.00"))
    village_fund_total = models.DecimalField(_("村财合计"), **MONEY, default=Decimal("0.00"))
    policy = models.ForeignKey(PayPolicy, verbose_name=_("适用标准"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    built_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    built_by = user_field(_("生成人"))
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    approved_by = user_field(_("审定人"))
    build_state = models.CharField(_("生成进度"), max_length=10, choices=BuildState.choices, blank=True,
                                   default=BuildState.IDLE)
    build_message = models.CharField(_("生成说明"), max_length=300, blank=True)
    accident_yearly = models.BooleanField(
        _("意外保险按年缴纳"), default=False,
        help_text=_("生成时本县该年度的意外伤害保险按年向保险公司缴纳，月度明细不列此项。"))

    history = HistoricalRecords(excluded_fields=["build_state", "build_message"])

    class Meta(verbose_names(_("报酬发放"))):
        ordering = ["-month", "county__code"]
        constraints = [models.UniqueConstraint(fields=["county", "month"], name="pay_run_once_per_month")]

    def __str__(self):
        return _("%(c)s%(y)s年%(m)s月报酬发放") % {"c": self.county, "y": self.month.year, "m": self.month.month}

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def accident_note(self) -> str:
        """R-45: what the pay sheets say when the accident insurance of this run's year is paid yearly."""
        if not self.accident_yearly:
            return ""
        return _("本年度人身意外伤害保险由县里按年统一向保险公司缴纳，不在月度报酬中发放。")

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def month_end(self) -> dt.date:
        return month_bounds(self.month.year, self.month.month)[1]


class PayLine(models.Model):
    """One cadre's pay in a run (or one adjustment). Written in bulk by the build, never one by one.

    ``*_fund`` are the amounts each funding source owes for this line; ``*_paid_on`` when it paid (R-44).
    No per-row history here (a rebuild deletes and re-inserts draft lines); paid dates are audited in
    :class:`LinePayment`.
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", _("当月")
        ADJUSTMENT = "adjustment", _("更正")

    # Scale (issue 8): the build inserts ~500,000 lines at once. Referential integrity of these columns is
    # kept by the one writer (pay_run_build copies ids from existing rows inside the transaction that
    # locks the run; cadres and org units are never deleted, only PROTECTed), so the per-row foreign-key
    # triggers and single-column indexes that tripled the build time are left out. Lookups use the
    # composite indexes in Meta.
    run = models.ForeignKey(PayRun, verbose_name=_("发放批次"), on_delete=models.CASCADE, related_name="lines",
                            db_index=False, db_constraint=False)
    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("后备干部"), on_delete=models.PROTECT,
                              related_name="pay_lines", db_index=False, db_constraint=False)
    village = models.ForeignKey(Village, verbose_name=_("村"), on_delete=models.PROTECT, related_name="+",
                                db_index=False, db_constraint=False)
    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), on_delete=models.PROTECT, related_name="+",
                                 db_index=False, db_constraint=False)
    # decision 021: the county of the line's township (the run's county), so the scope filter reads the row
    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False, editable=False)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.REGULAR)
    adjustment = models.ForeignKey(PayAdjustment, verbose_name=_("更正"), null=True, blank=True,
                                   on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                                   db_constraint=False)
    county_subsidy = models.DecimalField(_("县级补助"), **MONEY)
    township_subsidy = models.DecimalField(_("乡镇补助"), **MONEY)
    performance_bonus = models.DecimalField(_("业绩考核奖"), **MONEY)
    pension_subsidy = models.DecimalField(_("养老保险补助"), **MONEY)
    accident_insurance = models.DecimalField(_("人身意外伤害保险"), **MONEY)
    total = models.DecimalField(_("合计"), **MONEY)
    county_fund = models.DecimalField(_("县人才工作经费"), **MONEY)
    township_fund = models.DecimalField(_("乡镇财政"), **MONEY)
    village_fund = models.DecimalField(_("村财"), **MONEY)
    county_paid_on = models.DateField(_("县人才工作经费发放日期"), null=True, blank=True)
    township_paid_on = models.DateField(_("乡镇财政发放日期"), null=True, blank=True)
    village_paid_on = models.DateField(_("村财发放日期"), null=True, blank=True)
    reason = limits.text_field(_("说明"), limits.REASON, blank=True)

    class Meta(verbose_names(_("报酬明细"))):
        ordering = ["township_id", "village_id", "kind", "cadre_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "cadre"], condition=models.Q(kind="regular"),
                                    name="pay_line_once_per_cadre"),
            models.UniqueConstraint(fields=["run", "adjustment"], condition=models.Q(kind="adjustment"),
                                    name="pay_line_adjustment_once"),
        ]
        indexes = [
            models.Index(fields=["run", "township", "village"]),
            models.Index(fields=["cadre", "run"]),
            # decision 021: a county's lines across runs (unpaid lists, cadre lists of a county)
            models.Index(fields=["county", "run"], name="payline_county_run"),
        ]

    def __str__(self):
        return f"{self.cadre_id} {self.run_id} {self.total}"

    def fund(self, source: str) -> Decimal:
        return getattr(self, f"{source}_fund")

    def paid_on(self, source: str):
        return getattr(self, f"{source}_paid_on")

    @property
    def is_fully_paid(self) -> bool:
        return all(self.fund(s) <= 0 or self.paid_on(s) for s in FundingSource.values)


class LinePayment(models.Model):
    """R-44: the date a funding source actually paid a line, with who recorded it (audited)."""

    line = models.ForeignKey(PayLine, verbose_name=_("报酬明细"), on_delete=models.DO_NOTHING,
                             related_name="payments", db_constraint=False)
    source = models.CharField(_("经费来源"), max_length=10, choices=FundingSource.choices)
    paid_on = models.DateField(_("发放日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = user_field(_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("发放记录"))):
        constraints = [models.UniqueConstraint(fields=["line", "source"], name="line_payment_once_per_source")]

    def __str__(self):
        return f"{self.line_id} {self.get_source_display()} {self.paid_on}"


class PayeeAccount(models.Model):
    """R-45: where a cadre's stipend is paid (bank card, 社保卡 or 一卡通). Validated by
    ``payroll.accounts.validate_payee_account``; shown in full only where ``Scope.sees_payee_accounts``."""

    cadre = models.OneToOneField("cadres.Cadre", verbose_name=_("后备干部"), on_delete=models.PROTECT,
                                 related_name="payee_account")
    kind = models.CharField(_("账户类别"), max_length=24, choices=PayeeKind.choices, default=PayeeKind.BANK_CARD)
    bank = models.CharField(_("开户银行"), max_length=60, blank=True, help_text=_("银行卡必填，如：农业银行清流县支行"))
    number = models.CharField(_("收款账号"), max_length=MAX_NUMBER,
                              help_text=_("只填数字，可用空格分组；保存时去掉空格。"))
    holder = models.CharField(_("户名"), max_length=50, blank=True, help_text=_("不填则为本人姓名"))
    holder_note = models.CharField(_("非本人账户说明"), max_length=200, blank=True,
                                   help_text=_("户名不是本人时必填，写明关系和原因"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("收款账户"))):
        ordering = ["cadre__village__code", "cadre__name"]

    def __str__(self):
        return _("%(n)s的收款账户") % {"n": self.cadre.name}

    @property
    def bank_or_kind(self) -> str:
        """开户行/类别 as the bank file prints it."""
        return self.bank or str(self.get_kind_display())


class InsurancePremium(models.Model):
    """R-45: one cadre's yearly accident-insurance premium, paid by the county to the insurer."""

    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("后备干部"), on_delete=models.PROTECT,
                              related_name="insurance_premiums")
    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    insurer = models.CharField(_("保险公司"), max_length=100)
    amount = models.DecimalField(_("保费（元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    policy_number = models.CharField(_("保单号"), max_length=60, blank=True)
    paid_on = models.DateField(_("缴费日期"), null=True, blank=True)
    voucher = models.CharField(_("缴费凭证号"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("列入时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("意外保险保费"))):
        ordering = ["-year", "cadre__village__township__code", "cadre__village__code", "cadre__name"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="insurance_premium_once_a_year")]

    def __str__(self):
        return _("%(n)s %(y)s年意外保险") % {"n": self.cadre.name, "y": self.year}
