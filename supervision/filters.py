"""The list filters of the supervision app: one FilterSet per list, shared by the page and its API twin
(``core.filters.ScopedFilterSet``: search box, township and village limited to the user's scope)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import CASE_CATEGORIES, Cadre, DisciplineCase
from core.dates import today
from core.filters import ScopedFilterSet
from supervision import selectors
from supervision.models import (
    AreaGroup,
    Assessment,
    CountyVisit,
    Notice,
    Talk,
    TrainingKind,
    TrainingSession,
    WorkAssignment,
)


class _OwnTownship:
    """Rows that carry their own township (collective talks and notices have no cadre; groups and training
    sessions no village)."""

    def filter_township(self, queryset, name, value):
        return queryset.filter(township=value) if value else queryset


class TalkFilter(_OwnTownship, ScopedFilterSet):
    village_path = "village"
    search_fields = ("cadre__name", "interviewer", "record")
    search_hint = _("姓名、谈话人、关键字")

    kind = django_filters.ChoiceFilter(label=_("谈话类别"), choices=Talk.Kind.choices)
    held_from = django_filters.DateFilter(label=_("起始日期"), field_name="held_on", lookup_expr="gte")
    held_to = django_filters.DateFilter(label=_("截止日期"), field_name="held_on", lookup_expr="lte")
    cadre = django_filters.NumberFilter(label=_("后备干部"), field_name="cadre_id")
    village = None

    class Meta:
        model = Talk
        fields = ["q", "kind", "township", "held_from", "held_to", "cadre"]


class NoticeFilter(_OwnTownship, ScopedFilterSet):
    """A notice to a village names the village's township too (``notice_issue``): ``township`` finds both."""

    village_path = "village"
    search_fields = ("title", "body")
    search_hint = _("标题、内容")

    status = django_filters.ChoiceFilter(label=_("状态"), choices=Notice.Status.choices)
    open = django_filters.BooleanFilter(label=_("仅未销号"), method="only_open")
    overdue = django_filters.BooleanFilter(label=_("逾期未反馈"), method="only_overdue")
    late = django_filters.BooleanFilter(label=_("逾期反馈"), field_name="late")
    sent_back = django_filters.BooleanFilter(label=_("退回重改"), field_name="sent_back")

    class Meta:
        model = Notice
        fields = ["q", "status", "township", "village", "open", "overdue", "late", "sent_back"]

    def only_open(self, queryset, name, value):
        return queryset.exclude(status=Notice.Status.CLOSED) if value else queryset

    def only_overdue(self, queryset, name, value):
        return queryset.filter(status=Notice.Status.OPEN, due_on__lt=today()) if value else queryset


class CadreRecordFilter(ScopedFilterSet):
    """Rows that belong to a cadre (attachments, commitments; assessments below)."""

    search_hint = _("姓名、村名")
    year_field = "year"

    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100, method="by_year")
    cadre = django_filters.NumberFilter(label=_("后备干部"), field_name="cadre_id")

    def by_year(self, queryset, name, value):
        return queryset.filter(**{self.year_field: value}) if value else queryset

    # the type hints tell the API schema that township and village take ids (these rows have no such field)
    def filter_township(self, queryset, name, value: int):
        return super().filter_township(queryset, name, value)

    def filter_village(self, queryset, name, value: int):
        return super().filter_village(queryset, name, value)


class AttachmentFilter(CadreRecordFilter):
    year_field = "start_date__year"


class AssessmentFilter(CadreRecordFilter):
    result = django_filters.ChoiceFilter(label=_("结果"), choices=Assessment.Result.choices)


class PairingFilter(ScopedFilterSet):
    """R-50: active cadres with their pairing; ``missing`` keeps those not fully paired."""

    village_path = "village"
    search_fields = ("name", "village__name")
    search_hint = _("姓名、村名")

    missing = django_filters.BooleanFilter(label=_("未落实"), method="only_missing")

    class Meta:
        model = Cadre
        fields = ["q", "township", "village", "missing"]

    def only_missing(self, queryset, name, value):
        return queryset.filter(selectors.missing_pair_q()) if value else queryset


class GroupFilter(_OwnTownship, ScopedFilterSet):
    village_path = None
    search_fields = ("name",)
    search_hint = _("小组名称")
    village = None

    class Meta:
        model = AreaGroup
        fields = ["q", "township"]


