"""R-28 duty rota over the API: ``/api/v1/duty-schedules/``, ``/api/v1/duty-rotas/`` (+ ``generate``) and
``/api/v1/duty-misses/`` (+ ``undo``). Scoped like the pages; writes go through ``attendance.services.rota``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from attendance.models import DutyMiss, DutyRota, DutySchedule, DutyShift
from attendance.rota_selectors import DutyMissFilter, DutyRotaFilter, duty_miss_list, rota_with_shifts, schedule_list
from attendance.services import rota as rota_services
from cadres.models import Cadre
from cadres.selectors import cadre_list
from core.api import ServiceActions, router, validated_body
from core.dates import parse_month
from core.models import Township, Village
from core.selectors import township_list, village_list

MONTH_ERROR = gettext_lazy("月份格式为 YYYY-MM，例如 2026-03。")


def _visible(qs, obj, field, message):
    if obj is None:
        return None
    found = qs.filter(pk=obj.pk).first()
    if found is None:
        raise ValidationError({field: [message]})
    return found


def _village(request, village):
    return _visible(village_list(user=request.user), village, "village", _("村不存在或不在您的管辖范围内。"))


def _cadres(request, cadres, field="cadre"):
    ids = {c.pk for c in cadres if c is not None}
    visible = {c.pk: c for c in cadre_list(user=request.user).filter(pk__in=ids).select_related("village")}
    if ids - set(visible):
        raise ValidationError({field: [_("后备干部不存在或不在您的管辖范围内。")]})
    return visible


class DutyScheduleSerializer(serializers.ModelSerializer):
    township = serializers.PrimaryKeyRelatedField(queryset=Township.objects.all(), label=gettext_lazy("乡（镇）"))
    days = serializers.ChoiceField(choices=DutySchedule.Days.choices, default=DutySchedule.Days.WORKDAYS,
                                   label=gettext_lazy("值班日"))
    holidays = serializers.BooleanField(default=False, label=gettext_lazy("节假日也须值班"))
    per_day = serializers.IntegerField(default=1, label=gettext_lazy("每天值班人数"), help_text=gettext_lazy("1至5"))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = DutySchedule
        fields = ["id", "township", "valid_from", "days", "holidays", "per_day", "note"]
        validators = []  # a second schedule from the same date replaces the first (the service decides)


class DutyShiftSerializer(serializers.ModelSerializer):
    """One person on duty on one day: ``cadre`` (a reserve cadre of the village) or ``name`` (another cadre)."""

    cadre = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.all(), required=False, allow_null=True,
                                               default=None, label=gettext_lazy("后备干部"))
    name = serializers.CharField(max_length=rota_services.NAME_MAX, required=False, allow_blank=True, default="",
                                 label=gettext_lazy("其他值班人员"))
    person = serializers.CharField(read_only=True, label=gettext_lazy("值班人员"))

    class Meta:
        model = DutyShift
        fields = ["date", "slot", "cadre", "name", "person"]
        read_only_fields = ["slot"]


class DutyRotaSerializer(serializers.ModelSerializer):
    village = serializers.PrimaryKeyRelatedField(queryset=Village.objects.all(), label=gettext_lazy("村"))
    month = serializers.RegexField(r"^\d{4}-\d{2}$", label=gettext_lazy("月份"), help_text=gettext_lazy("YYYY-MM"),
                                   error_messages={"invalid": MONTH_ERROR})
    days = DutyShiftSerializer(many=True, source="shifts", required=False, default=list,
                               help_text=gettext_lazy("各日值班人员；POST 时所列日期的值班人员被替换，其余日期不变"))
    village_name = serializers.CharField(source="village.name", read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = DutyRota
        fields = ["id", "village", "village_name", "month", "days", "updated_at"]
        validators = []  # a second POST for the same village and month updates it (the service decides)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["month"] = f"{instance.month:%Y-%m}"
        return data


class GenerateSerializer(serializers.Serializer):
    cadres = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.all(), many=True, required=False, default=list,
                                                label=gettext_lazy("值班的后备干部"))
    names = serializers.ListField(child=serializers.CharField(max_length=rota_services.NAME_MAX), required=False,
                                  default=list, label=gettext_lazy("其他值班的村干部"))


class DutyMissSerializer(serializers.ModelSerializer):
    village = serializers.PrimaryKeyRelatedField(queryset=Village.objects.all(), label=gettext_lazy("村"))
    cadre = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.all(), required=False, allow_null=True,
                                               default=None, label=gettext_lazy("后备干部"))
    name = serializers.CharField(max_length=rota_services.NAME_MAX, required=False, allow_blank=True, default="")
    counts_as_absence = serializers.BooleanField(default=False, label=gettext_lazy("计为缺勤"),
                                                 help_text=gettext_lazy("是则该后备干部当天记为旷工"))
    person = serializers.CharField(read_only=True)

    class Meta:
        model = DutyMiss
        fields = ["id", "village", "date", "cadre", "name", "person", "note", "counts_as_absence", "undone",
                  "undo_note", "recorded_at"]
        read_only_fields = ["undone", "undo_note", "recorded_at"]


class UndoSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", label=gettext_lazy("撤销原因"))


class _ListCreate(ServiceActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    pass


class DutyScheduleViewSet(_ListCreate):
    """R-28: the townships' duty schedules; the township party committee (or a liaison) sets one."""

    serializer_class = DutyScheduleSerializer

    def get_queryset(self):
        return schedule_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["township"] = _visible(township_list(user=self.request.user), data["township"], "township",
                                    _("乡（镇）不存在或不在您的管辖范围内。"))
        serializer.instance = rota_services.duty_schedule_save(by=self.request.user, **data)


