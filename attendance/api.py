"""/api/v1/leave-requests/ (+ approve, reject, return, confirm-return, cancel), /api/v1/absences/,
/api/v1/attendance-days/ and /api/v1/official-trips/ (+ return, R-27) (API.md), and
/api/v1/attendance-settings/ (issue 12 item 7)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance import permissions, services
from attendance.models import AttendanceDay
from attendance.selectors import (
    AbsenceFilter,
    LeaveFilter,
    TripFilter,
    absence_list,
    attendance_list,
    leave_list,
    setting_for,
    trip_list,
)
from attendance.serializers import (
    AbsenceCorrectionSerializer,
    AbsenceSerializer,
    AttendanceDaySerializer,
    AttendanceMonthQuerySerializer,
    AttendanceSettingSerializer,
    BulkDecisionResponseSerializer,
    BulkDecisionSerializer,
    ConfirmReturnSerializer,
    DecisionSerializer,
    LeaveRequestSerializer,
    OfficialTripSerializer,
    ReasonSerializer,
    ReturnSerializer,
    TripReturnSerializer,
)
from cadres.models import Cadre
from cadres.selectors import cadre_list
from core.api import ServiceActions, router, validated_body
from core.dates import parse_month
from core.scope import get_scope
from core.selectors import county_list


def _in_scope(request, cadre):
    """The cadre named in a body, if in the caller's scope (400 otherwise, as an unknown cadre)."""
    visible = cadre_list(user=request.user).filter(pk=cadre.pk).select_related("village__township").first()
    if visible is None:
        raise ValidationError({"cadre": [_("后备干部不存在或不在您的管辖范围内。")]})
    return visible


