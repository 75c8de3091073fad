"""/api/v1/leave-requests/ (+ approve, reject, return, cancel) and /api/v1/absences/ (API.md)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from attendance import services
from attendance.selectors import AbsenceFilter, LeaveFilter, absence_list, leave_list
from attendance.serializers import (
    AbsenceSerializer,
    DecisionSerializer,
    LeaveRequestSerializer,
    ReasonSerializer,
    ReturnSerializer,
)
from cadres.selectors import cadre_list
from core.api import router
from core.scope import get_scope


def _visible_cadre(request, cadre):
    """The cadre named in a body must be in the caller's scope; a cadre may only name themselves."""
    scope = get_scope(request.user)
    if scope.cadre_ids and not scope.village_roles and cadre.pk not in scope.cadre_ids:
        raise PermissionDenied(_("您只能为本人请假。"))
    visible = cadre_list(user=request.user).filter(pk=cadre.pk).select_related("village__township").first()
    if visible is None:
        raise ValidationError({"cadre": [_("后备干部不存在或不在您的管辖范围内。")]})
    return visible


class FilterMixin:
    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        flt = self.filterset_class(self.request.query_params, queryset=queryset, user=self.request.user)
        if not flt.is_valid():
            raise ValidationError(flt.errors)
        return flt.qs


class LeaveRequestViewSet(FilterMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    serializer_class = LeaveRequestSerializer
    filterset_class = LeaveFilter

    def get_queryset(self):
        return leave_list(user=self.request.user).order_by("-start_date", "-pk")

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        cadre = data.pop("cadre", None)
        scope = get_scope(request.user)
        if cadre is None:
            if not scope.cadre_ids:
                raise ValidationError({"cadre": [_("请选择请假的后备干部。")]})
            from cadres.models import Cadre

            cadre = Cadre.objects.get(pk=sorted(scope.cadre_ids)[0])
        cadre = _visible_cadre(request, cadre)
        leave = services.leave_submit(cadre=cadre, by=request.user, **data)
        return Response(self.get_serializer(leave).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        leave = self.get_object()
        ser = DecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        leave = services.leave_approve(leave=leave, by=request.user, comment=ser.validated_data["comment"])
        return Response(self.get_serializer(leave).data)

    @extend_schema(request=DecisionSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        leave = self.get_object()
        ser = DecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        leave = services.leave_reject(leave=leave, by=request.user, comment=ser.validated_data["comment"])
        return Response(self.get_serializer(leave).data)

    @extend_schema(request=ReturnSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        leave = self.get_object()
        ser = ReturnSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        leave = services.leave_return(leave=leave, by=request.user, returned_on=ser.validated_data["returned_on"])
        return Response(self.get_serializer(leave).data)

    @extend_schema(request=None, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        leave = services.leave_cancel(leave=self.get_object(), by=request.user)
        return Response(self.get_serializer(leave).data)

    @extend_schema(request=ReasonSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"], url_path="excuse-overstay", url_name="excuse-overstay")
    def excuse_overstay(self, request, pk=None):
        leave = self.get_object()
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        leave = services.leave_excuse_overstay(leave=leave, by=request.user, reason=ser.validated_data["reason"])
        return Response(self.get_serializer(leave).data)


class AbsenceViewSet(FilterMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    serializer_class = AbsenceSerializer
    filterset_class = AbsenceFilter

    def get_queryset(self):
        return absence_list(user=self.request.user).order_by("-start_date", "-pk")

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        cadre = cadre_list(user=request.user).select_related("village__township").filter(
            pk=data.pop("cadre").pk).first()
        if cadre is None:
            raise ValidationError({"cadre": [_("后备干部不存在或不在您的管辖范围内。")]})
        absence = services.absence_create(cadre=cadre, by=request.user, **data)
        return Response(self.get_serializer(absence).data, status=status.HTTP_201_CREATED)


router.register("leave-requests", LeaveRequestViewSet, basename="leave-request")
router.register("absences", AbsenceViewSet, basename="absence")
