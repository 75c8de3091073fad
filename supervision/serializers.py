from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cadres.models import Cadre
from core import limits
from core.dates import today
from core.models import County, Township, Village
from supervision.models import (
    CHANGE_REASON_MAX,
    Assessment,
    Attachment,
    AttachmentPlan,
    CountyVisit,
    Notice,
    NoticeEvent,
    Recommendation,
    RecommendationOutcome,
    Talk,
    WorkAssignment,
)


class TalkSerializer(serializers.ModelSerializer):
    cadre = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.all(), allow_null=True, required=False,
                                               label=_("后备干部"))
    township = serializers.PrimaryKeyRelatedField(queryset=Township.objects.all(), allow_null=True, required=False,
                                                  label=_("乡（镇）"))

    class Meta:
        model = Talk
        fields = ["id", "kind", "cadre", "township", "village", "held_on", "interviewer", "record", "mood_swing"]
        read_only_fields = ["village"]
        extra_kwargs = {"mood_swing": {"required": False,
                                       "help_text": _("谈心谈话发现思想波动（须在规定天数内再次谈心谈话）")}}


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = ["id", "cadre", "year", "result", "assessed_on", "notes", "commended", "recommend_party",
                  "recommend_committee", "recommend_eight", "withdrawn", "correction_reason", "correction_document_no"]
        read_only_fields = ["withdrawn", "correction_reason", "correction_document_no"]
        validators = []  # the service answers "already assessed" in Chinese, field by field


class AssessmentChangeSerializer(AssessmentSerializer):
    """The corrected or withdrawn assessment, and whether the cadre was reinstated (and its village is now over
    quota)."""

    reinstated = serializers.BooleanField(read_only=True)
    over_quota = serializers.BooleanField(read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "reinstated", "over_quota"]


class AssessmentWithdrawSerializer(serializers.Serializer):
    """Issue 13: withdraw an assessment (county_org); the service names a missing reason or document number."""

    reason = serializers.CharField(required=False, allow_blank=True, help_text=_("更正或撤销的理由"))
    document_no = serializers.CharField(required=False, allow_blank=True, help_text=_("文号，如 清委组〔2026〕3号"))


class AssessmentCorrectSerializer(AssessmentWithdrawSerializer):
    """Issue 13: correct an assessment's result and notes (county_org), with a reason and a document number."""

    result = serializers.ChoiceField(choices=Assessment.Result.choices, required=False,
                                     help_text=_("更正后的评估结果；不填则不变"))
    notes = serializers.CharField(required=False, allow_blank=True, help_text=_("评估意见；不填则不变"))


class AttachmentSerializer(serializers.ModelSerializer):
    days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "cadre", "start_date", "end_date", "days", "department", "note"]


class _CorrectionSerializer(serializers.Serializer):
    """A correction (issue 13): the fields to change, and why (kept in the record's history)."""

    reason = serializers.CharField(max_length=CHANGE_REASON_MAX, label=_("修改原因"))


class TalkCorrectSerializer(_CorrectionSerializer):
    held_on = serializers.DateField(required=False, label=_("谈话日期"))
    interviewer = serializers.CharField(max_length=100, required=False, label=_("谈话人"))
    record = serializers.CharField(max_length=limits.RECORD, required=False, label=_("谈话记录"))


class AttachmentCorrectSerializer(_CorrectionSerializer):
    start_date = serializers.DateField(required=False, label=_("开始日期"))
    end_date = serializers.DateField(required=False, label=_("结束日期"))
    department = serializers.CharField(max_length=100, required=False, allow_blank=True, label=_("跟班科室/岗位"))
    note = serializers.CharField(max_length=limits.NOTE, required=False, allow_blank=True, label=_("表现情况"))


class NoticeEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = NoticeEvent
        fields = ["kind", "on", "text", "late", "by"]


