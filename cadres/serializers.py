from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cadres.models import Cadre, DisciplineCase, DisqualifyCategory
from core import limits
from core.serializers import PersonalNumbersMixin


class CadreSerializer(PersonalNumbersMixin, serializers.ModelSerializer):
    # validated by the service; answers may be masked, so the schema carries no pattern
    id_number = serializers.CharField(max_length=18, help_text=_("18位居民身份证号；县委组织部以下角色看到的是脱敏号码"))
    phone = serializers.CharField(max_length=20, help_text=_("手机号；县委组织部以下角色看到的是脱敏号码"))
    gender = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(read_only=True)
    status = serializers.CharField(read_only=True)
    disqualified_on = serializers.DateField(read_only=True, allow_null=True)
    banned_until = serializers.DateField(read_only=True, allow_null=True)
    township = serializers.IntegerField(source="village.township_id", read_only=True)
    user = serializers.IntegerField(
        source="user_id", allow_null=True, required=False,
        help_text=_("后备干部本人的登录账号（用户 id）。登记时可指定；之后关联或解除请用 POST /cadres/{id}/link-user/"))

    class Meta:
        model = Cadre
        fields = ["id", "name", "id_number", "gender", "birth_date", "education", "phone", "village", "township",
                  "post", "appointed_on", "status", "is_serving_village_cadre", "previous_round", "user",
                  "disqualified_on", "banned_until", "political_status", "reinstated_on", "reinstate_reason",
                  "reinstate_document_no"]
        extra_kwargs = {"id_number": {"validators": []}, "political_status": {"required": False}}

    def personal_county_id(self, instance) -> int:
        return instance.village.township.county_id

    def validate_user(self, value):
        # the login is not changed by a normal update: link-user checks the account (scope, role, other cadre)
        if self.instance is not None and value != self.instance.user_id:
            raise serializers.ValidationError(
                _("登录账号不能在此修改，请使用“关联登录账号”（POST /api/v1/cadres/%(id)s/link-user/）。") % {
                    "id": self.instance.pk})
        return value


class CadreLinkUserSerializer(serializers.Serializer):
    user = serializers.IntegerField(allow_null=True, help_text=_("要关联的账号 id；null 解除关联"))


class CadreLeaveSerializer(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.CharField(max_length=limits.NOTE)


class CadreReinstateSerializer(serializers.Serializer):
    """Issue 13: undo a wrong disqualification (the service names a missing reason or document number)."""

    reason = serializers.CharField(required=False, allow_blank=True, help_text=_("恢复资格的理由"))
    document_no = serializers.CharField(required=False, allow_blank=True, help_text=_("文号，如 清委组〔2026〕3号"))


class PayAdjustmentBriefSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("计入哪个月的发放（YYYY-MM）"))
    corrects_month = serializers.CharField(help_text=_("补发的月份（YYYY-MM）"))
    total = serializers.CharField(help_text=_("补发金额合计，如 \"2160.00\""))


class CadreReinstatedSerializer(CadreSerializer):
    """The reinstated cadre, whether its village is now over quota, and the adjustment lines added."""

    over_quota = serializers.BooleanField(read_only=True, help_text=_("恢复后该村在岗人数超出名额"))
    active = serializers.IntegerField(read_only=True, help_text=_("该村在岗后备干部人数"))
    quota = serializers.IntegerField(read_only=True, help_text=_("该村名额"))
    adjustments = PayAdjustmentBriefSerializer(many=True, read_only=True)

    class Meta(CadreSerializer.Meta):
        fields = [*CadreSerializer.Meta.fields, "over_quota", "active", "quota", "adjustments"]


class CadreDisqualifySerializer(CadreLeaveSerializer):
    category = serializers.ChoiceField(choices=DisqualifyCategory.choices)


class DisciplineCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisciplineCase
        fields = ["id", "cadre", "category", "opened_on", "status", "details", "decision", "decision_note",
                  "closed_on", "source", "absence_start", "absence_end", "review_note", "review_flagged_on"]
        read_only_fields = ["status", "decision", "decision_note", "closed_on", "source"]  # + the editable=False ones


#: the decisions on a case (named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]: another "decision" exists)
DISCIPLINE_DECISIONS = [c for c in DisciplineCase.Decision.choices if c[0]]


class DisciplineDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DISCIPLINE_DECISIONS)
    note = serializers.CharField(max_length=limits.NOTE, label=_("处理意见"))
    decided_on = serializers.DateField()
