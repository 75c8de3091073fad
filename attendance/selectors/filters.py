"""The filters of the attendance lists (the pages and the API)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.models import Absence, IncapacityReport, LeaveRequest, OfficialTrip
from attendance.selectors.lists import S, T
from core.dates import month_bounds, parse_month
from core.filters import ScopedFilterSet


class LeaveFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=S.choices)
    channel = django_filters.ChoiceFilter(label=_("请假方式"), choices=LeaveRequest.Channel.choices)
    date_from = django_filters.DateFilter(label=_("日期从"), field_name="end_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("日期到"), field_name="start_date", lookup_expr="lte")

    class Meta:
        model = LeaveRequest
        fields = ["q", "status", "township", "village", "channel", "date_from", "date_to", "cadre"]


class AbsenceFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=Absence.Kind.choices)
    excused = django_filters.BooleanFilter(label=_("有正当理由"))

    class Meta:
        model = Absence
        fields = ["q", "township", "village", "kind", "excused", "cadre"]


def _validate_month(value):
    try:
        parse_month(value)
    except (ValueError, TypeError):
        raise ValidationError(_("月份格式为 YYYY-MM，例如 2026-03。")) from None


class TripFilter(ScopedFilterSet):
    """R-27: the trip list's search (name, village, purpose) and filters; the page and the API share it."""

    search_fields = ("cadre__name", "cadre__village__name", "purpose")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=T.choices)
    month = django_filters.CharFilter(label=_("月份（如 2026-03）"), method="filter_month", validators=[_validate_month],
                                      help_text=_("YYYY-MM，列出这个月内有外出日的记录"))
    overdue = django_filters.BooleanFilter(label=_("逾期未返岗"), method="filter_overdue")

    class Meta:
        model = OfficialTrip
        fields = ["q", "township", "village", "status", "month", "overdue", "cadre"]

    def filter_month(self, queryset, name, value: str):
        if not value:
            return queryset
        first, last = month_bounds(*parse_month(value))
        return queryset.filter(start_date__lte=last, end_date__gte=first)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        cond = Q(status=T.OPEN, end_date__lt=timezone.localdate())
        return queryset.filter(cond) if value else queryset.exclude(cond)


class IncapacityFilter(ScopedFilterSet):
    class Meta:
        model = IncapacityReport
        fields = ["q", "township", "village"]
