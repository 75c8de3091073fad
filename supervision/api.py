"""/api/v1/talks/, /assessments/, /attachments/, /notices/, /recommendations/, /mood-follow-ups/ and
/reports/ledger/ (API.md "Supervision").

Outside the caller's scope: 404. In scope but the role may not record it: 403. Talks and 跟班学习 periods
are corrected with ``PATCH`` and a required ``reason`` (issue 13); a notice's answer is sent back for rework
with ``POST /notices/{id}/send-back/``. The read-only reports (ledger, recommendations, mood follow-ups) are
in supervision/api_reports.py and registered here, in the order of the API root.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cadres.selectors import cadre_list
from core.api import ServiceActions, router, validated_body
from core.selectors import county_list, township_list
from supervision import permissions as perms
from supervision import selectors, services
from supervision.api_reports import LedgerViewSet, MoodFollowUpViewSet, RecommendationViewSet
from supervision.filters import (
    AssessmentFilter,
    AssignmentFilter,
    AttachmentFilter,
    NoticeFilter,
    TalkFilter,
    VisitFilter,
)
from supervision.models import AttachmentPlan, Talk
from supervision.serializers import (
    AssessmentChangeSerializer,
    AssessmentCorrectSerializer,
    AssessmentSerializer,
    AssessmentWithdrawSerializer,
    AttachmentCorrectSerializer,
    AttachmentPlanSerializer,
    AttachmentSerializer,
    CountyVisitSerializer,
    NoticeAnswerSerializer,
    NoticeCloseSerializer,
    NoticeSendBackSerializer,
    NoticeSerializer,
    TalkCorrectSerializer,
    TalkSerializer,
    WorkAssignmentCompleteSerializer,
    WorkAssignmentEvaluateSerializer,
    WorkAssignmentSerializer,
)
from supervision.services import assignments as assignment_services
from supervision.services import plans as plan_services
from supervision.services import visits as visit_services


class _CreateListViewSet(ServiceActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         viewsets.GenericViewSet):
    """The services check the permission (403); here a cadre the caller cannot see is 404."""

    def _cadre_in_scope(self, cadre):
        """404 for a cadre the caller cannot see (its existence is not leaked)."""
        return get_object_or_404(cadre_list(user=self.request.user).select_related("village__township"), pk=cadre.pk)

    def _record(self, service, request):
        """Create a record of a cadre: validate, 404 outside the scope, the service checks and writes."""
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        row = service(cadre=self._cadre_in_scope(d.pop("cadre")), by=request.user, **d)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


class TalkViewSet(_CreateListViewSet):
    """R-53: township_party records individual and collective talks; the village secretary heart-to-heart."""

    serializer_class = TalkSerializer
    filterset_class = TalkFilter

    def get_queryset(self):
        return selectors.talk_list(user=self.request.user).order_by("-held_on", "-pk")

    def perform_create(self, serializer):
        d = serializer.validated_data
        kind, cadre, township = d["kind"], d.get("cadre"), d.get("township")
        if kind == Talk.Kind.COLLECTIVE:
            if township is None:
                raise ValidationError({"township": [_("集体谈话请选择乡（镇）。")]})
            township = get_object_or_404(township_list(user=self.request.user), pk=township.pk)
        else:
            if cadre is None:
                raise ValidationError({"cadre": [_("请选择谈话的后备干部。")]})
            cadre = self._cadre_in_scope(cadre)
        serializer.instance = services.talk_record(kind=kind, cadre=cadre, township=township, held_on=d["held_on"],
                                                   interviewer=d["interviewer"], record=d["record"],
                                                   mood_swing=d.get("mood_swing", False), by=self.request.user)

    @extend_schema(request=TalkCorrectSerializer, responses=TalkSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Correct a talk's date, interviewer or record; ``reason`` is required and kept in its history."""
        return self.service_action(TalkCorrectSerializer, services.talk_correct, "talk", decision=perms.can_correct_talk,
                                   message=_("只有登记该类谈话的单位可以修改谈话记录。"))


