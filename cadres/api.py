"""/api/v1/cadres/ and /api/v1/discipline-cases/."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadres import services
from cadres.models import Cadre
from cadres.selectors import CADRE_MANAGERS, CadreFilter, cadre_list, discipline_case_list
from cadres.serializers import (
    CadreDisqualifySerializer,
    CadreLeaveSerializer,
    CadreLinkUserSerializer,
    CadreSerializer,
    DisciplineCaseSerializer,
    DisciplineDecideSerializer,
)
from core.api import router
from core.roles import Role
from core.scope import get_scope
from core.selectors import village_list

extra_urlpatterns: list = []


class CadreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = CadreSerializer
    filterset_class = CadreFilter

    def get_queryset(self):
        return cadre_list(user=self.request.user).order_by("pk")

    def get_serializer_context(self):
        return super().get_serializer_context()

    def _writable_village(self, village):
        scope = get_scope(self.request.user)
        # the village must be visible, else 404-equivalent field error
        if not village_list(user=self.request.user).filter(pk=village.pk).exists():
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"village": [_("村不存在或不在您的管辖范围内。")]})
        scope.require(CADRE_MANAGERS, village=village,
                      message=_("只有县委组织部或本乡（镇）党委可以登记、修改后备干部。"))

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
        cadre = self.get_object()
        get_scope(request.user).require(CADRE_MANAGERS, village=cadre.village)
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
        cadre = self.get_object()
        get_scope(request.user).require(CADRE_MANAGERS, village=cadre.village,
                                        message=_("只有县委组织部或本乡（镇）党委可以关联后备干部的登录账号。"))
        ser = CadreLinkUserSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        cadre = services.cadre_link_user(cadre=cadre, user=ser.validated_data["user"], by=request.user)
        return Response(self.get_serializer(cadre).data)

    @extend_schema(request=CadreDisqualifySerializer, responses=CadreSerializer)
    @action(detail=True, methods=["post"])
    def disqualify(self, request, pk=None):
        cadre = self.get_object()
        get_scope(request.user).require(CADRE_MANAGERS, village=cadre.village)
        ser = CadreDisqualifySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        cadre = services.cadre_disqualify(cadre=cadre, by=request.user, **ser.validated_data)
        return Response(self.get_serializer(cadre).data)

    @extend_schema(request=CadreLeaveSerializer, responses=CadreSerializer)
    @action(detail=True, methods=["post"])
    def resign(self, request, pk=None):
        cadre = self.get_object()
        get_scope(request.user).require(CADRE_MANAGERS, village=cadre.village)
        ser = CadreLeaveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        cadre = services.cadre_resign(cadre=cadre, by=request.user, **ser.validated_data)
        return Response(self.get_serializer(cadre).data)


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
        scope = get_scope(request.user)
        if not scope.can(CADRE_MANAGERS, village=cadre.village):
            raise PermissionDenied(_("只有县委组织部或本乡（镇）党委可以立案。"))
        case, _created = services.discipline_case_open(
            cadre=cadre, category=ser.validated_data["category"], opened_on=ser.validated_data["opened_on"],
            details=ser.validated_data["details"], by=request.user)
        return Response(self.get_serializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DisciplineDecideSerializer, responses=DisciplineCaseSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        case = self.get_object()
        get_scope(request.user).require((Role.COUNTY_ORG, Role.TOWNSHIP_PARTY), village=case.cadre.village)
        ser = DisciplineDecideSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        case = services.discipline_case_decide(case=case, decision=d["decision"], note=d["note"],
                                               decided_on=d["decided_on"], by=request.user)
        return Response(self.get_serializer(case).data)


router.register("cadres", CadreViewSet, basename="cadre")
router.register("discipline-cases", DisciplineCaseViewSet, basename="discipline-case")
