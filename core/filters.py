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
township first, so a province's thousands of villages are never rendered; a user holding several counties
(a province, the administrator) chooses a county first and only then is offered its townships (issue 19). A
choice with more than :data:`CHOICES_MAX` options is a search box with suggestions (``core.views_choices``)
instead of a select. Render it with ``{% include "includes/filters.html" %}``.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_filters.conf import settings as filter_settings
from django_filters.rest_framework import DjangoFilterBackend

from core.models import County, ExportJob, Township, Village
from core.scope import get_scope
from core.selectors import county_list, township_list, village_list

#: beyond this many options a filter's choice is a search box with suggestions, never a select (issue 19)
CHOICES_MAX = 200


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


def holds_several_counties(user) -> bool:
    """A province user or the administrator: townships are offered once a county is chosen."""
    scope = get_scope(user)
    if not scope.is_superuser:
        return len(scope.counties_holding()) > 1
    return county_list(user=user)[:2].count() > 1


def township_choices(*, user, data):
    """The townships a list filter offers: the user's own; for one holding several counties, those of the
    chosen county (and a township already chosen stays valid), none before a county is chosen."""
    townships = township_list(user=user)
    if not holds_several_counties(user):
        return townships
    data = data or {}
    county, township = str(data.get("county") or ""), str(data.get("township") or "")
    wanted = Q(pk__in=[])
    if is_id(county):
        wanted |= Q(county_id=int(county))
    if is_id(township):
        wanted |= Q(pk=int(township))
    return townships.filter(wanted)


def too_many(queryset) -> bool:
    """More options than a select should hold (counted no further than one past the limit). Where the options
    are shown when there are few, :func:`few_options` decides and reads them in one query."""
    return queryset.order_by()[:CHOICES_MAX + 1].count() > CHOICES_MAX


def few_options(queryset) -> list | None:
    """The options of a choice, read once, when a select can hold them; None when there are more than
    :data:`CHOICES_MAX` (read no further than one past the limit)."""
    rows = list(queryset[:CHOICES_MAX + 1])
    return rows if len(rows) <= CHOICES_MAX else None


class SuggestWidget(forms.Select):
    """A choice among too many options for a select: ``includes/filters.html`` renders it as a search box whose
    suggestions come from ``core.views_choices`` (``data-choices``) and a hidden input with the chosen id."""

    def __init__(self, *, url: str, label: str = "", attrs=None):
        super().__init__(attrs=attrs)
        self.url, self.label = url, label


def suggest_widget(kind: str, *, queryset, value, **params) -> SuggestWidget:
    """The widget of a ``kind`` choice ("county", "township", "village"); ``params`` narrow the suggestions."""
    label = ""
    if is_id(str(value or "")):
        chosen = queryset.filter(pk=int(value)).first()
        label = choice_label(chosen) if chosen else ""
    query = urlencode({k: v for k, v in params.items() if v})
    url = reverse("list_choices", args=[kind]) + (f"?{query}" if query else "")
    return SuggestWidget(url=url, label=label)


class TownshipPick:
    """The townships a hand-written township filter offers: iterate it for a select; with more than
    :data:`CHOICES_MAX`, ``url`` and ``label`` make it a search box instead (``includes/township_pick.html``)."""

    def __init__(self, *, user, data):
        self.townships = township_list(user=user).order_by("code")
        self.url = self.label = ""
        if get_scope(user).county_wide:
            rows = few_options(self.townships)
            if rows is None:
                widget = suggest_widget("township", queryset=self.townships, value=(data or {}).get("township"))
                self.url, self.label = widget.url, widget.label
            else:
                self.townships = rows

    def __iter__(self):
        return iter(() if self.url else self.townships)


class ChoicePick:
    """A hand-written township or village chooser over ``queryset`` (the user's own, as the suggestions of
    ``kind`` are): iterate it for a select; with more than :data:`CHOICES_MAX` options ``url`` and ``label``
    make it a search box instead (``includes/suggest.html``). ``several`` says whether there is a choice at all."""

    def __init__(self, kind: str, *, queryset, value=None, **params):
        rows = few_options(queryset)
        self.options = rows or []
        self.url = self.label = ""
        if rows is None:
            widget = suggest_widget(kind, queryset=queryset, value=value, **params)
            self.url, self.label = widget.url, widget.label
        self.several = rows is None or len(rows) > 1

    def __iter__(self):
        return iter(() if self.url else self.options)


