from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cadres.models import Cadre, DisciplineCase, DisqualifyCategory
from core import limits
from core.idcard import mask_id_number, mask_phone
from core.scope import get_scope


class CadreSerializer(serializers.ModelSerializer):
    # validated by the service; answers may be masked, so the schema carries no pattern
    id_number = serializers.CharField(max_length=18, help_text=_("18位居民身份证号；县委组织部以下角色看到的是脱敏号码"))
    phone = serializers.CharField(max_length=20, help_text=_("手机号；县委组织部以下角色看到的是脱敏号码"))
    gender = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(read_only=True)
    status = serializers.CharField(read_only=True)
    disqualified_on = serializers.DateField(read_only=True, allow_null=True)
    banned_until = serializers.DateField(read_only=True, allow_null=True)
    township = serializers.IntegerField(source="village.township_id", read_only=True)

    class Meta:
        model = Cadre
        fields = ["id", "name", "id_number", "gender", "birth_date", "education", "phone", "village", "township",
                  "post", "appointed_on", "status", "is_serving_village_cadre", "previous_round", "user",
                  "disqualified_on", "banned_until", "political_status"]
        extra_kwargs = {"id_number": {"validators": []}, "political_status": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None:
            scope = get_scope(request.user)
            if not scope.sees_personal_data(instance.village.township.county_id):
                data["id_number"] = mask_id_number(data["id_number"])
                data["phone"] = mask_phone(data["phone"])
        return data


class CadreLeaveSerializer(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.CharField(max_length=limits.NOTE)


class CadreDisqualifySerializer(CadreLeaveSerializer):
    category = serializers.ChoiceField(choices=DisqualifyCategory.choices)


class DisciplineCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisciplineCase
        fields = ["id", "cadre", "category", "opened_on", "status", "details", "decision", "decision_note",
                  "closed_on", "source"]
        read_only_fields = ["status", "decision", "decision_note", "closed_on", "source"]


class DisciplineDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[c for c in DisciplineCase.Decision.choices if c[0]])
    note = serializers.CharField(max_length=limits.NOTE, label=_("处理意见"))
    decided_on = serializers.DateField()
