"""Where a cadre is paid and the yearly accident-insurance premiums (R-45)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import County
from payroll.accounts import MAX_NUMBER, PayeeKind
from payroll.models.policy import MONEY


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

    class Meta:
        verbose_name = _("收款账户")
        verbose_name_plural = _("收款账户")
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

    class Meta:
        verbose_name = _("意外保险保费")
        verbose_name_plural = _("意外保险保费")
        ordering = ["-year", "cadre__village__township__code", "cadre__village__code", "cadre__name"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="insurance_premium_once_a_year")]

    def __str__(self):
        return _("%(n)s %(y)s年意外保险") % {"n": self.cadre.name, "y": self.year}