class DutyRotaViewSet(_ListCreate):
    """R-28: the villages' monthly rotas (who is on duty which day)."""

    serializer_class = DutyRotaSerializer
    filterset_class = DutyRotaFilter

    def get_queryset(self):
        return rota_with_shifts(user=self.request.user).order_by("-month", "village__code", "pk")

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        village = _village(request, data["village"])
        try:
            year, month = parse_month(data["month"])
        except ValueError:
            raise ValidationError({"month": [MONTH_ERROR]}) from None
        days = data.get("shifts") or []
        _cadres(request, [d.get("cadre") for d in days], "days")
        existed = DutyRota.objects.filter(village=village, month__year=year, month__month=month).exists()
        rota = rota_services.rota_save(village=village, year=year, month=month, days=days, by=request.user)
        rota = self.get_queryset().get(pk=rota.pk)
        return Response(self.get_serializer(rota).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=GenerateSerializer, responses=DutyRotaSerializer)
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """R-28: draw the month from a pattern (the chosen people in turn on the schedule's duty days)."""
        rota = self.get_object()
        d = validated_body(GenerateSerializer, request)
        _cadres(request, d["cadres"], "cadres")
        rota_services.rota_generate(rota=rota, cadres=d["cadres"], names=d["names"], by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=rota.pk)).data)


class DutyMissViewSet(_ListCreate):
    """R-28 值班缺岗: recorded by the village secretary or the township; ``counts_as_absence`` marks 旷工."""

    serializer_class = DutyMissSerializer
    filterset_class = DutyMissFilter

    def get_queryset(self):
        return duty_miss_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["village"] = _village(self.request, data["village"])
        if data.get("cadre") is not None:
            data["cadre"] = _cadres(self.request, [data["cadre"]])[data["cadre"].pk]
        serializer.instance = rota_services.duty_miss_record(by=self.request.user, **data)

    @extend_schema(request=UndoSerializer, responses=DutyMissSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        """R-28: undo a missed duty; a 旷工 mark it made is cleared (history kept)."""
        return self.service_action(UndoSerializer, rota_services.duty_miss_undo, "miss")


router.register("duty-schedules", DutyScheduleViewSet, basename="duty-schedule")
router.register("duty-rotas", DutyRotaViewSet, basename="duty-rota")
router.register("duty-misses", DutyMissViewSet, basename="duty-miss")