class NoticeSerializer(serializers.ModelSerializer):
    county = serializers.PrimaryKeyRelatedField(queryset=County.objects.all(), label=_("县"))
    township = serializers.PrimaryKeyRelatedField(queryset=Township.objects.all(), allow_null=True, required=False)
    village = serializers.PrimaryKeyRelatedField(queryset=Village.objects.all(), allow_null=True, required=False)
    issued_on = serializers.DateField(required=False)

    class Meta:
        model = Notice
        fields = ["id", "county", "township", "village", "title", "body", "issued_on", "due_on", "status", "answer",
                  "answered_on", "closed_on", "close_note", "late", "sent_back", "returned_count",
                  "send_back_comment", "events"]
        read_only_fields = ["status", "answer", "answered_on", "closed_on", "close_note", "late", "sent_back",
                            "returned_count", "send_back_comment"]

    events = NoticeEventSerializer(many=True, read_only=True, help_text=_("反馈、退回、销号记录，按时间先后"))


class NoticeAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=limits.RECORD, label=_("整改情况反馈"))


class NoticeSendBackSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=limits.NOTE, label=_("退回意见"))


class NoticeCloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=limits.NOTE, label=_("销号意见"), required=False, allow_blank=True)


class LedgerRowSerializer(serializers.Serializer):
    """R-06: one cadre in the county information ledger."""

    cadre = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    township = serializers.CharField(source="village.township.name")
    village = serializers.CharField(source="village.name")
    post = serializers.CharField()
    status = serializers.CharField()
    contact_leader = serializers.SerializerMethodField()
    paired_cadre = serializers.SerializerMethodField()
    talks_year = serializers.IntegerField()
    last_talk_on = serializers.DateField(allow_null=True)
    training_year = serializers.IntegerField()
    attachment_days = serializers.IntegerField(source="year_days")
    assessment_year = serializers.IntegerField(allow_null=True)
    assessment_result = serializers.CharField(allow_null=True)
    open_cases = serializers.IntegerField()
    pay_total = serializers.SerializerMethodField()
    unpaid_lines = serializers.SerializerMethodField()

    def _pairing(self, obj):
        try:
            return obj.pairing
        except Exception:  # noqa: BLE001 - no pairing yet
            return None

    def get_contact_leader(self, obj) -> str | None:
        p = self._pairing(obj)
        return str(p.contact_leader) if p and p.contact_leader_id else None

    def get_paired_cadre(self, obj) -> str | None:
        p = self._pairing(obj)
        return (p.paired_display or None) if p else None

    def get_pay_total(self, obj) -> str | None:
        pay = self.context.get("pay")
        if pay is None:
            return None
        return f"{pay.get(obj.pk, {}).get('total', 0):.2f}"

    def get_unpaid_lines(self, obj) -> int | None:
        pay = self.context.get("pay")
        if pay is None:
            return None
        return pay.get(obj.pk, {}).get("unpaid", 0)


class CountyVisitSerializer(serializers.ModelSerializer):
    """R-59: a county 调研/督查 visit; ``findings`` one problem per item (each may become a 通报)."""

    township = serializers.PrimaryKeyRelatedField(queryset=Township.objects.all())
    village = serializers.PrimaryKeyRelatedField(queryset=Village.objects.all(), allow_null=True, required=False)
    findings = serializers.ListField(child=serializers.CharField(max_length=limits.NOTE), required=False,
                                     write_only=True, max_length=30)
    finding_list = serializers.SerializerMethodField(help_text=_("发现的问题及其转成的通报编号"))

    class Meta:
        model = CountyVisit
        fields = ["id", "county", "kind", "visited_on", "township", "village", "met", "summary", "findings",
                  "finding_list"]
        read_only_fields = ["county"]

    def get_finding_list(self, obj) -> list[dict]:
        return [{"id": f.pk, "text": f.text, "notice": f.notice_id} for f in obj.findings.all()]


class AttachmentPlanSerializer(serializers.ModelSerializer):
    """R-58: one planned 跟班学习 period (``days`` computed)."""

    cadre = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.all(), label=_("后备干部"))

    class Meta:
        model = AttachmentPlan
        fields = ["id", "cadre", "start_date", "end_date", "days", "department", "note"]
        read_only_fields = ["days"]


