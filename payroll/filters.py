"""The list filters of the stipend pages and their API twins (one ScopedFilterSet each, rendered with
``{% include "includes/filters.html" %}``). Query parameter names and values are those the pages and the
API have always taken."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from core.dates import year_errors
from core.filters import ScopedFilterSet
from core.models import Township
from payroll import policies
from payroll.accounts import PayeeKind
from payroll.forms import MonthField
from payroll.models import InsurancePremium, PayAdjustment, PayeeAccount, PayLine, PayRun, PerformanceBonus


class _PageFilterSet(ScopedFilterSet):
    """Field ids ``f-<name>``: these pages also hold an entry form whose fields have the same names."""

    @property
    def form(self):
        form = super().form
        form.auto_id = "f-%s"
        return form


class MonthFilter(django_filters.Filter):
    """"YYYY-MM": an invalid month filters nothing; the page shows why next to the field, the API answers 400."""

    field_class = MonthField


class PayLineFilter(_PageFilterSet):
    """The lines of a run: the run page and ``/api/v1/pay-runs/{id}/lines/``."""

    village_path = "village"
    search_fields = ("cadre__name", "village__name")

    kind = django_filters.ChoiceFilter(label=_("类别"), choices=PayLine.Kind.choices)
    paid = django_filters.ChoiceFilter(label=_("发放情况"), method="filter_paid",
                                       choices=[("paid", _("已全部发放")), ("unpaid", _("尚未全部发放"))])
    cadre = django_filters.NumberFilter(label=_("后备干部"), field_name="cadre_id")

    class Meta:
        model = PayLine
        fields = ["q", "township", "village", "kind", "paid", "cadre"]

    def filter_paid(self, queryset, name, value):
        cond = policies.unpaid_q(dt.date.max)
        return queryset.exclude(cond) if value == "paid" else queryset.filter(cond) if value else queryset


class PayRunFilter(_PageFilterSet):
    """The list of runs: year and status (the API also takes ``month`` and ``county``)."""

    q = township = village = None
    village_path = None
    year = django_filters.CharFilter(label=_("年度"), method="filter_year", widget=forms.NumberInput)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PayRun.Status.choices)
    month = MonthFilter(label=_("月份"))
    county = django_filters.NumberFilter(label=_("县"), field_name="county_id")

    class Meta:
        model = PayRun
        fields = ["year", "status", "month", "county"]

    def filter_year(self, queryset, name, value):
        value = (value or "").strip()
        if value.isdigit() and not year_errors(int(value)):  # issue 16: month__year=99999 was a 500
            return queryset.filter(month__year=int(value))
        return queryset


class BonusFilter(_PageFilterSet):
    """业绩考核奖: month, township and name (the API also takes ``cadre``)."""

    village = None
    township = django_filters.ModelChoiceFilter(label=_("乡（镇）"), queryset=Township.objects.none(),
                                                field_name="cadre__village__township", method="filter_township")
    search_fields = ("cadre__name",)
    search_hint = _("姓名")
    month = MonthFilter(label=_("月份"))
    cadre = django_filters.NumberFilter(label=_("后备干部"), field_name="cadre_id")

    class Meta:
        model = PerformanceBonus
        fields = ["month", "township", "q", "cadre"]


class AdjustmentFilter(_PageFilterSet):
    """报酬更正: by name (the API also takes ``cadre``)."""

    township = village = None
    search_fields = ("cadre__name",)
    search_hint = _("姓名")
    cadre = django_filters.NumberFilter(label=_("后备干部"), field_name="cadre_id")

    class Meta:
        model = PayAdjustment
        fields = ["q", "cadre"]


class UnpaidFilter(_PageFilterSet):
    """The county's check: by township."""

    q = village = None
    village_path = "village"

    class Meta:
        model = PayLine
        fields = ["township"]


class PayeeCadreFilter(_PageFilterSet):
    """R-45 收款账户 page: township, village, account kind, 缺少账户, and name."""

    village_path = "village"
    search_fields = ("name",)
    search_hint = _("姓名")
    kind = django_filters.ChoiceFilter(label=_("账户类别"), choices=PayeeKind.choices, field_name="payee_account__kind")
    missing = django_filters.BooleanFilter(label=_("缺少账户"), field_name="payee_account", lookup_expr="isnull")
    cadre = django_filters.NumberFilter(label=_("后备干部"), field_name="pk")

    class Meta:
        model = Cadre
        fields = ["q", "township", "village", "kind", "missing"]


class PayeeAccountFilter(_PageFilterSet):
    """R-45 ``/api/v1/payee-accounts/``: township, village, kind, cadre and name."""

    village_path = "cadre__village"
    search_fields = ("cadre__name",)
    search_hint = _("姓名")
    kind = django_filters.ChoiceFilter(label=_("账户类别"), choices=PayeeKind.choices)
    cadre = django_filters.NumberFilter(label=_("后备干部"), field_name="cadre_id")

    class Meta:
        model = PayeeAccount
        fields = ["q", "township", "village", "kind", "cadre"]


class PremiumFilter(_PageFilterSet):
    """R-45 意外保险 page and ``/api/v1/insurance-premiums/``: township, village, paid/unpaid and name (the year
    is chosen apart: the page and the API show one year at a time)."""

    village_path = "cadre__village"
    search_fields = ("cadre__name", "policy_number", "voucher")
    search_hint = _("姓名、保单号或凭证号")
    paid = django_filters.ChoiceFilter(label=_("缴费情况"), method="filter_paid",
                                       choices=[("paid", _("已缴费")), ("unpaid", _("未缴费"))])

    class Meta:
        model = InsurancePremium
        fields = ["q", "township", "village", "paid"]

    def filter_paid(self, queryset, name, value):
        if value == "paid":
            return queryset.filter(paid_on__isnull=False)
        return queryset.filter(paid_on__isnull=True) if value == "unpaid" else queryset
