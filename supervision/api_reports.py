"""The supervision API's reports (API.md "Supervision"): /api/v1/reports/ledger/ (R-06, JSON or the Excel or PDF
file), /recommendations/ (R-61, with the outcome of each) and /mood-follow-ups/ (R-60). supervision/api.py
registers them."""

from django.db.models import CharField, Value
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404 as get_in_scope_or_404
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from core import dates
from core.api import Pagination, validated_body
from core.api_exports import ExportJobSerializer, accepted
from core.scope import get_scope
from supervision import permissions as perms
from supervision import selectors
from supervision.filters import RecommendationFilter
from supervision.models import Assessment
from supervision.serializers import (
    LedgerRowSerializer,
    MoodFollowUpQuerySerializer,
    MoodFollowUpSerializer,
    RecommendationOutcomeSerializer,
    RecommendationQuerySerializer,
    RecommendationSerializer,
)
from supervision.services import recommendations as rec_services
from supervision.views.ledger import ledger_export, ledger_export_start, ledger_params


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
            OpenApiParameter("async", OpenApiTypes.INT, enum=[1],
                             description="与 format=xlsx/pdf 同用：后台生成，答 202 和导出任务（/api/v1/export-jobs/）"),
            OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={200: LedgerRowSerializer(many=True), 202: ExportJobSerializer},
    )
    def list(self, request):
        params = ledger_params(request)
        # ?format= is read here (the project sets URL_FORMAT_OVERRIDE = None); an Accept header naming
        # the Excel or PDF type picks the same file through the renderers below.
        fmt = request.query_params.get("format") or getattr(getattr(request, "accepted_renderer", None), "format", "")
        if fmt in ("xlsx", "pdf") and request.query_params.get("async") == "1":
            return accepted(request, ledger_export_start(request, params, fmt))
        if fmt in ("xlsx", "pdf"):
            return ledger_export(request, params, fmt)
        rows = selectors.ledger_rows(user=request.user, **params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        pay = selectors.pay_summary(user=request.user, cadre_ids=[c.pk for c in page], year=params["year"])
        data = LedgerRowSerializer(page, many=True, context={"pay": pay}).data
        return paginator.get_paginated_response(data)


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