class TrainingFilter(_OwnTownship, ScopedFilterSet):
    village_path = None
    search_fields = ("title", "place")
    search_hint = _("主题、地点")
    village = None

    kind = django_filters.ChoiceFilter(label=_("培训类别"), choices=TrainingKind.choices)

    class Meta:
        model = TrainingSession
        fields = ["q", "township", "kind"]


class CaseFilter(ScopedFilterSet):
    search_fields = ("cadre__name", "details")
    search_hint = _("姓名、事实")

    status = django_filters.ChoiceFilter(label=_("状态"), choices=DisciplineCase.Status.choices)
    category = django_filters.ChoiceFilter(label=_("情形"), choices=CASE_CATEGORIES)
    #: issue 12 item 3: open absence cases whose absence a correction brought to or below the threshold
    needs_review = django_filters.BooleanFilter(label=_("需复核"), method="filter_needs_review")
    village = None

    class Meta:
        model = DisciplineCase
        fields = ["q", "status", "category", "township", "needs_review"]

    def filter_needs_review(self, queryset, name, value):
        flagged = Q(status=DisciplineCase.Status.OPEN) & ~Q(review_note="")
        return queryset.filter(flagged) if value else queryset.exclude(flagged)


class UnpaidFilter(ScopedFilterSet):
    """R-44 lines unpaid after the set days (records of the payroll app)."""

    village = None
    q = None


class VisitFilter(_OwnTownship, ScopedFilterSet):
    """R-59: the county's visits by kind, township, village and year; search in whom it met and what it found."""
    village_path = "village"
    search_fields = ("met", "summary", "findings__text")
    search_hint = _("座谈对象、情况、问题")

    kind = django_filters.ChoiceFilter(label=_("类别"), choices=CountyVisit.Kind.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="visited_on", lookup_expr="year",
                                       min_value=2000, max_value=2100)
    open_findings = django_filters.BooleanFilter(label=_("有未转通报的问题"), method="filter_open_findings")

    class Meta:
        model = CountyVisit
        fields = ["q", "township", "village", "kind", "year", "open_findings"]

    def search(self, queryset, name, value):
        # a visit with several matching findings is one row
        return queryset.filter(pk__in=super().search(CountyVisit.objects.all(), name, value).values("pk"))

    def filter_open_findings(self, queryset, name, value):
        if value is None:
            return queryset
        has = queryset.filter(findings__notice__isnull=True, findings__isnull=False).values("pk")
        return queryset.filter(pk__in=has) if value else queryset.exclude(pk__in=has)


class RecommendationFilter(ScopedFilterSet):
    """R-61: recommendations of one kind by township, village, year and outcome."""
    search_hint = _("姓名、村名")

    year = django_filters.NumberFilter(label=_("评估年度"), field_name="year", min_value=2000, max_value=2100)
    outcome = django_filters.ChoiceFilter(label=_("结果"), method="filter_outcome", choices=[
        ("pending", _("待落实")), ("accepted", _("已采纳")), ("not_accepted", _("未采纳"))])

    class Meta:
        model = Assessment
        fields = ["q", "township", "village", "year", "outcome"]

    def filter_outcome(self, queryset, name, value):
        if value == "pending":
            return queryset.filter(outcome__isnull=True)
        return queryset.filter(outcome=value) if value else queryset


class AssignmentFilter(ScopedFilterSet):
    """R-57: tasks by township, village, kind, status (on today) and year (assigned in it); search in the
    cadre's name, the village, the title and the goal."""
    search_fields = ("cadre__name", "cadre__village__name", "title", "goal")
    search_hint = _("姓名、村名、任务名称")

    kind = django_filters.ChoiceFilter(label=_("任务类别"), choices=WorkAssignment.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=WorkAssignment.Status.choices,
                                         method="filter_status")
    year = django_filters.NumberFilter(label=_("年度"), field_name="assigned_on", lookup_expr="year",
                                       min_value=2000, max_value=2100)
    cadre = django_filters.NumberFilter(label=_("后备干部"), field_name="cadre_id")

    class Meta:
        model = WorkAssignment
        fields = ["q", "township", "village", "kind", "status", "year", "cadre"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(selectors.assignment_status_q(value, as_of=today())) if value else queryset
