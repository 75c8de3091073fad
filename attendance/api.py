"""/api/v1/leave-requests/ (+ approve, reject, return, confirm-return, cancel) and /api/v1/absences/ (API.md)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from attendance import permissions, services
from attendance.selectors import AbsenceFilter, LeaveFilter, absence_list, leave_list
from attendance.serializers import (
    AbsenceSerializer,
    ConfirmReturnSerializer,
    DecisionSerializer,
    LeaveRequestSerializer,
    ReasonSerializer,
    ReturnSerializer,
)
from cadres.models import Cadre
from cadres.selectors import cadre_list
from core.api import router
from core.scope import get_scope


def _in_scope(request, cadre):
    """The cadre named in a body, if in the caller's scope (400 otherwise, as an unknown cadre)."""
    visible = cadre_list(user=request.user).filter(pk=cadre.pk).select_related("village__township").first()
    if visible is None:
        raise ValidationError({"cadre": [_("后备干部不存在或不在您的管辖范围内。")]})
    return visible


class _CadreRowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Rows about cadres: listed and read in scope (the page's FilterSet), created by one service."""

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        row = self.write(data.pop("cadre", None), data)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


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
        leave = self.get_object()
        data = {}
        if serializer_class is not None:
            ser = serializer_class(data=self.request.data)
            ser.is_valid(raise_exception=True)
            data = ser.validated_data
        leave = fn(leave=leave, by=self.request.user, **data)
        return Response(self.get_serializer(leave).data)

    @extend_schema(request=DecisionSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(services.leave_approve, DecisionSerializer)

    @extend_schema(request=DecisionSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(services.leave_reject, DecisionSerializer)

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

    def get_queryset(self):
        return absence_list(user=self.request.user).order_by("-start_date", "-pk")

    def write(self, cadre, data):
        return services.absence_create(cadre=_in_scope(self.request, cadre), by=self.request.user, **data)


router.register("leave-requests", LeaveRequestViewSet, basename="leave-request")
router.register("absences", AbsenceViewSet, basename="absence")
