"""Pay runs (R-42), their lines and the dates each funding source paid them (R-44), where a cadre is paid
and the yearly accident-insurance premiums (R-45)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import limits
from core.dates import month_bounds
from core.history import HistoricalRecords
from core.models import County, Township, Village, user_field, verbose_names
from payroll.accounts import MAX_NUMBER, PayeeKind
from payroll.models.policy import MONEY, FundingSource, PayAdjustment, PayPolicy


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
