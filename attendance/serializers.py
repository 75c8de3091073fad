from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from attendance.models import Absence, AttendanceDay, AttendanceSetting, Half, LeaveRequest, OfficialTrip
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


# What a leave and an official trip both answer: whose, the return and its report. (A comment,
# not a docstring: drf-spectacular would show a docstring as the description of the leave's schema.)
class _AwayFields(serializers.Serializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    village = serializers.IntegerField(source="cadre.village_id", read_only=True)
    returned_on = serializers.DateField(read_only=True)
    return_reported_on = serializers.DateField(read_only=True)
    return_report_reason = serializers.CharField(read_only=True)
    return_pending = serializers.BooleanField(read_only=True)
    return_note = serializers.CharField(read_only=True)


class LeaveRequestSerializer(_AwayFields, serializers.ModelSerializer):
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
    decided_for = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text=_(
        "代理人审批时，受托的审批人（用户编号）"))
    status = serializers.CharField(read_only=True)
    decision_comment = serializers.CharField(read_only=True)
    overstay_reason = serializers.CharField(read_only=True)
    # issue 12 item 1 (added): a reported return waits for the approving side's confirmation
    return_reported_by = serializers.PrimaryKeyRelatedField(read_only=True)
    return_confirmed_by = serializers.PrimaryKeyRelatedField(source="return_recorded_by", read_only=True)

    class Meta:
        model = LeaveRequest
        fields = ["id", "cadre", "cadre_name", "village", "start_date", "start_half", "end_date", "end_half",
                  "reason", "channel", "channel_note", "days", "approver_role", "status", "returned_on",
                  "decision_comment", "overstay_reason", "submitted_at", "decided_at", "escalated_to", "decided_as", "decided_for",
                  "return_reported_on", "return_reported_by", "return_report_reason", "return_pending",
                  "return_confirmed_by", "return_note"]
        read_only_fields = ["submitted_at", "decided_at"]


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=limits.REASON, required=False, allow_blank=True, default="", label=_("审批意见"))


#: issue 17: the decisions of a bulk decision (named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"])
BULK_DECISIONS = [("approve", _("批准")), ("reject", _("驳回"))]


class BulkDecisionSerializer(serializers.Serializer):
    """Issue 17: several pending requests decided at once (each through the single-decision service)."""

    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), allow_empty=False,
                                max_length=100, label=_("请假编号"))
    decision = serializers.ChoiceField(choices=BULK_DECISIONS, label=_("审批决定"))
    comment = serializers.CharField(max_length=limits.REASON, required=False, allow_blank=True, default="",
                                    label=_("审批意见"))


class BulkDecisionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField(help_text=_("是否已按所选决定审批"))
    status = serializers.CharField(allow_null=True, help_text=_("审批后的状态；不存在时为空"))
    cadre = serializers.CharField()
    period = serializers.CharField()
    message = serializers.CharField(help_text=_("未能审批的原因"))


class BulkDecisionResponseSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = BulkDecisionResultSerializer(many=True)


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


class AttendanceSettingSerializer(serializers.ModelSerializer):
    """Issue 12 item 7: the county's values (``secretary_max_days`` a day count string, "1.0")."""

    # no bounds here: the service checks the ranges and answers with the same words as the page
    county = serializers.PrimaryKeyRelatedField(read_only=True)
    run_limit = serializers.IntegerField(help_text=_("连续旷工超过此工作日数立案，默认15"))
    year_limit = serializers.IntegerField(help_text=_("一年累计旷工超过此工作日数立案，默认30"))
    excused_breaks_run = serializers.BooleanField(help_text=_("有正当理由的缺勤是否中断连续旷工，默认是"))
    incapacity_report_days = serializers.IntegerField(help_text=_("发现无法正常履职后报告乡（镇）的期限（自然日），默认5"))
    secretary_max_days = serializers.DecimalField(max_digits=3, decimal_places=1, coerce_to_string=True,
                                                  help_text=_("村党组织书记审批的最长请假天数，以半天为单位，默认\"1.0\""))

    class Meta:
        model = AttendanceSetting
        fields = ["county", "run_limit", "year_limit", "excused_breaks_run", "incapacity_report_days",
                  "secretary_max_days"]


class AbsenceCorrectionSerializer(serializers.Serializer):
    """Issue 12 item 3 (``PATCH /absences/{id}/``): what may be corrected; ``days`` is recomputed."""

    start_date = serializers.DateField(required=False, label=_("开始日期"))
    end_date = serializers.DateField(required=False, label=_("结束日期"))
    excused = serializers.BooleanField(required=False, label=_("有正当理由"))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, label=_("说明"))


class AttendanceDaySerializer(serializers.Serializer):
    """Issue 12 item 3 (``/attendance-days/``): one cadre's mark on one day; ``status`` null clears it."""

    cadre = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.all(), label=_("后备干部"))
    date = serializers.DateField(label=_("日期"))
    status = serializers.ChoiceField(choices=AttendanceDay.Status.choices, allow_null=True, label=_("考勤"),
                                     help_text=_("出勤、因公外出或旷工；null 清除当天的考勤"))
    excused = serializers.BooleanField(default=False, label=_("有正当理由"))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", label=_("说明"))


class AttendanceMonthQuerySerializer(serializers.Serializer):
    cadre = serializers.IntegerField(min_value=1, max_value=2**31 - 1, label=_("后备干部"))
    month = serializers.RegexField(r"^\d{4}-\d{2}$", label=_("月份"), help_text=_("格式 YYYY-MM，例如 2026-03"),
                                   error_messages={"invalid": _("月份格式为 YYYY-MM，例如 2026-03。")})


class OfficialTripSerializer(_AwayFields, serializers.ModelSerializer):
    """R-27 (API.md): ``{id, cadre, purpose, start_date, end_date, status, returned_on (ro)}`` and, added, the
    report of the return waiting for confirmation."""

    cadre = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.all())
    purpose = serializers.CharField(max_length=limits.REASON)
    destination = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=OfficialTrip.Status.choices, read_only=True)
    recorded_by = serializers.PrimaryKeyRelatedField(read_only=True)
    confirmed_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = OfficialTrip
        fields = ["id", "cadre", "cadre_name", "village", "purpose", "destination", "start_date", "end_date", "status",
                  "returned_on", "recorded_by", "created_at", "return_reported_on", "return_report_reason",
                  "return_pending", "confirmed_by", "return_note"]
        read_only_fields = ["created_at"]


class TripReturnSerializer(serializers.Serializer):
    returned_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("返岗日期"),
                                        help_text=_("本人报告时必填；确认方省略则按报告的日期确认"))
    reason = serializers.CharField(max_length=limits.REASON, required=False, allow_blank=True, default="",
                                   label=_("补报原因"), help_text=_("返岗日期比报告当天早3个工作日以上时必填"))
    note = serializers.CharField(max_length=limits.REASON, required=False, allow_blank=True, default="",
                                 label=_("确认意见"), help_text=_("确认方更正报告的返岗日期时必填"))
