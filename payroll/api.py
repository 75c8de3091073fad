"""API of API.md "Stipends": pay policies, performance bonuses, pay runs, lines, approval, export."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError as DjangoValidationError

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from cadres.selectors import cadre_list
from core.api import router
from core.excel import XLSX
from core.models import County
from core.roles import Role
from core.scope import get_scope
from payroll import exports, selectors, services
from payroll.models import FundingSource, PayRun
from payroll.serializers import (
    LinePaidSerializer,
    PayAdjustmentSerializer,
    PayLineSerializer,
    PayPolicySerializer,
    PayRunBuildSerializer,
    PayRunSerializer,
    PerformanceBonusSerializer,
)

BONUS_SETTERS = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file type in Accept; error bodies are still JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class XlsxRenderer(_FileRenderer):
    media_type = XLSX
    format = "xlsx"


class PdfRenderer(_FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


def _county_in_scope(user, county_id) -> County:
    from core.selectors import county_list

    county = county_list(user=user).filter(pk=county_id).first()
    if county is None:
        raise ValidationError({"county": [_("县不存在或不在您的管辖范围内。")]})
    return county


class PayPolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """R-40: effective-dated amounts per county. County roles (and townships/villages of the county) read;
    county_org creates."""

    serializer_class = PayPolicySerializer
    filterset_fields = ["county"]

    def get_queryset(self):
        return selectors.pay_policy_list(user=self.request.user).order_by("county__code", "-valid_from")

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        county = _county_in_scope(request.user, data.pop("county").pk)
        get_scope(request.user).require({Role.COUNTY_ORG}, county=county,
                                        message=_("只有县委组织部可以设置报酬标准。"))
        policy = services.pay_policy_create(county=county, valid_from=data.pop("valid_from"), by=request.user, **data)
        return Response(self.get_serializer(policy).data, status=status.HTTP_201_CREATED)


class PerformanceBonusViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                              viewsets.GenericViewSet):
    """R-40: 业绩考核奖 per cadre and month. POST sets it (creates, or changes the month's amount: 200)."""

    serializer_class = PerformanceBonusSerializer
    filterset_fields = ["cadre"]

    def get_queryset(self):
        qs = selectors.bonus_list(user=self.request.user).order_by("-month", "cadre__village__code", "pk")
        month = self.request.query_params.get("month")
        if month:
            from payroll.policies import month_from_text

            qs = qs.filter(month=month_from_text(month))
        return qs

    @extend_schema(parameters=[OpenApiParameter("month", str, description="YYYY-MM")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        cadre = cadre_list(user=request.user).filter(pk=d["cadre"].pk).first()
        if cadre is None:
            raise ValidationError({"cadre": [_("后备干部不存在或不在您的管辖范围内。")]})
        get_scope(request.user).require(BONUS_SETTERS, village=cadre.village,
                                        message=_("业绩考核奖由乡（镇）党委登记。"))
        bonus, created = services.bonus_set(cadre=cadre, month=d["month"], amount=d["amount"],
                                            note=d.get("note", ""), by=request.user)
        return Response(self.get_serializer(bonus).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PayRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R-41…R-43: one run per county and month; POST builds or rebuilds the draft (409 when approved)."""

    serializer_class = PayRunSerializer
    filterset_fields = ["county", "status"]

    def get_queryset(self):
        qs = selectors.pay_run_list(user=self.request.user).order_by("-month", "county__code")
        month = self.request.query_params.get("month")
        if month and self.action == "list":
            from payroll.policies import month_from_text

            qs = qs.filter(month=month_from_text(month))
        return qs

    @extend_schema(parameters=[OpenApiParameter("month", str, description="YYYY-MM")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PayRunBuildSerializer, responses={200: PayRunSerializer, 201: PayRunSerializer})
    def create(self, request, *args, **kwargs):
        ser = PayRunBuildSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        county = _county_in_scope(request.user, ser.validated_data["county"])
        get_scope(request.user).require({Role.COUNTY_ORG}, county=county,
                                        message=_("只有县委组织部可以生成报酬发放。"))
        existed = PayRun.objects.filter(county=county, month=ser.validated_data["month"]).exists()
        run = services.pay_run_build(county=county, month=ser.validated_data["month"], by=request.user)
        return Response(PayRunSerializer(run).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(responses=PayLineSerializer(many=True),
                   parameters=[OpenApiParameter("township", int), OpenApiParameter("village", int)])
    @action(detail=True)
    def lines(self, request, pk=None):
        run = self.get_object()
        qs = selectors.pay_line_list(user=request.user).filter(run=run).order_by(
            "township__code", "village__code", "kind", "cadre__name", "pk")
        for key in ("township", "village", "cadre"):
            value = request.query_params.get(key)
            if value:
                if not value.isdigit():
                    raise ValidationError({key: [_("请提供数字编号。")]})
                qs = qs.filter(**{f"{key}_id": int(value)})
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PayLineSerializer(page, many=True).data)

    @extend_schema(request=None, responses=PayRunSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        run = self.get_object()
        get_scope(request.user).require({Role.COUNTY_ORG}, county=run.county,
                                        message=_("只有县委组织部可以审定报酬发放。"))
        run = services.pay_run_approve(run=run, by=request.user)
        return Response(PayRunSerializer(run).data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["xlsx", "pdf"], description="xlsx（默认）或 pdf")],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY),
                   (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, renderer_classes=[JSONRenderer, XlsxRenderer, PdfRenderer])
    def export(self, request, pk=None, **kwargs):
        """R-43 工资发放表: one sheet per township (only the townships/villages in the caller's scope) with
        subtotals per funding source, signature block, and the summary. ``?format=xlsx`` or ``pdf``."""
        from core.excel import xlsx_response
        from core.pdf import pdf_response

        run = self.get_object()
        kind = (request.query_params.get("format") or "xlsx").lower()
        if kind not in ("xlsx", "pdf"):
            raise ValidationError({"format": [_("format 只能是 xlsx 或 pdf。")]})
        scope = get_scope(request.user)
        if not scope.is_superuser and scope.roles <= {Role.CADRE}:
            raise PermissionDenied(_("发放表由县、乡、村工作人员导出；个人请下载自己的报酬发放单。"))
        lines = selectors.pay_line_list(user=request.user).filter(run=run)
        full = scope.sees_personal_data(run.county_id)
        name = f"{run.county.name}{run.month:%Y年%m月}报酬发放表"
        if kind == "pdf":
            return pdf_response(exports.pay_sheet_pdf(run, lines, full_personal_data=full), f"{name}.pdf")
        return xlsx_response(exports.pay_sheet_workbook(run, lines, full_personal_data=full), f"{name}.xlsx")


class PayLineViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One line; POST ``paid`` records the date a funding source paid it (R-44)."""

    serializer_class = PayLineSerializer

    def get_queryset(self):
        return selectors.pay_line_list(user=self.request.user)

    @extend_schema(request=LinePaidSerializer, responses=PayLineSerializer)
    @action(detail=True, methods=["post"])
    def paid(self, request, pk=None):
        line = self.get_object()
        ser = LinePaidSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        scope = get_scope(request.user)
        dates = {key.removesuffix("_paid_on"): value for key, value in ser.validated_data.items()}
        for source in dates:
            if not scope.can(services.PAID_RECORDERS[source], village=line.village):
                raise PermissionDenied(_("您无权登记“%(s)s”的发放日期。") % {"s": FundingSource(source).label})
        from django.db import transaction

        with transaction.atomic():
            for source, paid_on in dates.items():
                try:
                    line = services.line_mark_paid(line=line, source=source, paid_on=paid_on, by=request.user)
                except DjangoValidationError as exc:
                    raise ValidationError({f"{source}_paid_on": exc.messages}) from exc
        return Response(PayLineSerializer(line).data)


class PayAdjustmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           viewsets.GenericViewSet):
    """R-42: corrections after approval, entered by county_org into a later, not yet approved month."""

    serializer_class = PayAdjustmentSerializer
    filterset_fields = ["cadre"]

    def get_queryset(self):
        return selectors.adjustment_list(user=self.request.user).order_by("-month", "-pk")

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        cadre = cadre_list(user=request.user).filter(pk=d.pop("cadre").pk).select_related(
            "village__township__county").first()
        if cadre is None:
            raise ValidationError({"cadre": [_("后备干部不存在或不在您的管辖范围内。")]})
        get_scope(request.user).require({Role.COUNTY_ORG}, village=cadre.village,
                                        message=_("只有县委组织部可以登记报酬更正。"))
        adjustment = services.adjustment_create(cadre=cadre, corrects_month=d.pop("corrects_month"),
                                                month=d.pop("month"), reason=d.pop("reason"), by=request.user, **d)
        return Response(self.get_serializer(adjustment).data, status=status.HTTP_201_CREATED)


router.register("pay-policies", PayPolicyViewSet, basename="pay-policy")
router.register("pay-adjustments", PayAdjustmentViewSet, basename="pay-adjustment")
router.register("performance-bonuses", PerformanceBonusViewSet, basename="performance-bonus")
router.register("pay-runs", PayRunViewSet, basename="pay-run")
router.register("pay-lines", PayLineViewSet, basename="pay-line")
