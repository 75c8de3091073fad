"""API of API.md "Stipends": pay policies, performance bonuses, pay runs, lines, approval, export."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from cadres.selectors import cadre_list
from core.api import PersonalDataReadLog, router, validated_body
from core.dates import today as local_today
from core.dates import year_errors
from core.excel import XLSX, xlsx_response
from core.models import County
from core.scope import get_scope
from core.selectors import county_list, township_list
from payroll import exports, permissions, selectors, services
from payroll.disbursement import MissingAccounts, disbursement_file
from payroll.filters import (
    AdjustmentFilter,
    BonusFilter,
    PayeeAccountFilter,
    PayLineFilter,
    PayRunFilter,
    PremiumFilter,
)
from payroll.models import InsurancePremium, PayeeAccount, PayRun
from payroll.serializers import (
    InsurancePremiumSerializer,
    LinePaidSerializer,
    PayAdjustmentSerializer,
    PayeeAccountSerializer,
    PayLineSerializer,
    PayPolicySerializer,
    PayRunBuildSerializer,
    PayRunSerializer,
    PerformanceBonusSerializer,
    PremiumGenerateResultSerializer,
    PremiumGenerateSerializer,
)


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

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        county = _county_in_scope(self.request.user, data.pop("county").pk)
        serializer.instance = services.pay_policy_create(county=county, valid_from=data.pop("valid_from"),
                                                         by=self.request.user, **data)


class PerformanceBonusViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                              viewsets.GenericViewSet):
    """R-40: 业绩考核奖 per cadre and month. POST sets it (creates, or changes the month's amount: 200)."""

    serializer_class = PerformanceBonusSerializer
    filterset_class = BonusFilter

    def get_queryset(self):
        return selectors.bonus_list(user=self.request.user).order_by("-month", "cadre__village__code", "pk")

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        cadre = cadre_list(user=request.user).filter(pk=d["cadre"].pk).first()
        if cadre is None:
            raise ValidationError({"cadre": [_("后备干部不存在或不在您的管辖范围内。")]})
        bonus, created = services.bonus_set(cadre=cadre, month=d["month"], amount=d["amount"],
                                            note=d.get("note", ""), by=request.user)
        return Response(self.get_serializer(bonus).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PayRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R-41…R-43: one run per county and month; POST builds or rebuilds the draft (409 when approved)."""

    serializer_class = PayRunSerializer
    filterset_class = PayRunFilter

    def get_queryset(self):
        return selectors.pay_run_list(user=self.request.user).order_by("-month", "county__code")

    @extend_schema(request=PayRunBuildSerializer, responses={200: PayRunSerializer, 201: PayRunSerializer})
    def create(self, request, *args, **kwargs):
        d = validated_body(PayRunBuildSerializer, request)
        county = _county_in_scope(request.user, d["county"])
        existed = PayRun.objects.filter(county=county, month=d["month"]).exists()
        run = services.pay_run_build(county=county, month=d["month"], by=request.user)
        return Response(PayRunSerializer(run).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(responses=PayLineSerializer(many=True), filters=False,
                   parameters=[OpenApiParameter("township", int), OpenApiParameter("village", int),
                               OpenApiParameter("cadre", int), OpenApiParameter("kind", str),
                               OpenApiParameter("paid", str, enum=["paid", "unpaid"]), OpenApiParameter("q", str)])
    @action(detail=True)
    def lines(self, request, pk=None):
        run = self.get_object()
        flt = PayLineFilter(request.query_params, queryset=selectors.pay_line_list(user=request.user).filter(run=run),
                            user=request.user)
        if not flt.is_valid():
            raise ValidationError(flt.errors)
        qs = flt.qs.order_by("township__code", "village__code", "kind", "cadre__name", "pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PayLineSerializer(page, many=True).data)

    @extend_schema(request=None, responses=PayRunSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        run = self.get_object()
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
        run = self.get_object()
        kind = (request.query_params.get("format") or "xlsx").lower()
        if kind not in ("xlsx", "pdf"):
            raise ValidationError({"format": [_("format 只能是 xlsx 或 pdf。")]})
        scope = get_scope(request.user)
        if not permissions.is_staff(scope):
            raise PermissionDenied(_("发放表由县、乡、村工作人员导出；个人请下载自己的报酬发放单。"))
        lines = selectors.pay_line_list(user=request.user).filter(run=run)
        return exports.sheet_response(run, lines, scope=scope, kind=kind, request=request)

    @extend_schema(
        parameters=[OpenApiParameter("source", str, enum=["county", "township", "village"], required=True,
                                     description="经费来源"),
                    OpenApiParameter("township", int, description="乡（镇）id；仅县人才工作经费可不填（全部乡镇）")],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY),
                   400: OpenApiResponse(description="参数有误，或有人没有收款账户（missing 列出）")},
    )
    @action(detail=True, renderer_classes=[JSONRenderer, XlsxRenderer])
    def disbursement(self, request, pk=None, **kwargs):
        """R-45 银行代发文件: one row per payee of ``source`` (account in full), per township; only county_org and
        county_finance; refused (400, ``missing``) while someone to pay has no payee account. Audited."""
        run = self.get_object()
        township_id = request.query_params.get("township") or None
        township = None
        if township_id is not None:
            township = (township_list(user=request.user).filter(pk=int(township_id), county=run.county).first()
                        if township_id.isdigit() and len(township_id) < 19 else None)
            if township is None:
                raise ValidationError({"township": [_("乡（镇）不存在或不属于本次发放的县。")]})
        try:
            content, name = disbursement_file(run=run, source=request.query_params.get("source"),
                                              township=township, by=request.user, request=request._request)
        except MissingAccounts as exc:
            return Response({"detail": exc.message, "missing": [
                {"cadre": c.pk, "name": c.name, "village": c.village.name} for c in exc.cadres]},
                status=status.HTTP_400_BAD_REQUEST)
        return xlsx_response(content, name)


class PayeeAccountViewSet(PersonalDataReadLog, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """R-45: payee accounts of the cadres in scope (numbers masked except for county_org and county_finance).
    POST enters a cadre's account (county_org, county_finance, the cadre's township_party); PATCH changes it."""

    serializer_class = PayeeAccountSerializer
    filterset_class = PayeeAccountFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    personal_label = _("收款账户")
    personal_fields = ("account",)

    def shows_in_full(self, scope, obj) -> bool:
        return scope.sees_payee_accounts(obj.cadre.village.township.county_id)

    def personal_subject(self, obj) -> tuple[int, str]:
        return obj.cadre_id, obj.cadre.name

    def get_queryset(self):
        if not permissions.reads_payee_accounts(get_scope(self.request.user)):
            return PayeeAccount.objects.none()
        return selectors.payee_account_list(user=self.request.user).order_by(
            "cadre__village__township__code", "cadre__village__code", "cadre__name", "pk")

    def _save(self, cadre, data):
        data = {k: v for k, v in data.items() if k in services.PAYEE_FIELDS}
        return services.payee_account_set(cadre=cadre, by=self.request.user, **data)

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        cadre = cadre_list(user=request.user).filter(pk=ser.validated_data["cadre"].pk).first()
        if cadre is None:
            raise ValidationError({"cadre": [_("后备干部不存在或不在您的管辖范围内。")]})
        if PayeeAccount.objects.filter(cadre=cadre).exists():
            raise ValidationError({"cadre": [_("此人已有收款账户，请用 PATCH 修改。")]})
        account, _created = self._save(cadre, ser.validated_data)
        return Response(self.get_serializer(account).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        account = self.get_object()
        ser = self.get_serializer(account, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        account, _created = self._save(account.cadre, ser.validated_data)
        return Response(self.get_serializer(account).data)


class PayLineViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One line; POST ``paid`` records the date a funding source paid it (R-44)."""

    serializer_class = PayLineSerializer

    def get_queryset(self):
        return selectors.pay_line_list(user=self.request.user)

    @extend_schema(request=LinePaidSerializer, responses=PayLineSerializer)
    @action(detail=True, methods=["post"])
    def paid(self, request, pk=None):
        line = self.get_object()
        body = validated_body(LinePaidSerializer, request)
        dates = {key.removesuffix("_paid_on"): value for key, value in body.items()}
        with transaction.atomic():  # every date or none (a source the user may not record: 403, nothing saved)
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
    filterset_class = AdjustmentFilter

    def get_queryset(self):
        return selectors.adjustment_list(user=self.request.user).order_by("-month", "-pk")

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        cadre = cadre_list(user=self.request.user).filter(pk=d.pop("cadre").pk).select_related(
            "village__township__county").first()
        if cadre is None:
            raise ValidationError({"cadre": [_("后备干部不存在或不在您的管辖范围内。")]})
        serializer.instance = services.adjustment_create(cadre=cadre, corrects_month=d.pop("corrects_month"),
                                                         month=d.pop("month"), reason=d.pop("reason"),
                                                         by=self.request.user, **d)


class InsurancePremiumViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R-45: the yearly accident-insurance premiums (``?year=``, default this year; township, village, paid,
    q) of the counties whose list the caller keeps — county_org and county_finance; anyone else 403.
    ``generate`` lists the year's eligible cadres (idempotent: adds newcomers, never duplicates)."""

    serializer_class = InsurancePremiumSerializer
    filterset_class = PremiumFilter

    def _check(self):
        if not permissions.reads_premiums(get_scope(self.request.user)):
            raise PermissionDenied(_("只有县委组织部和县财政局可以查看意外保险。"))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return InsurancePremium.objects.none()
        self._check()
        qs = selectors.premium_list(user=self.request.user)
        if self.action == "list":
            year = self.request.query_params.get("year")
            if year not in (None, "") and year_errors(year):
                raise ValidationError(year_errors(year))
            qs = qs.filter(year=int(year) if year not in (None, "") else local_today().year)
        return qs.order_by("county__code", "cadre__village__township__code", "cadre__village__code",
                           "cadre__name", "pk")

    @extend_schema(parameters=[OpenApiParameter("year", int, description="年度，默认今年")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PremiumGenerateSerializer, responses=PremiumGenerateResultSerializer)
    @action(detail=False, methods=["post"])
    def generate(self, request):
        self._check()
        d = validated_body(PremiumGenerateSerializer, request)
        county = _county_in_scope(request.user, d["county"])
        result = services.premium_generate(county=county, year=d["year"], by=request.user)
        return Response({"county": county.pk, "year": d["year"], **result})


router.register("pay-policies", PayPolicyViewSet, basename="pay-policy")
router.register("pay-adjustments", PayAdjustmentViewSet, basename="pay-adjustment")
router.register("performance-bonuses", PerformanceBonusViewSet, basename="performance-bonus")
router.register("pay-runs", PayRunViewSet, basename="pay-run")
router.register("pay-lines", PayLineViewSet, basename="pay-line")
router.register("payee-accounts", PayeeAccountViewSet, basename="payee-account")
router.register("insurance-premiums", InsurancePremiumViewSet, basename="insurance-premium")
