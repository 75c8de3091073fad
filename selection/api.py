"""/api/v1/selection-rounds/ and /api/v1/applications/ (API.md "Selection")."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from core.api import PersonalDataReadLog, ServiceActions, router
from core.scope import get_scope
from core.selectors import village_list
from selection import permissions, services
from selection.selectors import ApplicationFilter, RoundFilter, application_list, round_list, waiver_list
from selection.serializers import (
    ApplicationSerializer,
    BanWaiverSerializer,
    CoReviewSerializer,
    DecideSerializer,
    ReviewSerializer,
    RoundSerializer,
    ScoresSerializer,
)


class RoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    """R-10: selection rounds; county_org of the county announces them, everyone in the county reads."""

    serializer_class = RoundSerializer
    filterset_class = RoundFilter

    def get_queryset(self):
        return round_list(user=self.request.user).order_by("-year", "-announced_on", "-pk")

    def perform_create(self, serializer):
        county = serializer.validated_data["county"]
        scope = get_scope(self.request.user)
        if not scope.is_superuser and county.pk not in scope.visible_county_ids():
            raise ValidationError({"county": [_("县不存在或不在您的管辖范围内。")]})
        serializer.instance = services.round_create(by=self.request.user, **serializer.validated_data)


class ApplicationViewSet(PersonalDataReadLog, ServiceActions, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, viewsets.GenericViewSet):
    """R-11…R-15: applications and each step after them, one action per step."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    personal_label = _("报名人员")

    def get_queryset(self):
        return application_list(user=self.request.user).order_by("round_id", "village__code", "rank", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        rnd = get_object_or_404(round_list(user=self.request.user), pk=data.pop("round").pk)
        village = data["village"]
        if not village_list(user=self.request.user).filter(pk=village.pk).exists():
            raise ValidationError({"village": [_("村不存在或不在您的管辖范围内。")]})
        serializer.instance = services.application_submit(round=rnd, by=self.request.user, **data)

    def _step(self, request, step, serializer_class, service):
        return self.service_action(serializer_class, service, "application",
                                   decision=lambda scope, app: permissions.can_step(scope, step, app),
                                   message=permissions.STEPS[step][1])

    @extend_schema(request=ReviewSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._step(request, "review", ReviewSerializer, services.application_review)

    @extend_schema(request=ScoresSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        return self._step(request, "scores", ScoresSerializer, services.application_score)

    @extend_schema(request=CoReviewSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="co-review")
    def co_review(self, request, pk=None):
        return self._step(request, "co_review", CoReviewSerializer, services.application_co_review)

    @extend_schema(request=DecideSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._step(request, "decide", DecideSerializer, services.application_decide)


class BanWaiverViewSet(PersonalDataReadLog, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """R-17: waivers of the five-year ban, one person in one round; county_org of the round's county
    records them, everyone who sees the round reads them."""

    serializer_class = BanWaiverSerializer
    filterset_fields = ["round"]
    personal_label = _("禁考豁免")
    personal_fields = ("id_number",)

    def get_queryset(self):
        return waiver_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        rnd = get_object_or_404(round_list(user=self.request.user), pk=data.pop("round").pk)
        serializer.instance = services.ban_waive(round=rnd, by=self.request.user, **data)


router.register("selection-rounds", RoundViewSet, basename="selection-round")
router.register("ban-waivers", BanWaiverViewSet, basename="ban-waiver")
router.register("applications", ApplicationViewSet, basename="application")
