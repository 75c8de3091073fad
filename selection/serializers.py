from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import limits
from core.serializers import PersonalNumbersMixin
from selection import policies
from selection.models import Application, BanWaiver, Round


class RoundSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Round
        fields = ["id", "county", "year", "kind", "title", "announcement", "announced_on", "apply_until",
                  "written_weight", "college_bonus", "previous_round_bonus", "status"]
        validators = []  # the one-supplement-a-year rule answers in services with a clear message


class NegativeListField(serializers.JSONField):
    """第七条: {"1": false, …, "10": false} — every item declared."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return policies.normalize_negative_list(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


class ApplicationSerializer(PersonalNumbersMixin, serializers.ModelSerializer):
    # validated by the service; answers may be masked, so the schema carries no pattern
    id_number = serializers.CharField(max_length=18, help_text=_("18位居民身份证号；县委组织部以下角色看到的是脱敏号码"))
    phone = serializers.CharField(max_length=20, help_text=_("手机号；县委组织部以下角色看到的是脱敏号码"))
    negative_list = NegativeListField(help_text=_("第七条十种情形，逐项声明：{\"1\": false, …, \"10\": false}"))
    status = serializers.CharField(read_only=True)
    composite_score = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True, allow_null=True)
    rank = serializers.IntegerField(read_only=True, allow_null=True)
    written_score = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, allow_null=True)
    interview_score = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, allow_null=True)
    bonus = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, allow_null=True)
    rejection_reason = serializers.CharField(read_only=True)
    education_exception = serializers.CharField(read_only=True)
    decided_on = serializers.DateField(read_only=True, allow_null=True)
    document_no = serializers.CharField(read_only=True)
    cadre = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    ban_waiver = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text=_(
        "县委组织部批准的禁选期豁免（/ban-waivers/ 的编号）；没有豁免时为 null"))
    basic_conditions = serializers.JSONField(read_only=True, help_text=_(
        "初审时逐项核实的第五条基本条件：{\"1\": {\"met\": true, \"note\": \"\"}, …, \"6\": …}；未初审时为 {}"))
    applied_on = serializers.DateField(required=False)

    class Meta:
        model = Application
        fields = ["id", "round", "village", "name", "id_number", "education", "phone", "previous_round",
                  "negative_list", "political_status", "applied_on", "status", "written_score", "interview_score",
                  "bonus", "composite_score", "rank", "rejection_reason", "education_exception", "decided_on",
                  "document_no", "cadre", "basic_conditions", "ban_waiver"]
        extra_kwargs = {"political_status": {"required": False}}
        validators = []

    def personal_county_id(self, instance) -> int:
        return instance.round.county_id


class ReviewSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    comment = serializers.CharField(max_length=limits.NOTE, required=False, allow_blank=True, default="")
    education_exception = serializers.CharField(max_length=limits.NOTE, required=False, allow_blank=True, default="",
                                                help_text=_("高中（中专）以下学历通过初审时必填"))
    negative_items_found = serializers.ListField(
        child=serializers.ChoiceField(choices=policies.NEGATIVE_KEYS), required=False, default=list,
        help_text=_("初审核实发现的第七条情形项号（可选）；有任何一项即不通过"))
    conditions = serializers.JSONField(
        required=False, default=None, allow_null=True,
        help_text=_("第五条六项基本条件的逐项核实：{\"1\": {\"met\": true, \"note\": \"\"}, …, \"6\": …}；"
                    "不符合的须写明核实情况，有任何一项不符合即不通过。通过初审而不提交此项，视为六项均核实符合"))


class ScoresSerializer(serializers.Serializer):
    written = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    interview = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)


class CoReviewSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    comment = serializers.CharField(max_length=limits.NOTE, required=False, allow_blank=True, default="")


class DecideSerializer(serializers.Serializer):
    appointed = serializers.BooleanField()
    decided_on = serializers.DateField()
    document_no = serializers.CharField(max_length=100)


class BanWaiverSerializer(PersonalNumbersMixin, serializers.ModelSerializer):
    """R-17: the five-year ban waived for one person in one round."""

    personal_fields = ("id_number",)
    id_number = serializers.CharField(max_length=18, help_text=_("18位居民身份证号；县委组织部以下角色看到的是脱敏号码"))
    name = serializers.CharField(read_only=True)
    reason = serializers.CharField(max_length=limits.REASON)
    document_no = serializers.CharField(max_length=100)
    banned_until = serializers.DateField(source="banned_cadre.banned_until", read_only=True,
                                         help_text=_("原禁选期满后可报名的第一天"))
    granted_by = serializers.StringRelatedField(read_only=True)
    granted_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = BanWaiver
        fields = ["id", "round", "id_number", "name", "reason", "document_no", "banned_until", "granted_by",
                  "granted_at"]
        validators = []

    def personal_county_id(self, instance) -> int:
        return instance.round.county_id