class WorkAssignmentSerializer(serializers.ModelSerializer):
    """R-57: a task given to a cadre; ``status`` (进行中/已完成/已逾期/已评价) is computed on today."""

    cadre = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.all(), label=_("后备干部"))
    status = serializers.SerializerMethodField(help_text=_("open 进行中 / done 已完成 / overdue 已逾期 / evaluated 已评价"))

    class Meta:
        model = WorkAssignment
        fields = ["id", "cadre", "kind", "tier", "title", "goal", "assigned_on", "due_on", "status", "completed_on",
                  "completion_note", "evaluation", "evaluation_note"]
        read_only_fields = ["tier", "completed_on", "completion_note", "evaluation", "evaluation_note"]

    @extend_schema_field(serializers.ChoiceField(choices=WorkAssignment.Status.choices))
    def get_status(self, obj) -> str:
        return getattr(obj, "status", None) or obj.status_on(today())


class WorkAssignmentCompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField(label=_("完成日期"))
    completion_note = serializers.CharField(label=_("完成情况"), max_length=limits.RECORD)


class WorkAssignmentEvaluateSerializer(serializers.Serializer):
    evaluation = serializers.ChoiceField(label=_("评价等次"), choices=WorkAssignment.Evaluation.choices)
    evaluation_note = serializers.CharField(label=_("评价意见"), max_length=limits.NOTE, required=False,
                                            allow_blank=True, default="")


#: the kinds of priority recommendation (named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]: other "kind"s exist)
RECOMMENDATION_KINDS = Recommendation.choices


class RecommendationQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(label=_("推荐类别"), choices=RECOMMENDATION_KINDS, required=False,
                                   default=Recommendation.PARTY)


class RecommendationSerializer(serializers.ModelSerializer):
    """R-61: one standing priority recommendation of the kind asked for; ``id`` is the assessment's, and
    ``outcome`` is null while the recommendation is 待落实."""

    kind = serializers.ChoiceField(label=_("推荐类别"), choices=RECOMMENDATION_KINDS, read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    township = serializers.IntegerField(source="cadre.village.township_id", read_only=True)
    village = serializers.IntegerField(source="cadre.village_id", read_only=True)
    outcome = serializers.ChoiceField(label=_("结果"), choices=RecommendationOutcome.Outcome.choices, allow_null=True,
                                      read_only=True, help_text=_("为空表示待落实"))
    decided_on = serializers.DateField(label=_("日期"), source="outcome_on", allow_null=True, read_only=True)
    note = serializers.CharField(label=_("说明"), source="outcome_note", allow_null=True, read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "kind", "cadre", "cadre_name", "township", "village", "year", "result", "assessed_on",
                  "outcome", "decided_on", "note"]
        read_only_fields = fields


class RecommendationOutcomeSerializer(serializers.Serializer):
    """R-61: what became of one recommendation; posting again corrects it (the history keeps the old one)."""

    kind = serializers.ChoiceField(label=_("推荐类别"), choices=RECOMMENDATION_KINDS)
    outcome = serializers.ChoiceField(label=_("结果"), choices=RecommendationOutcome.Outcome.choices)
    decided_on = serializers.DateField(label=_("日期"))
    note = serializers.CharField(label=_("说明"), max_length=limits.REASON, required=False, allow_blank=True,
                                 default="", help_text=RecommendationOutcome._meta.get_field("note").help_text)


class MoodFollowUpQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text=_("按哪一天判断是否逾期，默认今天"))
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text=_("true 只列已逾期，false 只列未逾期；省略则都列"))
    township = serializers.IntegerField(required=False, min_value=1, label=_("乡（镇）"))


class MoodFollowUpSerializer(serializers.Serializer):
    """R-60: a 谈心谈话 that found 思想波动, with no later 谈心谈话 of the cadre yet."""

    talk = serializers.IntegerField(source="pk", help_text=_("发现思想波动的那次谈心谈话的编号"))
    cadre = serializers.IntegerField(source="cadre_id")
    cadre_name = serializers.CharField(source="cadre.name")
    township = serializers.IntegerField(source="township_id")
    village = serializers.IntegerField(source="village_id", allow_null=True)
    held_on = serializers.DateField()
    interviewer = serializers.CharField()
    due_on = serializers.DateField(help_text=_("须在此日前再次谈心谈话"))
    overdue = serializers.BooleanField()
