"""API shapes of API.md "Stipends": money as strings with two decimals, months as "YYYY-MM"."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import personal
from core.scope import get_scope
from payroll import policies
from payroll.models import (
    FundingSource,
    InsurancePremium,
    PayAdjustment,
    PayeeAccount,
    PayLine,
    PayPolicy,
    PayRun,
    PerformanceBonus,
)
from payroll.staleness import stale_reason


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-03"})
class MonthField(serializers.Field):
    default_error_messages = {"invalid": _("月份格式应为“年-月”，如 2026-03。")}

    def to_representation(self, value):
        return f"{value:%Y-%m}"

    def to_internal_value(self, data):
        try:
            return policies.month_from_text(data)
        except ValidationError:
            self.fail("invalid")


def money_field(**kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True, **kwargs)


class SourcesField(serializers.DictField):
    """R-40: the funding source of each component, as one object ``{"county_subsidy": "county", …}``.
    Keys left out keep the 第十三条 default."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=FundingSource.choices), source="*", **kwargs)

    def to_representation(self, policy):
        return {c: policy.source_of(c) for c in policies.COMPONENTS}

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        unknown = set(data) - set(policies.COMPONENTS)
        if unknown:
            raise serializers.ValidationError(_("未知的报酬项目：%(k)s") % {"k": "、".join(sorted(unknown))})
        return {f"{c}_source": v for c, v in data.items()}


class PayPolicySerializer(serializers.ModelSerializer):
    sources = SourcesField(required=False)

    class Meta:
        model = PayPolicy
        fields = ["id", "county", "valid_from", "county_subsidy", "township_subsidy", "pension_subsidy",
                  "accident_insurance", "sources", "note"]
        validators = []  # the service answers the duplicate date with a field message


class PerformanceBonusSerializer(serializers.ModelSerializer):
    month = MonthField()
    amount = money_field(min_value=0)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)

    class Meta:
        model = PerformanceBonus
        fields = ["id", "cadre", "cadre_name", "month", "amount", "note"]
        validators = []
        extra_kwargs = {"note": {"required": False}}


class PayRunSerializer(serializers.ModelSerializer):
    month = MonthField()
    total = serializers.SerializerMethodField()
    lines_count = serializers.SerializerMethodField()

    class Meta:
        model = PayRun
        fields = ["id", "county", "month", "status", "total", "lines_count", "county_fund_total",
                  "township_fund_total", "village_fund_total", "built_at", "approved_at", "build_state",
                  "build_message", "stale", "stale_reason"]
        read_only_fields = fields

    stale = serializers.SerializerMethodField(help_text=_("草稿生成后情况有变化，明细已不符合规则（需重新生成）"))
    stale_reason = serializers.SerializerMethodField(help_text=_("哪些情况变了；不过期时为空"))

    def _stale_reason(self, run) -> str:
        if not hasattr(run, "_stale_reason"):
            run._stale_reason = stale_reason(run)
        return run._stale_reason

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_stale(self, run) -> bool:
        return bool(self._stale_reason(run))

    @extend_schema_field(OpenApiTypes.STR)
    def get_stale_reason(self, run) -> str:
        return self._stale_reason(run)

    @extend_schema_field(OpenApiTypes.STR)
    def get_total(self, run) -> str:
        return f"{getattr(run, 'visible_total', run.total):.2f}"

    @extend_schema_field(OpenApiTypes.INT)
    def get_lines_count(self, run) -> int:
        return getattr(run, "visible_count", run.lines_count)


class PayRunBuildSerializer(serializers.Serializer):
    county = serializers.IntegerField()
    month = MonthField()


class PayLineSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    month = MonthField(source="run.month", read_only=True)

    class Meta:
        model = PayLine
        fields = ["id", "run", "month", "cadre", "cadre_name", "village", "village_name", "township",
                  "township_name", "kind", "reason", *policies.COMPONENTS, "total", "county_fund",
                  "township_fund", "village_fund", "county_paid_on", "township_paid_on", "village_paid_on"]
        read_only_fields = fields


class LinePaidSerializer(serializers.Serializer):
    """R-44: the dates funding sources paid a line; give the ones to record (null clears one)."""

    county_paid_on = serializers.DateField(required=False, allow_null=True)
    township_paid_on = serializers.DateField(required=False, allow_null=True)
    village_paid_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError({"detail": _("请至少填写一个发放日期。")})
        return attrs


class PayAdjustmentSerializer(serializers.ModelSerializer):
    """R-42: a correction of an approved month, paid in a later month (negative amounts take money back)."""

    month = MonthField()
    corrects_month = MonthField()
    county_subsidy = money_field(required=False, default="0.00")
    township_subsidy = money_field(required=False, default="0.00")
    performance_bonus = money_field(required=False, default="0.00")
    pension_subsidy = money_field(required=False, default="0.00")
    accident_insurance = money_field(required=False, default="0.00")

    class Meta:
        model = PayAdjustment
        fields = ["id", "cadre", "county", "corrects_month", "month", *policies.COMPONENTS, "reason", "created_at"]
        read_only_fields = ["county", "created_at"]


class PayeeAccountSerializer(serializers.ModelSerializer):
    """R-45: ``number`` in full only for county_org and county_finance of the cadre's county, else masked
    (6222 **** **** 1234); a PATCH that sends the masked number back keeps the stored one."""

    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    number = serializers.CharField(max_length=40, help_text=_("只含数字，可用空格分组；脱敏显示时原样提交即保留原账号"))

    class Meta:
        model = PayeeAccount
        fields = ["id", "cadre", "cadre_name", "kind", "bank", "number", "holder", "holder_note", "updated_at"]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"cadre": {"validators": []},  # scope first (404-like), then "已有账户" (no leak)
                        "bank": {"required": False}, "holder": {"required": False},
                        "holder_note": {"required": False}}
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple) and hasattr(self.instance, "pk"):
            fields["cadre"].read_only = True  # an account belongs to its cadre for good
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        full = request is not None and get_scope(request.user).sees_payee_accounts(
            instance.cadre.village.township.county_id)
        data["number"] = personal.shown(data["number"], "account", full=full)
        return data


class InsurancePremiumSerializer(serializers.ModelSerializer):
    """R-45: one cadre's yearly accident-insurance premium (money as a string with two decimals)."""

    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    village_name = serializers.CharField(source="cadre.village.name", read_only=True)
    township_name = serializers.CharField(source="cadre.village.township.name", read_only=True)
    paid = serializers.SerializerMethodField()

    class Meta:
        model = InsurancePremium
        fields = ["id", "county", "year", "cadre", "cadre_name", "village_name", "township_name", "insurer",
                  "amount", "policy_number", "paid", "paid_on", "voucher"]
        read_only_fields = fields

    def get_paid(self, obj) -> bool:
        return obj.paid_on is not None


class PremiumGenerateSerializer(serializers.Serializer):
    county = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    year = serializers.IntegerField()


class PremiumGenerateResultSerializer(serializers.Serializer):
    county = serializers.IntegerField()
    year = serializers.IntegerField()
    added = serializers.IntegerField(help_text="本次新增人数")
    total = serializers.IntegerField(help_text="该年度清单总人数")