class AssessmentViewSet(_CreateListViewSet):
    """R-55: township_party records the year-end assessment; 不称职 disqualifies (R-31)."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter

    def get_queryset(self):
        return selectors.assessment_list(user=self.request.user).order_by("-year", "-pk")

    def create(self, request, *args, **kwargs):
        return self._record(services.assessment_record, request)

    def _correctable(self):
        """The assessment of the URL (404 outside scope), 403 before the body unless county_org of its county."""
        return self.allowed_object(perms.can_correct_assessment, services.CORRECT_DENIED)

    def _answer(self, change):
        data = dict(self.get_serializer(change.assessment).data)
        r = change.reinstatement
        data["reinstated"] = r is not None
        data["over_quota"] = bool(r and r.over_quota)
        return Response(data)

    @extend_schema(request=AssessmentCorrectSerializer, responses=AssessmentChangeSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Issue 13: county_org corrects the result or notes, with ``reason`` and ``document_no``; a 不称职 that
        disqualified the cadre, corrected to 称职/优秀, reinstates the cadre."""
        row = self._correctable()
        d = validated_body(AssessmentCorrectSerializer, request)
        return self._answer(services.assessment_correct(
            assessment=row, result=d.get("result", row.result), notes=d.get("notes"), reason=d.get("reason", ""),
            document_no=d.get("document_no", ""), by=request.user))

    @extend_schema(request=AssessmentWithdrawSerializer, responses=AssessmentChangeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Issue 13: county_org withdraws the assessment (kept, marked withdrawn); a withdrawn 不称职 that
        disqualified the cadre reinstates the cadre."""
        row = self._correctable()
        d = validated_body(AssessmentWithdrawSerializer, request)
        return self._answer(services.assessment_withdraw(
            assessment=row, reason=d.get("reason", ""), document_no=d.get("document_no", ""), by=request.user))


class AttachmentViewSet(_CreateListViewSet):
    """R-52: township_party records 跟班学习 periods; ``days`` is computed."""

    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter

    def get_queryset(self):
        return selectors.attachment_list(user=self.request.user).order_by("-start_date", "-pk")

    def create(self, request, *args, **kwargs):
        return self._record(services.attachment_record, request)

    @extend_schema(request=AttachmentCorrectSerializer, responses=AttachmentSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Correct a 跟班学习 period (``days`` counted again); ``reason`` is required and kept in its history."""
        return self.service_action(AttachmentCorrectSerializer, services.attachment_correct, "attachment",
                                   decision=perms.can_correct_record, message=_("跟班学习由本乡（镇）党委登记和修改。"))


class NoticeViewSet(_CreateListViewSet):
    """R-56: county_org issues and closes; the township (party committee) or village (secretary) answers."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter

    def get_queryset(self):
        return selectors.notice_list(user=self.request.user).prefetch_related("events__by").order_by(
            "-issued_on", "-pk")

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        county = get_object_or_404(county_list(user=self.request.user), pk=d.pop("county").pk)
        serializer.instance = services.notice_issue(county=county, by=self.request.user, **d)

    @extend_schema(request=NoticeAnswerSerializer, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self.service_action(NoticeAnswerSerializer, services.notice_answer, "notice")

    @extend_schema(request=NoticeSendBackSerializer, responses=NoticeSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """The county sends the answer back for rework: ``status`` is "open" again, with ``sent_back`` and
        ``send_back_comment``; the answering side is notified."""
        return self.service_action(NoticeSendBackSerializer, services.notice_send_back, "notice",
                                   decision=perms.can_send_back_notice, message=_("只有县委组织部可以退回整改反馈。"))

    @extend_schema(request=NoticeCloseSerializer, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.service_action(NoticeCloseSerializer, services.notice_close, "notice")


class AttachmentPlanViewSet(_CreateListViewSet):
    """R-58: planned 跟班学习 periods of the cadres in scope (the township party committee plans)."""

    serializer_class = AttachmentPlanSerializer
    filterset_fields = ["cadre"]

    def get_queryset(self):
        return AttachmentPlan.objects.filter(cadre__in=cadre_list(user=self.request.user)).order_by("start_date", "pk")

    def create(self, request, *args, **kwargs):
        return self._record(plan_services.plan_add, request)


class CountyVisitViewSet(_CreateListViewSet):
    """R-59: the county's 调研 and 督查 visits (county_org records; county roles and the visited township read)."""

    serializer_class = CountyVisitSerializer
    filterset_class = VisitFilter

    def get_queryset(self):
        return selectors.visit_list(user=self.request.user).prefetch_related("findings").order_by("-visited_on", "-pk")

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        township = d.pop("township")
        if not township_list(user=self.request.user).filter(pk=township.pk).exists():
            raise ValidationError({"township": [_("乡（镇）不存在或不在您的管辖范围内。")]})
        findings = [f.strip() for f in d.pop("findings", []) if f.strip()]
        serializer.instance = visit_services.visit_record(county=township.county, township=township,
                                                          by=self.request.user, findings=findings, **d)


class WorkAssignmentViewSet(_CreateListViewSet):
    """R-57: tasks of the cadres in scope. The township (party committee, liaison) or the village secretary
    assigns; the cadre reports completion (``complete``); the assigning tier evaluates (``evaluate``)."""

    serializer_class = WorkAssignmentSerializer
    filterset_class = AssignmentFilter

    def get_queryset(self):
        return selectors.assignment_list(user=self.request.user).order_by("-assigned_on", "-pk")

    def create(self, request, *args, **kwargs):
        return self._record(assignment_services.assignment_create, request)

    @extend_schema(request=WorkAssignmentCompleteSerializer, responses=WorkAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The cadre (or the assigning tier for them) reports the task done: date and what was done."""
        return self.service_action(WorkAssignmentCompleteSerializer, assignment_services.assignment_complete,
                                   "assignment", decision=perms.can_complete_assignment,
                                   message=assignment_services.COMPLETE_DENIED, reread=True)

    @extend_schema(request=WorkAssignmentEvaluateSerializer, responses=WorkAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        """The assigning tier evaluates a completed task (excellent/good/fair/poor and a comment)."""
        return self.service_action(WorkAssignmentEvaluateSerializer, assignment_services.assignment_evaluate,
                                   "assignment", decision=perms.can_manage_assignment,
                                   message=assignment_services.MANAGE_DENIED, reread=True)


router.register("talks", TalkViewSet, basename="talk")
router.register("mood-follow-ups", MoodFollowUpViewSet, basename="mood-follow-up")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("work-assignments", WorkAssignmentViewSet, basename="work-assignment")
router.register("county-visits", CountyVisitViewSet, basename="county-visit")
router.register("attachment-plans", AttachmentPlanViewSet, basename="attachment-plan")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("notices", NoticeViewSet, basename="notice")
router.register("reports/ledger", LedgerViewSet, basename="report-ledger")