def choice_label(obj) -> str:
    """How a suggestion names a county, township or village (with what it belongs to)."""
    if isinstance(obj, Village):
        return f"{obj.township.name} · {obj.name}"
    if isinstance(obj, Township):
        return f"{obj.county.name} · {obj.name}"
    return str(obj)


def cadre_label(cadre) -> str:
    """How a cadre is named in a choice: 姓名（乡镇村）, as the record forms' selects name them."""
    return f"{cadre.name}（{cadre.village.township.name}{cadre.village.name}）"


def cadre_pick(form, source: str, name: str = "cadre") -> None:
    """A record form's cadre choice among more than :data:`CHOICES_MAX` cadres becomes a search box whose
    suggestions are the registered ``source`` (``core.registry.cadre_source``, the same function the view
    built the field's queryset with). The field still validates the posted id against its own queryset, so
    an id outside it is a form error ("选择一个有效的选项"), never a record."""
    field = form.fields.get(name)
    if field is None or not too_many(field.queryset):
        return
    value = form[name].value()
    label = ""
    if is_id(str(value or "")):
        chosen = field.queryset.filter(pk=int(value)).select_related("village__township").first()
        label = cadre_label(chosen) if chosen else ""
    url = reverse("list_choices", args=["cadre"]) + "?" + urlencode({"source": source})
    field.widget = SuggestWidget(url=url, label=label)


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
    county = django_filters.ModelChoiceFilter(label=_("县"), queryset=County.objects.none(),
                                              method="filter_county", empty_label=_("全部"))
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
                # a ModelChoiceFilter brings django-filter's "---------" along: the project's word replaces it
                if f.extra.get("empty_label", filter_settings.EMPTY_CHOICE_LABEL) == filter_settings.EMPTY_CHOICE_LABEL:
                    f.extra["empty_label"] = _("全部")
            elif isinstance(f, django_filters.BooleanFilter):
                f.extra["widget"] = YesNoAllWidget  # 全部/是/否, never a yes-only select
        several = (user is not None and getattr(user, "is_authenticated", False) and "township" in self.filters
                   and holds_several_counties(user))
        if several:  # the county is chosen before the townships (issue 19), and shown before them
            self.filters["county"].queryset = county_list(user=user)
            order = [k for k in self.filters if k != "county"]
            order.insert(order.index("township"), "county")
            self.filters = {k: self.filters[k] for k in order}
        else:
            self.filters.pop("county", None)
        if user is not None and getattr(user, "is_authenticated", False):
            if "township" in self.filters:
                self.filters["township"].queryset = township_choices(user=user, data=self.data)
            if "village" in self.filters:
                self.filters["village"].queryset = village_choices(user=user, data=self.data)

    @property
    def suggestions_ready(self) -> str:
        """Read by ``includes/filters.html`` before it renders the form (never by the API, which renders
        nothing): a county, township or village choice with more options than a select should hold becomes a
        search box with suggestions (a province's 15,000 villages, the administrator's 33,000 townships)."""
        if getattr(self, "_suggested", False) or self.user is None or not get_scope(self.user).county_wide:
            return ""
        self._suggested = True
        data = self.data or {}
        for name in ("county", "township", "village"):
            f = self.filters.get(name)
            if not isinstance(f, django_filters.ModelChoiceFilter) or name not in self.form.fields:
                continue
            field = self.form.fields[name]
            queryset = field.queryset
            rows = few_options(queryset)
            if rows is not None:
                # the select's options from these rows (the widget's own iterator would count and read them again)
                empty = [("", field.empty_label)] if field.empty_label is not None else []
                field.widget.choices = empty + [(field.prepare_value(row), field.label_from_instance(row))
                                                for row in rows]
                continue
            params = {"county": data.get("county")} if name == "township" else (
                {"township": data.get("township")} if name == "village" else {})
            self.form.fields[name].widget = suggest_widget(name, queryset=queryset, value=data.get(name), **params)
        return ""

    def filter_county(self, queryset, name, value: int):  # the hint gives the API schema its type
        if not value:
            return queryset
        return queryset.filter(**{self._path("township__county"): value})

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
