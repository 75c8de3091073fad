"""One scoped FilterSet base for every list page and its API twin, and the widget for yes/no filters.

A list declares its model, where its village is (``village_path``) and what the search box looks in
(``search_fields``)::

    class LeaveFilter(ScopedFilterSet):
        village_path = "cadre__village"
        search_fields = ("cadre__name", "cadre__village__name")

        class Meta:
            model = LeaveRequest
            fields = ["q", "township", "village", "status"]

The page builds it with ``LeaveFilter(request.GET, queryset=qs, user=request.user)`` and the API through
``django_filters.rest_framework.DjangoFilterBackend`` (``self.request.user`` is read when ``user`` is not
given). The township and village choices are the user's own (``core.selectors``); a county user chooses a
township first, so a province's thousands of villages are never rendered. Render it with
``{% include "includes/filters.html" %}``.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

from core.models import ExportJob, Township, Village
from core.scope import get_scope
from core.selectors import township_list, village_list


class YesNoAllWidget(django_filters.widgets.BooleanWidget):
    """A yes/no filter as a select of 全部/是/否 (``true``/``false`` in the query, as the API takes them)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-select form-select-sm", **(attrs or {})})
        self.choices = (("", _("全部")), ("true", _("是")), ("false", _("否")))


def village_choices(*, user, data):
    """The villages a list filter offers. Township and village users get theirs (a few dozen); a county
    user (a province holds ~15,000 villages) first chooses a township, so the page never renders or
    queries thousands of options (issue 8); a village already chosen stays valid."""
    villages = village_list(user=user)
    if not get_scope(user).county_wide:
        return villages
    data = data or {}
    village, township = str(data.get("village") or ""), str(data.get("township") or "")
    if village:
        return villages.filter(pk=int(village)) if is_id(village) else villages.none()
    if is_id(township):
        return villages.filter(township_id=int(township))
    return villages.none()


def is_id(text: str) -> bool:
    """A whole number a database id column can hold (issue 17: ``?township=99999999999999999999`` overflowed)."""
    return text.isdigit() and int(text) <= MAX_ID


#: the largest id a database column holds (a bigint); a filter value beyond it is refused, never queried
MAX_ID = 2**63 - 1


class BoundedModelChoiceField(django_filters.fields.ModelChoiceField):
    """A model choice whose id must be a whole number a database column can hold: a query string such as
    ``?township=182795161126097653858304`` is "not a valid choice", not an overflow inside SQLite (a 500)."""

    def to_python(self, value):
        if value not in self.empty_values:
            text = str(value).strip()
            if not text.isdigit() or int(text) > MAX_ID:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedFilterSet(django_filters.FilterSet):
    """Every FilterSet of the project (the API's ``filterset_fields`` too, through ``FilterBackend``): an id or a
    number a database column cannot hold is a 400 with the field named, never an overflow (a 500 on SQLite,
    found by the API fuzz test with ``?cadre=-4e124``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.filters.values():
            # a form field built on the class's filter (the API schema reads ``base_filters[...].field``) is
            # copied into each instance: drop it, so the bounds and labels set here are used (else, once
            # the schema was served, every list's choices said "---------" and ids were unbounded)
            f.__dict__.pop("_field", None)
            if isinstance(f, django_filters.ModelChoiceFilter):
                f.field_class = BoundedModelChoiceField
            elif isinstance(f, django_filters.NumberFilter):
                f.extra.setdefault("min_value", -MAX_ID)
                f.extra.setdefault("max_value", MAX_ID)


class FilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend whose generated FilterSets (``filterset_fields``) are bounded too."""

    filterset_base = BoundedFilterSet


class ScopedFilterSet(BoundedFilterSet):
    """Search box, township and village, limited to the user's scope. Subclasses set ``village_path``
    (path from the model to its Village; "" for the Village model, ``None`` for rows without a village)
    and ``search_fields`` (paths searched with ``icontains``)."""

    village_path: str | None = "cadre__village"
    search_fields: tuple[str, ...] = ("cadre__name", "cadre__village__name")
    #: what the search box says it looks in (shown as its placeholder)
    search_hint = _("姓名、村名")

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    township = django_filters.ModelChoiceFilter(label=_("乡（镇）"), queryset=Township.objects.none(),
                                                method="filter_township", empty_label=_("全部"))
    village = django_filters.ModelChoiceFilter(label=_("村"), queryset=Village.objects.none(),
                                               method="filter_village", empty_label=_("全部"))

    def __init__(self, data=None, queryset=None, *, user=None, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        if user is None and request is not None:
            user = request.user
        self.user = user
        for f in self.filters.values():
            if isinstance(f, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                f.extra.setdefault("empty_label", _("全部"))
            elif isinstance(f, django_filters.BooleanFilter):
                f.extra["widget"] = YesNoAllWidget  # 全部/是/否, never a yes-only select
        if user is not None and getattr(user, "is_authenticated", False):
            if "township" in self.filters:
                self.filters["township"].queryset = township_list(user=user)
            if "village" in self.filters:
                self.filters["village"].queryset = village_choices(user=user, data=self.data)

    def _path(self, last: str) -> str:
        return f"{self.village_path}__{last}" if self.village_path else last

    def filter_township(self, queryset, name, value: int):  # the hint gives the API schema its type
        if not value:
            return queryset
        return queryset.filter(**{self._path("township"): value})

    def filter_village(self, queryset, name, value: int):  # the hint gives the API schema its type
        if not value:
            return queryset
        return queryset.filter(**({self.village_path: value} if self.village_path else {"pk": value.pk}))

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value or not self.search_fields:
            return queryset
        cond = Q()
        for path in self.search_fields:
            cond |= Q(**{f"{path}__icontains": value})
        return queryset.filter(cond)


class ExportJobFilter(ScopedFilterSet):
    """The user's own export jobs (issue 19 item 5): search in what was exported, and the status."""

    township = village = None
    village_path = None
    search_fields = ("label",)
    search_hint = _("导出内容")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ExportJob.Status.choices)

    class Meta:
        model = ExportJob
        fields = ["q", "status"]
