"""/api/v1/cadres/ and /api/v1/discipline-cases/."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cadres import permissions, services
from cadres.models import Cadre
from cadres.selectors import CadreFilter, cadre_list, discipline_case_list
from cadres.serializers import (
    CadreDisqualifySerializer,
    CadreLeaveSerializer,
    CadreLinkUserSerializer,
    CadreReinstatedSerializer,
    CadreReinstateSerializer,
    CadreSerializer,
    DisciplineCaseSerializer,
    DisciplineDecideSerializer,
)
from core.api import PersonalDataReadLog, ServiceActions, router, validated_body
from core.scope import get_scope
from core.selectors import village_list

extra_urlpatterns: list = []


class CadreViewSet(PersonalDataReadLog, ServiceActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = CadreSerializer
    filterset_class = CadreFilter
    personal_label = _("后备干部")

    def get_queryset(self):
        return cadre_list(user=self.request.user).order_by("pk")

    def _writable_village(self, village):
        # the village must be visible, else 404-equivalent field error
        if not village_list(user=self.request.user).filter(pk=village.pk).exists():
            raise ValidationError({"village": [_("村不存在或不在您的管辖范围内。")]})
        permissions.deny_unless(permissions.can_manage_village(get_scope(self.request.user), village),
                                permissions.WRITE_DENIED)

    def _managed_cadre(self, message=None) -> Cadre:
        """The cadre of the URL (404 outside scope), 403 before the body is read unless the user manages it."""
        return self.allowed_object(permissions.can_manage_cadre, message)

    def _act(self, serializer_class, service, message=None):
        return self.service_action(serializer_class, service, "cadre", decision=permissions.can_manage_cadre,
                                   message=message)

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        self._writable_village(ser.validated_data["village"])
        data = dict(ser.validated_data)
        user_id = data.pop("user_id", None)
        with transaction.atomic():  # a refused account leaves no cadre behind
            cadre = services.cadre_create(by=request.user, **data)
            if user_id is not None:
                cadre = services.cadre_link_user(cadre=cadre, user=user_id, by=request.user)
        return Response(self.get_serializer(cadre).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        cadre = self._managed_cadre()
        ser = self.get_serializer(cadre, data=request.data, partial=kwargs.get("partial", False))
        ser.is_valid(raise_exception=True)
        if "village" in ser.validated_data:
            self._writable_village(ser.validated_data["village"])
        data = dict(ser.validated_data)
        data.pop("user_id", None)  # unchanged (validate_user); linking is link-user's job
        cadre = services.cadre_update(cadre=Cadre.objects.get(pk=cadre.pk), by=request.user, **data)
        return Response(self.get_serializer(cadre).data)

    @extend_schema(request=CadreLinkUserSerializer, responses=CadreSerializer)
    @action(detail=True, methods=["post"], url_path="link-user")
    def link_user(self, request, pk=None):
        """Link the cadre's own login (``{"user": id}``) or unlink it (``{"user": null}``)."""
        return self._act(CadreLinkUserSerializer, services.cadre_link_user, permissions.LINK_DENIED)

    @extend_schema(request=CadreDisqualifySerializer, responses=CadreSerializer)
    @action(detail=True, methods=["post"])
    def disqualify(self, request, pk=None):
        return self._act(CadreDisqualifySerializer, services.cadre_disqualify)

    @extend_schema(request=CadreReinstateSerializer, responses=CadreReinstatedSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        """Issue 13: county_org undoes a wrong disqualification (reason and document number): the ban is
        lifted, the cadre is active again, pay resumes with adjustment lines for the approved months missed."""
        cadre = self.allowed_object(permissions.can_reinstate_cadre, permissions.REINSTATE_DENIED)
        d = validated_body(CadreReinstateSerializer, request)
        result = services.cadre_reinstate(cadre=cadre, by=request.user, reason=d.get("reason", ""),
                                          document_no=d.get("document_no", ""))
        data = dict(self.get_serializer(result.cadre).data)
        data.update(over_quota=result.over_quota, active=result.active, quota=result.quota,
                    adjustments=result.adjustments)
        return Response(data)

    @extend_schema(request=CadreLeaveSerializer, responses=CadreSerializer)
    @action(detail=True, methods=["post"])
    def resign(self, request, pk=None):
        return self._act(CadreLeaveSerializer, services.cadre_resign)


class DisciplineCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            viewsets.GenericViewSet):
    serializer_class = DisciplineCaseSerializer
    filterset_fields = ["status", "category", "cadre"]

    def get_queryset(self):
        return discipline_case_list(user=self.request.user).order_by("-opened_on", "-pk")

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        cadre = get_object_or_404(cadre_list(user=request.user), pk=ser.validated_data["cadre"].pk)
        permissions.deny_unless(permissions.can_manage_cadre(get_scope(request.user), cadre), permissions.CASE_DENIED)
        case, _created = services.discipline_case_open(
            cadre=cadre, category=ser.validated_data["category"], opened_on=ser.validated_data["opened_on"],
            details=ser.validated_data["details"], by=request.user)
        return Response(self.get_serializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DisciplineDecideSerializer, responses=DisciplineCaseSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        case = self.get_object()
        permissions.deny_unless(permissions.can_manage_cadre(get_scope(request.user), case.cadre))
        d = validated_body(DisciplineDecideSerializer, request)
        case = services.discipline_case_decide(case=case, decision=d["decision"], note=d["note"],
                                               decided_on=d["decided_on"], by=request.user)
        return Response(self.get_serializer(case).data)


router.register("cadres", CadreViewSet, basename="cadre")
router.register("discipline-cases", DisciplineCaseViewSet, basename="discipline-case")
