from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from attendance.models import Absence, Half, LeaveRequest
from cadres.models import Cadre
from core import limits


class DaysField(serializers.DecimalField):
    """Day counts as strings with one decimal (API.md): "1.5"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(max_digits=5, decimal_places=1, coerce_to_string=True, **kwargs)


#: start_half and end_half take the same values; their labels differ so the schema gets two distinct enums
START_HALF_CHOICES = [("am", _("上午开始")), ("pm", _("下午开始"))]
END_HALF_CHOICES = [("am", _("中午结束")), ("pm", _("下午下班结束"))]


class LeaveRequestSerializer(serializers.ModelSerializer):
    cadre = serializers.PrimaryKeyRelatedField(required=False, queryset=Cadre.objects.all(),
                                               help_text=_("后备干部本人请假时可省略"))
    start_half = serializers.ChoiceField(choices=START_HALF_CHOICES, default=Half.AM)
    end_half = serializers.ChoiceField(choices=END_HALF_CHOICES, default=Half.PM)
    channel = serializers.ChoiceField(choices=LeaveRequest.Channel.choices, default=LeaveRequest.Channel.WRITTEN)
    channel_note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    days = DaysField()
    approver_role = serializers.CharField(read_only=True)
    # issue 12 item 5 (added): "" or "township_liaison"/"township_party" when the approver was missing
    escalated_to = serializers.CharField(read_only=True)
    decided_as = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    returned_on = serializers.DateField(read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    village = serializers.IntegerField(source="cadre.village_id", read_only=True)
    decision_comment = serializers.CharField(read_only=True)
    overstay_reason = serializers.CharField(read_only=True)
    # issue 12 item 1 (added): a reported return waits for the approving side's confirmation
    return_reported_on = serializers.DateField(read_only=True)
    return_reported_by = serializers.PrimaryKeyRelatedField(read_only=True)
    return_report_reason = serializers.CharField(read_only=True)
    return_pending = serializers.BooleanField(read_only=True)
    return_confirmed_by = serializers.PrimaryKeyRelatedField(source="return_recorded_by", read_only=True)
    return_note = serializers.CharField(read_only=True)

    class Meta:
        model = LeaveRequest
        fields = ["id", "cadre", "cadre_name", "village", "start_date", "start_half", "end_date", "end_half",
                  "reason", "channel", "channel_note", "days", "approver_role", "status", "returned_on",
                  "decision_comment", "overstay_reason", "submitted_at", "decided_at", "escalated_to", "decided_as",
                  "return_reported_on", "return_reported_by", "return_report_reason", "return_pending",
                  "return_confirmed_by", "return_note"]
        read_only_fields = ["submitted_at", "decided_at"]


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=limits.REASON, required=False, allow_blank=True, default="", label=_("审批意见"))


class ReturnSerializer(serializers.Serializer):
    returned_on = serializers.DateField(label=_("销假日期"))
    reason = serializers.CharField(max_length=limits.REASON, required=False, allow_blank=True, default="",
                                   label=_("补报原因"), help_text=_("回岗日期比报告当天早3个工作日以上时必填"))
    note = serializers.CharField(max_length=limits.REASON, required=False, allow_blank=True, default="",
                                 label=_("确认意见"), help_text=_("审批方更正报告的回岗日期时必填"))


class ConfirmReturnSerializer(serializers.Serializer):
    returned_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("回岗日期"),
                                        help_text=_("省略则按报告的日期确认"))
    note = serializers.CharField(max_length=limits.REASON, required=False, allow_blank=True, default="",
                                 label=_("确认意见"))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=limits.REASON, label=_("正当理由"))


class AbsenceSerializer(serializers.ModelSerializer):
    days = DaysField()
    kind = serializers.ChoiceField(choices=Absence.Kind.choices, default=Absence.Kind.ABSENT)
    excused = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    class Meta:
        model = Absence
        fields = ["id", "cadre", "start_date", "end_date", "kind", "excused", "note", "days"]
