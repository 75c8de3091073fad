"""/api/v1/ for auth, org units, users and role assignments (API.md "Org and users")."""

from collections.abc import Callable
from typing import NamedTuple

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core import messaging, selectors, services, tokens
from core.api import router
from core.audit import record_event
from core.filters import is_id
from core.lockout import throttled_api_response, wait_seconds
from core.models import County, MessagePreference, Township, Village
from core.serializers import (
    CountySerializer,
    MessagePreferenceSerializer,
    PasswordChangeSerializer,
    RoleAssignmentSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    TownshipSerializer,
    UserCreateSerializer,
    UserSerializer,
    VacancySerializer,
    VillageSerializer,
)
from core.signin import refusal


class TokenView(APIView):
    """POST: a token for username + password (valid API_TOKEN_HOURS, core/tokens.py); DELETE: revoke the
    caller's tokens (204)."""

    def get_authenticators(self):
        if getattr(self.request, "method", None) == "POST":
            return []  # a stale token in the header must not stop the client from getting a new one
        return super().get_authenticators()

    def get_permissions(self):
        if getattr(self.request, "method", None) == "POST":
            return [permissions.AllowAny()]
        return super().get_permissions()

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        ser = TokenRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        wait = wait_seconds(request._request, ser.validated_data["username"])
        if wait:
            return throttled_api_response(wait)
        user = authenticate(request._request, username=ser.validated_data["username"],
                            password=ser.validated_data["password"])
        if user is None:
            raise ValidationError({"detail": _("用户名或密码不正确。")})
        reason = refusal(user)
        if reason:
            raise PermissionDenied(reason)
        return Response({"token": tokens.issue(user).key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        tokens.revoke_all(request.user)
        record_event(request._request, "token_revoke", "success", user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=PasswordChangeSerializer, responses={200: None})
@api_view(["POST"])
def password(request):
    ser = PasswordChangeSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    if not request.user.check_password(ser.validated_data["old_password"]):
        raise ValidationError({"old_password": [_("原密码不正确。")]})
    services.user_set_password(user=request.user, password=ser.validated_data["new_password"], by=request.user)
    body = {"detail": _("密码已修改。")}
    if isinstance(request.auth, Token):  # the old token ended with the password: hand out its successor
        body["token"] = tokens.issue(request.user).key
    return Response(body)


class MessagePreferenceView(APIView):
    """GET/PUT the caller's own 消息提醒 (issue 14 item 1), as on the page: e-mail address, the kind groups
    e-mailed (``leave``, ``attendance``, ``supervision``, ``notice``, ``payroll``, ``cadres``, ``other``) and the
    daily digest. No preference saved yet: every group, no digest."""

    def _body(self, user):
        pref = MessagePreference.objects.filter(user=user).first()
        return {"email": user.email, "email_kinds": [k for k in messaging.GROUP_KEYS if k in messaging.email_groups(pref)],
                "digest": bool(pref and pref.digest)}

    @extend_schema(responses={200: MessagePreferenceSerializer})
    def get(self, request):
        return Response(self._body(request.user))

    @extend_schema(request=MessagePreferenceSerializer, responses={200: MessagePreferenceSerializer})
    def put(self, request):
        ser = MessagePreferenceSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.message_preference_save(user=request.user, by=request.user, **ser.validated_data)
        return Response(self._body(request.user))


extra_urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/password/", password, name="api-password"),
    path("me/message-preferences/", MessagePreferenceView.as_view(), name="api-message-preferences"),
]


class ParentUnit(NamedTuple):
    """The unit a new one is created under: its field, the selector of those in scope, the error otherwise."""

    field: str
    units: Callable
    missing: str


class _UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    # A unit of the tree (county, township, village): those in the caller's scope, by code; a new one is
    # created by ``create_service`` under its ``parent`` unit, which must be in the caller's scope.
    unit_list = staticmethod(selectors.county_list)
    create_service = staticmethod(services.county_create)
    parent: ParentUnit | None = None

    def get_queryset(self):
        return self.unit_list(user=self.request.user).order_by("code")

    def perform_create(self, serializer):
        if self.parent is not None:
            field, parents, missing = self.parent
            if not parents(user=self.request.user).filter(pk=serializer.validated_data[field].pk).exists():
                raise ValidationError({field: [missing]})
        serializer.instance = self.create_service(by=self.request.user, **serializer.validated_data)


class CountyViewSet(_UnitViewSet):
    serializer_class = CountySerializer


class TownshipViewSet(_UnitViewSet):
    serializer_class = TownshipSerializer
    filterset_fields = ["county"]
    unit_list = staticmethod(selectors.township_list)
    create_service = staticmethod(services.township_create)
    parent = ParentUnit("county", selectors.county_list, gettext_lazy("县不存在或不在您的管辖范围内。"))


class VillageViewSet(mixins.UpdateModelMixin, _UnitViewSet):
    serializer_class = VillageSerializer
    filterset_fields = ["township"]
    unit_list = staticmethod(selectors.village_list)
    create_service = staticmethod(services.village_create)
    parent = ParentUnit("township", selectors.township_list, gettext_lazy("乡（镇）不存在或不在您的管辖范围内。"))

    def update(self, request, *args, **kwargs):
        village = self.get_object()
        ser = self.get_serializer(village, data=request.data, partial=kwargs.get("partial", False))
        ser.is_valid(raise_exception=True)
        data = {k: v for k, v in ser.validated_data.items() if k in {"name", "quota", "kind"}}
        village = services.village_update(village=village, by=request.user, **data)
        return Response(self.get_serializer(village).data)

    @extend_schema(responses=VacancySerializer(many=True))
    @action(detail=False)
    def vacancies(self, request):
        township = (request.query_params.get("township") or "").strip()
        if township and not is_id(township):
            raise ValidationError({"township": [_("乡（镇）应为数字 id。")]})
        qs = selectors.vacancy_list(user=request.user, township_id=int(township) if township else None)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(VacancySerializer(page, many=True).data)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    serializer_class = UserSerializer

    def get_queryset(self):
        return selectors.user_list(user=self.request.user).order_by("pk")

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request, *args, **kwargs):
        ser = UserCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        user = services.user_create(by=request.user, **ser.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class RoleAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            viewsets.GenericViewSet):
    serializer_class = RoleAssignmentSerializer
    filterset_fields = ["user", "role", "is_active"]

    def get_queryset(self):
        return selectors.role_assignment_list(user=self.request.user).order_by("pk")

    def perform_create(self, serializer):
        d = serializer.validated_data
        self._unit_county(d)  # which unit: a 400 that names the missing field before anything else
        target = d["user"]
        serializer.instance = services.role_assign(user=target, role=d["role"], county=d.get("county"),
                                                   township=d.get("township"), village=d.get("village"),
                                                   by=self.request.user)

    @staticmethod
    def _unit_county(d):
        if d.get("county"):
            return d["county"]
        if d.get("township"):
            return d["township"].county
        if d.get("village"):
            return d["village"].township.county
        raise ValidationError({"detail": _("请指定角色所在的县、乡（镇）或村。")})

    @extend_schema(request=None, responses=RoleAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        assignment = self.get_object()
        assignment = services.role_revoke(assignment=assignment, by=request.user)
        return Response(self.get_serializer(assignment).data)


router.register("counties", CountyViewSet, basename="county")
router.register("townships", TownshipViewSet, basename="township")
router.register("villages", VillageViewSet, basename="village")
router.register("users", UserViewSet, basename="user")
router.register("role-assignments", RoleAssignmentViewSet, basename="role-assignment")

__all__ = ["extra_urlpatterns", "get_object_or_404", "County", "Township", "Village"]