class _CadreRowViewSet(ServiceActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Rows about cadres: listed and read in scope (the page's FilterSet), created by one service."""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.write(data.pop("cadre", None), data)


class LeaveRequestViewSet(_CadreRowViewSet):
    serializer_class = LeaveRequestSerializer
    filterset_class = LeaveFilter

    def get_queryset(self):
        return leave_list(user=self.request.user).order_by("-start_date", "-pk")

    def write(self, cadre, data):
        scope = get_scope(self.request.user)
        if cadre is None:
            if not scope.cadre_ids:
                raise ValidationError({"cadre": [_("请选择请假的后备干部。")]})
            cadre = Cadre.objects.get(pk=sorted(scope.cadre_ids)[0])
        if permissions.asks_only_for_self(scope) and not permissions.is_own(scope, cadre):
            raise PermissionDenied(_("您只能为本人请假。"))
        return services.leave_submit(cadre=_in_scope(self.request, cadre), by=self.request.user, **data)

    def _act(self, fn, serializer_class=None):
        """One action on the request: validate the body, call the service, answer with the request."""
        return self.service_action(serializer_class, fn, "leave")

    @extend_schema(request=DecisionSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(services.leave_approve, DecisionSerializer)

    @extend_schema(request=DecisionSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(services.leave_reject, DecisionSerializer)

    @extend_schema(request=BulkDecisionSerializer, responses=BulkDecisionResponseSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-decide", url_name="bulk-decide")
    def bulk_decide(self, request):
        """Issue 17: approve or reject several pending requests; each is checked and decided on its own (R-22),
        the answer lists each id with its outcome (an id outside the caller's scope: not found)."""
        results = services.leave_decide_many(by=request.user, **validated_body(BulkDecisionSerializer, request))
        decided = sum(1 for r in results if r["ok"])
        return Response({"decided": decided, "refused": len(results) - decided, "results": results})

    @extend_schema(request=ReturnSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._act(services.leave_return, ReturnSerializer)

    @extend_schema(request=ConfirmReturnSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-return", url_name="confirm-return")
    def confirm_return(self, request, pk=None):
        """R-23 (issue 12 item 1): the approving side confirms (or corrects, with a note) a reported return."""
        return self._act(services.leave_return_confirm, ConfirmReturnSerializer)

    @extend_schema(request=None, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(services.leave_cancel)

    @extend_schema(request=ReasonSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"], url_path="excuse-overstay", url_name="excuse-overstay")
    def excuse_overstay(self, request, pk=None):
        return self._act(services.leave_excuse_overstay, ReasonSerializer)


class AbsenceViewSet(_CadreRowViewSet):
    serializer_class = AbsenceSerializer
    filterset_class = AbsenceFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return absence_list(user=self.request.user).order_by("-start_date", "-pk")

    def write(self, cadre, data):
        return services.absence_create(cadre=_in_scope(self.request, cadre), by=self.request.user, **data)

    @extend_schema(request=AbsenceCorrectionSerializer, responses=AbsenceSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Issue 12 item 3: correct a range (dates, valid reason, note); the days are recomputed and the old
        values stay in the history. The cadre and the kind are not corrected: record a new range instead."""
        absence = self.get_object()
        fixed = sorted(set(request.data) - set(AbsenceCorrectionSerializer().fields))
        if fixed:
            raise ValidationError({name: [_("此项不能更正；登记错了请另行登记一段缺勤。")] for name in fixed})
        absence = services.absence_update(absence=absence, by=request.user,
                                          **validated_body(AbsenceCorrectionSerializer, request))
        return Response(AbsenceSerializer(absence).data)


class AttendanceDayView(GenericAPIView):
    """Issue 12 item 3: the day marks of R-24 over the API — a cadre's month, and one day set (idempotent
    on cadre and date) by whoever may mark the grid (the village secretary, the township party committee)."""

    serializer_class = AttendanceDaySerializer
    pagination_class = None
    queryset = AttendanceDay.objects.none()  # the schema's model; the rows come from attendance_list()

    @extend_schema(parameters=[AttendanceMonthQuerySerializer], responses=AttendanceDaySerializer(many=True))
    def get(self, request):
        query = AttendanceMonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            year, month = parse_month(query.validated_data["month"])
        except ValueError:
            raise ValidationError({"month": [_("月份格式为 YYYY-MM，例如 2026-03。")]}) from None
        cadre = get_object_or_404(cadre_list(user=request.user), pk=query.validated_data["cadre"])
        rows = attendance_list(user=request.user).filter(cadre=cadre, date__year=year, date__month=month)
        return Response(AttendanceDaySerializer(rows.order_by("date"), many=True).data)

    @extend_schema(request=AttendanceDaySerializer, responses={200: AttendanceDaySerializer})
    def put(self, request):
        ser = AttendanceDaySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        cadre = _in_scope(request, data.pop("cadre"))
        row = services.attendance_day_set(cadre=cadre, by=request.user, **data)
        if row is None:
            return Response({"cadre": cadre.pk, "date": data["date"].isoformat(), "status": None, "excused": False,
                             "note": ""})
        return Response(AttendanceDaySerializer(row).data)


class OfficialTripViewSet(_CadreRowViewSet):
    """R-27: official trips in the caller's scope (404 outside it); recorded by the village secretary or the
    township for a cadre of their village."""

    serializer_class = OfficialTripSerializer
    filterset_class = TripFilter

    def get_queryset(self):
        return trip_list(user=self.request.user).order_by("-start_date", "-pk")

    def write(self, cadre, data):
        return services.trip_record(cadre=_in_scope(self.request, cadre), by=self.request.user, **data)

    @extend_schema(request=TripReturnSerializer, responses=OfficialTripSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """R-27 as R-23: by the cadre a report of the return (the trip stays open); by the recording side
        (village secretary, township party committee or liaison) the confirmed return (``returned``)."""
        return self.service_action(TripReturnSerializer, services.trip_return, "trip")


router.register("leave-requests", LeaveRequestViewSet, basename="leave-request")
router.register("official-trips", OfficialTripViewSet, basename="official-trip")
router.register("absences", AbsenceViewSet, basename="absence")


@extend_schema(parameters=[OpenApiParameter("county", int, required=False,
                                            description=_("县（只管一个县时可省略）"))])
class AttendanceSettingView(APIView):
    """Issue 12 item 7: the county's attendance values, read and changed by its county_org (others 403)."""

    serializer_class = AttendanceSettingSerializer

    def _county(self, request):
        scope = get_scope(request.user)
        counties = [c for c in county_list(user=request.user).order_by("code") if permissions.can_edit_settings(scope, c)]
        if not counties:
            raise PermissionDenied(_("只有县委组织部可以查看和修改考勤设置。"))
        wanted = request.query_params.get("county")
        if wanted in (None, ""):
            return counties[0]
        county = next((c for c in counties if str(c.pk) == str(wanted).strip()), None)
        if county is None:
            raise NotFound(_("县不存在或不在您的管辖范围内。"))
        return county

    @extend_schema(responses=AttendanceSettingSerializer)
    def get(self, request):
        county = self._county(request)
        return Response(AttendanceSettingSerializer(setting_for(county)).data)

    @extend_schema(request=AttendanceSettingSerializer, responses=AttendanceSettingSerializer)
    def patch(self, request):
        county = self._county(request)
        ser = AttendanceSettingSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        setting = services.attendance_setting_update(county=county, by=request.user, **ser.validated_data)
        return Response(AttendanceSettingSerializer(setting).data)


extra_urlpatterns = [
    path("attendance-settings/", AttendanceSettingView.as_view(), name="attendance-settings"),
    path("attendance-days/", AttendanceDayView.as_view(), name="attendance-days"),
]
