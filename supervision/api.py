"""/api/v1/talks/, /assessments/, /attachments/, /notices/, /recommendations/, /mood-follow-ups/ and
/reports/ledger/ (API.md "Supervision").

Outside the caller's scope: 404. In scope but the role may not record it: 403. Talks and 跟班学习 periods
are corrected with ``PATCH`` and a required ``reason`` (issue 13); a notice's answer is sent back for rework
with ``POST /notices/{id}/send-back/``.
"""

from django.db.models import CharField, Value
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404 as get_in_scope_or_404
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from cadres.selectors import cadre_list
from core import dates
from core.api import Pagination, ServiceActions, router, validated_body
from core.scope import get_scope
from core.selectors import county_list, township_list
from supervision import permissions as perms
from supervision import selectors, services
from supervision.filters import (
    AssessmentFilter,
    AssignmentFilter,
    AttachmentFilter,
    NoticeFilter,
    RecommendationFilter,
    TalkFilter,
    VisitFilter,
)
from supervision.models import Assessment, AttachmentPlan, Talk
from supervision.serializers import (
    AssessmentChangeSerializer,
    AssessmentCorrectSerializer,
    AssessmentSerializer,
    AssessmentWithdrawSerializer,
    AttachmentCorrectSerializer,
    AttachmentPlanSerializer,
    AttachmentSerializer,
    CountyVisitSerializer,
    LedgerRowSerializer,
    MoodFollowUpQuerySerializer,
    MoodFollowUpSerializer,
    NoticeAnswerSerializer,
    NoticeCloseSerializer,
    NoticeSendBackSerializer,
    NoticeSerializer,
    RecommendationOutcomeSerializer,
    RecommendationQuerySerializer,
    RecommendationSerializer,
    TalkCorrectSerializer,
    TalkSerializer,
    WorkAssignmentCompleteSerializer,
    WorkAssignmentEvaluateSerializer,
    WorkAssignmentSerializer,
)
from supervision.services import assignments as assignment_services
from supervision.services import plans as plan_services
from supervision.services import recommendations as rec_services
from supervision.services import visits as visit_services
from supervision.views.ledger import ledger_export, ledger_params


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


class XlsxRenderer(BaseRenderer):
    """Lets content negotiation accept the Excel type (and ``?format=xlsx`` should URL_FORMAT_OVERRIDE be
    switched on); the view returns the file itself."""

    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class PdfRenderer(XlsxRenderer):
    media_type = "application/pdf"
    format = "pdf"


class LedgerViewSet(viewsets.ViewSet):
    """R-06: the county information ledger — JSON (paginated), ``?format=xlsx`` or ``?format=pdf``."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, XlsxRenderer, PdfRenderer]
    serializer_class = LedgerRowSerializer
    pagination_class = Pagination  # also tells the schema that the JSON answer is paginated

    @extend_schema(
        parameters=[
            OpenApiParameter("township", OpenApiTypes.INT, description="乡（镇）id"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=["active", "disqualified", "resigned", "promoted"]),
            OpenApiParameter("year", OpenApiTypes.INT, description="统计年度，默认今年"),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx", "pdf"],
                             description="xlsx：Excel 台账；pdf：PDF 台账；省略：JSON"),
            OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={200: LedgerRowSerializer(many=True)},
    )
    def list(self, request):
        params = ledger_params(request)
        # ?format= is read here (the project sets URL_FORMAT_OVERRIDE = None); an Accept header naming
        # the Excel or PDF type picks the same file through the renderers below.
        fmt = request.query_params.get("format") or getattr(getattr(request, "accepted_renderer", None), "format", "")
        if fmt in ("xlsx", "pdf"):
            return ledger_export(request, params, fmt)
        rows = selectors.ledger_rows(user=request.user, **params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        pay = selectors.pay_summary(user=request.user, cadre_ids=[c.pk for c in page], year=params["year"])
        data = LedgerRowSerializer(page, many=True, context={"pay": pay}).data
        return paginator.get_paginated_response(data)


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


class RecommendationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R-61: the standing priority recommendations of one ``kind`` (default party), each with its outcome —
    the list of the page, with its filters. ``id`` is the assessment's. County, township and village staff
    read (a cadre's own account 403); ``outcome`` records or corrects what became of one recommendation
    (the cadre's township party committee or county_org; 403 otherwise). Outside the scope: 404."""

    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Assessment.objects.none()
        perms.require(perms.can_view_ledger(get_scope(self.request.user)),
                      _("优先推荐情况供县、乡（镇）、村工作人员查看。"))
        query = RecommendationQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return self._rows(query.validated_data["kind"])

    def _rows(self, kind):
        return selectors.recommendation_rows(user=self.request.user, kind=kind).annotate(
            kind=Value(kind, output_field=CharField())).order_by(
            "-year", "cadre__village__township__code", "cadre__village__code", "cadre__name", "pk")

    @extend_schema(parameters=[RecommendationQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[RecommendationQuerySerializer])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=RecommendationOutcomeSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        """Record what became of the assessment's recommendation of ``kind`` — accepted (the date, and how) or
        not accepted (the date and, required, why); posting again corrects it, the history keeps the old one."""
        assessment = get_in_scope_or_404(selectors.assessment_list(user=request.user), pk=pk)
        perms.require(perms.can_record_recommendation(get_scope(request.user), assessment.cadre),
                      _("推荐结果由本乡（镇）党委或县委组织部登记。"))
        d = validated_body(RecommendationOutcomeSerializer, request)
        rec_services.recommendation_outcome_set(assessment=assessment, by=request.user, **d)
        row = self._rows(d["kind"]).get(pk=assessment.pk)
        return Response(self.get_serializer(row).data)


class MoodFollowUpViewSet(viewsets.GenericViewSet):
    """R-60: the 谈心谈话 that found 思想波动 and still wait for another 谈心谈话 — the list of the talk reminders
    page, each with ``due_on`` and ``overdue`` on ``as_of`` (default today); ``overdue`` and ``township``
    narrow it as the page does. Read only; the follow-up itself is a talk (``POST /api/v1/talks/``)."""

    serializer_class = MoodFollowUpSerializer
    pagination_class = Pagination
    filter_backends = []  # the list is the selector's, narrowed by the query below

    @extend_schema(parameters=[MoodFollowUpQuerySerializer], responses=MoodFollowUpSerializer(many=True))
    def list(self, request):
        query = MoodFollowUpQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        d = query.validated_data
        day = d.get("as_of") or dates.today()
        dates.check(dates.deadline_errors(day, field="as_of"))  # issue 16: no year 9999 in the check
        rows = [t for t in selectors.mood_follow_ups(user=request.user, as_of=day)
                if (d["overdue"] is None or t.overdue == d["overdue"])
                and (not d.get("township") or t.township_id == d["township"])]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


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
