"""Scoped reads for leave, attendance, absences and incapacity reports, and the set-based read of
absence data that the R-25 job runs on."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from functools import lru_cache

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Count, DateField, Exists, F, Func, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance import permissions, policies
from attendance.models import (
    Absence,
    ApproverDeputy,
    AttendanceDay,
    AttendanceSetting,
    IncapacityReport,
    LeaveRequest,
    OfficialTrip,
)
from cadres.models import Cadre
from cadres.selectors import cadre_list
from core import calendar
from core.dates import month_bounds, parse_month
from core.filters import ScopedFilterSet
from core.models import CalendarOverride, RoleAssignment, User, Village
from core.roles import Role
from core.scope import get_scope
from core.selectors import users_with_role

S = LeaveRequest.Status
T = OfficialTrip.Status

_CADRE_PATHS = ("cadre", "cadre__village", "cadre__village__township")


# -- the county's settings (issue 12 item 7) ------------------------------------------------------

def setting_for(county) -> AttendanceSetting:
    """The county's settings row, or an unsaved one holding the defaults when the county kept them."""
    county_id = getattr(county, "pk", county)
    row = AttendanceSetting.objects.filter(county_id=county_id).first() if county_id is not None else None
    return row or AttendanceSetting(county_id=county_id)


def attendance_limits(county) -> policies.Limits:
    """The county's R-22/R-25/R-26 values (``policies.DEFAULTS`` without a row), read now: one query. A
    caller that needs them many times keeps the result for its request or job."""
    county_id = getattr(county, "pk", county)
    if county_id is None:
        return policies.DEFAULTS
    row = AttendanceSetting.objects.filter(county_id=county_id).first()
    return row.as_limits() if row is not None else policies.DEFAULTS


class LimitsByCounty(dict):
    """``{county_id: Limits}`` of the counties that have a row; any other county gets the defaults."""

    def __missing__(self, county_id):
        return policies.DEFAULTS

    def min_absent_days(self) -> int:
        """The fewest absence days any county needs to breach a threshold (a pre-filter for the job)."""
        return min(min(lim.run_limit, lim.year_limit) for lim in [policies.DEFAULTS, *self.values()]) + 1


def limits_by_county(county_ids=None) -> LimitsByCounty:
    """Every county's values at once (one query), for the jobs and for lists across counties."""
    qs = AttendanceSetting.objects.all()
    if county_ids is not None:
        qs = qs.filter(county_id__in=list(county_ids))
    return LimitsByCounty({row.county_id: row.as_limits() for row in qs})


def user_county(user):
    """The county whose values a page states in its help texts: the user's own (the first they see)."""
    scope = get_scope(user)
    ids = sorted(scope.visible_county_ids())
    return ids[0] if ids else None


def leave_list(*, user):
    """R-21: leave requests in the caller's scope; a cadre sees only their own."""
    scope = get_scope(user)
    return LeaveRequest.objects.filter(scope.rows_q()).select_related(
        *_CADRE_PATHS, "submitted_by", "decided_by", "return_recorded_by", "return_reported_by")


def leave_pending_for(*, user):
    """R-22: requests waiting for *this* user's decision (the approver role they hold at the village), and
    those escalated to them because the approver was missing (issue 12 item 5: the liaison at the village,
    or the township party committee of the village's township)."""
    return leave_list(user=user).filter(permissions.decidable_q(get_scope(user)), status=S.PENDING)


def approver_context(leave: LeaveRequest, *, as_of: dt.date) -> dict:
    """Issue 17: what the approver weighs on a request waiting for a decision — the applicant's granted leave
    and absence days this year, and who else in the village is away during the request."""
    granted = (LeaveRequest.objects.filter(cadre_id=leave.cadre_id, start_date__year=as_of.year,
                                           status__in=[S.APPROVED, S.RETURNED])
               .exclude(pk=leave.pk).aggregate(n=Count("pk"), days=Sum("days")))
    found = day_statuses(Cadre.objects.filter(pk=leave.cadre_id).select_related("village__township"),
                         start=dt.date(as_of.year, 1, 1), end=as_of, as_of=as_of)
    absent = policies.year_absence_days(found[0][2], as_of.year) if found else 0
    others = (LeaveRequest.objects.filter(cadre__village_id=leave.cadre.village_id, status__in=[S.APPROVED, S.PENDING],
                                          start_date__lte=leave.end_date, end_date__gte=leave.start_date)
              .exclude(cadre_id=leave.cadre_id).select_related("cadre").order_by("start_date")[:20])
    return {"leave_count": granted["n"], "leave_days": granted["days"] or 0, "absent_days": absent,
            "others": list(others)}


def cadre_year_attendance(cadre, *, year: int, as_of: dt.date) -> dict:
    """R-21/R-24 for the year-end assessment (R-55, R-57): one cadre's granted leave (requests and working
    days starting in ``year``) and absence days in ``year`` up to ``as_of`` — the same day statuses as the
    grid and the R-25 job. Constant number of queries."""
    granted = LeaveRequest.objects.filter(cadre_id=cadre.pk, start_date__year=year,
                                          status__in=[S.APPROVED, S.RETURNED]).aggregate(n=Count("pk"), days=Sum("days"))
    end = min(dt.date(year, 12, 31), as_of)
    absent = 0
    if end >= dt.date(year, 1, 1):
        found = day_statuses(Cadre.objects.filter(pk=cadre.pk).select_related("village__township"),
                             start=dt.date(year, 1, 1), end=end, as_of=as_of)
        absent = policies.year_absence_days(found[0][2], year) if found else 0
    return {"leave_count": granted["n"], "leave_days": granted["days"] or 0, "absent_days": absent}


def leave_overdue(*, user, as_of: dt.date):
    """R-23: approved leave in scope whose end has passed without a confirmed return, unless an approved
    extension (a later leave of the cadre) has taken over (its own return closes the chain)."""
    extended = Exists(LeaveRequest.objects.filter(cadre_id=OuterRef("cadre_id"), status__in=[S.APPROVED, S.RETURNED],
                                                  start_date__gt=OuterRef("end_date")))
    return leave_list(user=user).filter(status=S.APPROVED, end_date__lt=as_of).exclude(extended)


def absence_list(*, user):
    scope = get_scope(user)
    return Absence.objects.filter(scope.rows_q()).select_related(
        *_CADRE_PATHS, "recorded_by")


def attendance_list(*, user):
    scope = get_scope(user)
    return AttendanceDay.objects.filter(scope.rows_q())


def incapacity_list(*, user):
    scope = get_scope(user)
    return IncapacityReport.objects.filter(scope.via_cadre_q(own=False)).select_related(
        *_CADRE_PATHS, "recorded_by")


def trip_list(*, user):
    """R-27: official trips in the caller's scope; a cadre sees only their own."""
    scope = get_scope(user)
    return OfficialTrip.objects.filter(scope.rows_q()).select_related(
        *_CADRE_PATHS, "recorded_by", "confirmed_by", "return_reported_by")


def trip_overdue(*, user, as_of: dt.date):
    """R-27: open trips in scope whose end has passed without a confirmed return."""
    return trip_list(user=user).filter(status=T.OPEN, end_date__lt=as_of)


def calendar_override_list(*, user):
    scope = get_scope(user)
    if scope.is_superuser:
        return CalendarOverride.objects.select_related("county")
    return CalendarOverride.objects.filter(county_id__in=sorted(scope.visible_county_ids())).select_related("county")


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


# -- what each working day was, for many cadres at once ------------------------

@lru_cache(maxsize=32)
def _official_working_days(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The official calendar's working days (no county overrides; the calendar ships with the code): computed
    once per window, not once per county of the R-25 job (issue 19 item 6)."""
    return tuple(calendar.working_days(start, end, county_overrides={}))


def _workdays_by_county(county_ids, start: dt.date, end: dt.date) -> dict[int, list[dt.date]]:
    """Each county's working days (R-20): the official calendar computed once, and again only for
    the counties that have overrides in the window (a national run has thousands of counties)."""
    overrides: dict[int, dict] = defaultdict(dict)
    for county_id, day, work in CalendarOverride.objects.filter(
            county_id__in=county_ids, date__gte=start, date__lte=end).values_list("county_id", "date", "is_workday"):
        overrides[county_id][day] = work
    official = list(_official_working_days(start, end))
    return {cid: calendar.working_days(start, end, county_overrides=overrides[cid]) if cid in overrides else official
            for cid in county_ids}


def _leave_rows(ids, *, start: dt.date, end: dt.date):
    """The approved and returned leave of these cadres that can cover a day of, or overstay into, the
    window — and any leave following an unreturned leave or trip (it caps that one's overstay: an extension)."""
    follows_open = Exists(LeaveRequest.objects.filter(cadre_id=OuterRef("cadre_id"), status=S.APPROVED,
                                                      end_date__lt=OuterRef("start_date")))
    follows_trip = Exists(OfficialTrip.objects.filter(cadre_id=OuterRef("cadre_id"), status=T.OPEN,
                                                      end_date__lt=OuterRef("start_date")))
    return list(LeaveRequest.objects.filter(cadre_id__in=ids, status__in=[S.APPROVED, S.RETURNED],
                                            start_date__lte=end)
                .filter(Q(end_date__gte=start) | Q(status=S.APPROVED) | Q(returned_on__gte=start) | follows_open
                        | follows_trip)
                .order_by("cadre_id", "start_date", "pk")
                .values_list("pk", "cadre_id", "start_date", "end_date", "returned_on", "overstay_reason"))


def _trip_rows(ids, *, start: dt.date, end: dt.date):
    """R-27: the open and returned trips of these cadres that can cover a day of, or overstay into, the
    window — and any trip following an unreturned leave or trip (it caps that one's overstay)."""
    follows_open = (Exists(OfficialTrip.objects.filter(cadre_id=OuterRef("cadre_id"), status=T.OPEN,
                                                       end_date__lt=OuterRef("start_date")))
                    | Exists(LeaveRequest.objects.filter(cadre_id=OuterRef("cadre_id"), status=S.APPROVED,
                                                         end_date__lt=OuterRef("start_date"))))
    return list(OfficialTrip.objects.filter(cadre_id__in=ids, status__in=[T.OPEN, T.RETURNED], start_date__lte=end)
                .filter(Q(end_date__gte=start) | Q(status=T.OPEN) | Q(returned_on__gte=start) | follows_open)
                .order_by("cadre_id", "start_date", "pk")
                .values_list("pk", "cadre_id", "start_date", "end_date", "returned_on"))


def _day_facts(cadres, *, start: dt.date, end: dt.date, as_of: dt.date):
    """What is recorded about each cadre's working days (R-24), each leave's overstay days (R-23) and each
    official trip's (R-27): ``(workdays_by_county, {cadre_id: DayFacts}, {leave_id: set of overstay days},
    {trip_id: set of overstay days})``. Constant queries.

    Overstay runs from the working day after the leave's (or trip's) end until the day before its
    *confirmed* return (``returned_on``; a return only reported is not one) or ``as_of``, and stops where the
    cadre's next approved leave or recorded trip begins (an extension). A trip's own days count as official
    business (R-27)."""
    ids = [c.pk for c in cadres]
    county_ids = {c.village.township.county_id for c in cadres}
    workdays_by_county = _workdays_by_county(county_ids, start, end)

    facts: dict[int, policies.DayFacts] = defaultdict(policies.DayFacts)
    for cadre_id, day, status, excused in AttendanceDay.objects.filter(
            cadre_id__in=ids, date__gte=start, date__lte=end).values_list("cadre_id", "date", "status", "excused"):
        f = facts[cadre_id]
        if status != AttendanceDay.Status.ABSENT:
            f.present.add(day)
        elif excused:
            f.excused.add(day)
        else:
            f.absent.add(day)
    ranges = list(Absence.objects.filter(cadre_id__in=ids, start_date__lte=end, end_date__gte=start)
                  .values_list("cadre_id", "start_date", "end_date", "excused"))
    by_cadre = {c.pk: c for c in cadres}
    for cadre_id, a, b, excused in ranges:
        workdays = workdays_by_county[by_cadre[cadre_id].village.township.county_id]
        days = policies.days_between(workdays, a, b)
        (facts[cadre_id].excused if excused else facts[cadre_id].absent).update(days)
    leaves = _leave_rows(ids, start=start, end=end)
    trips = _trip_rows(ids, start=start, end=end)
    starts: dict[int, list[dt.date]] = defaultdict(list)  # every leave's and trip's first day, per cadre
    for row in leaves:
        starts[row[1]].append(row[2])
    for row in trips:
        starts[row[1]].append(row[2])

    def next_start(cadre_id, after):
        return min((d for d in starts[cadre_id] if d > after), default=None)

    overstay_by_leave: dict[int, set] = {}
    for pk, cadre_id, a, b, returned_on, overstay_reason in leaves:
        workdays = workdays_by_county[by_cadre[cadre_id].village.township.county_id]
        f = facts[cadre_id]
        f.leave |= policies.leave_covered_days(workdays, start=a, end=b, returned_on=returned_on)
        over = policies.cap_overstay(policies.overstay_days(workdays, end=b, returned_on=returned_on, as_of=as_of),
                                     next_start=next_start(cadre_id, b))
        overstay_by_leave[pk] = over
        f.overstay |= over
        if overstay_reason:
            f.excused |= over
    overstay_by_trip: dict[int, set] = {}
    for pk, cadre_id, a, b, returned_on in trips:  # official business, then overstay as after a leave
        workdays = workdays_by_county[by_cadre[cadre_id].village.township.county_id]
        f = facts[cadre_id]
        covered = policies.leave_covered_days(workdays, start=a, end=b, returned_on=returned_on)
        f.present |= covered
        f.trip |= covered
        over = policies.cap_overstay(policies.overstay_days(workdays, end=b, returned_on=returned_on, as_of=as_of),
                                     next_start=next_start(cadre_id, b))
        overstay_by_trip[pk] = over
        f.overstay |= over
    return workdays_by_county, facts, overstay_by_leave, overstay_by_trip


def day_statuses(cadres, *, start: dt.date, end: dt.date, as_of: dt.date, min_absent_days: int = 0):
    """For each cadre (with village__township loaded): ``(cadre, workdays, {date: status})`` over the
    working days from ``start`` to ``end`` — a constant number of queries, whatever the number of
    cadres or days (R-24). The month grid, the leave page (:func:`leave_overstay`), the absence page and
    the R-25 job all read a day from here (issue 12 item 2: one story for a day).

    ``min_absent_days``: leave out cadres with fewer candidate absence days (旷工 marks, absence ranges,
    overstay) than this in their working days — they cannot reach a threshold (the R-25 job passes 16)."""
    cadres = list(cadres)
    if not cadres:
        return []
    workdays_by_county, facts, _over, _trips = _day_facts(cadres, start=start, end=end, as_of=as_of)
    out = []
    for cadre in cadres:
        f = facts[cadre.pk]
        if min_absent_days and len(f.absent | (f.overstay - f.excused)) < min_absent_days:
            continue  # fewer candidate days than a threshold needs, whatever the other facts say
        workdays = policies.days_between(workdays_by_county[cadre.village.township.county_id],
                                         cadre.appointed_on, cadre.left_on or dt.date.max)
        out.append((cadre, workdays, policies.classify_days(workdays, f)))
    return out


#: what a working day shows on the township leave calendar (issue 17), derived from the day's one status
CAL_LEAVE, CAL_PENDING, CAL_OFFICIAL, CAL_OVERSTAY, CAL_ABSENT, CAL_EXCUSED = (
    "leave", "pending", "official", "overstay", "absent", "excused")


def calendar_kinds(cadres, *, start: dt.date, end: dt.date, as_of: dt.date):
    """Issue 17, the township leave calendar: for each cadre (with village__township loaded)
    ``(cadre, workdays, {date: kind})`` for the working days from ``start`` to ``end`` where the cadre is away
    or asked to be. The day's status is the one of :func:`day_statuses` (the same ``_day_facts`` and
    ``policies.classify_days``: R-23/R-24, no second classification); the kind only tells apart what that
    status leaves open: an absence that is overstay (逾) or not (缺), presence that is official business (公),
    and an unrecorded day covered by a request still waiting for its decision (待). Days at work show
    nothing. Constant number of queries."""
    cadres = list(cadres)
    if not cadres:
        return []
    workdays_by_county, facts, _over, _trip_over = _day_facts(cadres, start=start, end=end, as_of=as_of)
    ids = [c.pk for c in cadres]
    official = set(AttendanceDay.objects.filter(cadre_id__in=ids, date__gte=start, date__lte=end,
                                                status=AttendanceDay.Status.OFFICIAL)
                   .values_list("cadre_id", "date"))
    pending = defaultdict(list)
    for cadre_id, a, b in (LeaveRequest.objects.filter(cadre_id__in=ids, status=S.PENDING, start_date__lte=end,
                                                       end_date__gte=start)
                           .values_list("cadre_id", "start_date", "end_date")):
        pending[cadre_id].append((a, b))
    out = []
    for cadre in cadres:
        f = facts[cadre.pk]
        workdays = policies.days_between(workdays_by_county[cadre.village.township.county_id],
                                         max(start, cadre.appointed_on), min(end, cadre.left_on or dt.date.max))
        kinds = {}
        for day, status in policies.classify_days(workdays, f).items():
            if status == policies.LEAVE:
                kinds[day] = CAL_LEAVE
            elif status == policies.EXCUSED:
                kinds[day] = CAL_EXCUSED
            elif status == policies.ABSENT:
                kinds[day] = CAL_OVERSTAY if day in f.overstay else CAL_ABSENT
            elif status == policies.PRESENT and ((cadre.pk, day) in official or day in f.trip):  # 公
                kinds[day] = CAL_OFFICIAL
            elif status == policies.UNKNOWN and any(a <= day <= b for a, b in pending[cadre.pk]):
                kinds[day] = CAL_PENDING
        out.append((cadre, workdays, kinds))
    return out


def leave_overstay(leave, *, as_of: dt.date) -> dict:
    """R-23 for one leave, read from the same day statuses as the grid and the R-25 job (issue 12 item 2):
    ``{"days": overstay days counted as absence, "excused": overstay days with a valid reason}`` (sorted
    working days after the leave's end until its confirmed return or ``as_of``; days an extension covers
    are neither)."""
    cadre = leave.cadre
    first = leave.end_date + dt.timedelta(days=1)
    last = as_of if leave.returned_on is None else min(as_of, leave.returned_on - dt.timedelta(days=1))
    if last < first or leave.status not in (S.APPROVED, S.RETURNED):
        return {"days": [], "excused": []}
    statuses, over, _trips = _statuses_and_overstays(cadre, first, last, as_of=as_of)
    mine = over.get(leave.pk, set())
    return {"days": sorted(d for d in mine if statuses.get(d) == policies.ABSENT),
            "excused": sorted(d for d in mine if statuses.get(d) == policies.EXCUSED)}


def _statuses_and_overstays(cadre, first: dt.date, last: dt.date, *, as_of: dt.date):
    """One cadre's day statuses from ``first`` to ``last`` and the overstay days of its leaves and of its trips
    (``{pk: days}`` each), as the grid and the R-25 job read them."""
    workdays_by_county, facts, leave_over, trip_over = _day_facts([cadre], start=first, end=last, as_of=as_of)
    workdays = policies.days_between(workdays_by_county[cadre.village.township.county_id], first, last)
    return policies.classify_days(workdays, facts[cadre.pk]), leave_over, trip_over


def _overstaying(cadre, days, *, as_of: dt.date, trips: bool) -> list[int]:
    """The pks of the cadre's leaves (``trips``: trips) whose overstay covers one of ``days``."""
    days = sorted(days)
    if not days:
        return []
    _w, _facts, leave_over, trip_over = _day_facts([cadre], start=days[0], end=days[-1], as_of=as_of)
    wanted = set(days)
    return [pk for pk, spans in (trip_over if trips else leave_over).items() if spans & wanted]


def open_overstay_leave(cadre, days, *, as_of: dt.date):
    """R-23 (issue 12 item 2): the cadre's approved leave, not yet confirmed returned, whose overstay
    covers one of ``days`` — marking such a day present means asking whether the cadre is back. None
    when there is none."""
    hit = _overstaying(cadre, days, as_of=as_of, trips=False)
    if not hit:
        return None
    return (LeaveRequest.objects.filter(pk__in=hit, status=S.APPROVED).select_related("cadre__village__township")
            .order_by("end_date", "pk").first())


def trip_overstay(trip, *, as_of: dt.date) -> list[dt.date]:
    """R-27 for one trip, read from the same day statuses as the grid and the R-25 job: the sorted overstay
    days counted as absence (working days after its end until its confirmed return or ``as_of``, less the
    days a following leave or trip covers and days excused otherwise)."""
    cadre = trip.cadre
    first = trip.end_date + dt.timedelta(days=1)
    last = as_of if trip.returned_on is None else min(as_of, trip.returned_on - dt.timedelta(days=1))
    if last < first or trip.status == T.CANCELLED:
        return []
    statuses, _leaves, over = _statuses_and_overstays(cadre, first, last, as_of=as_of)
    return sorted(d for d in over.get(trip.pk, set()) if statuses.get(d) == policies.ABSENT)


def open_overstay_trip(cadre, days, *, as_of: dt.date):
    """R-27: the cadre's open trip whose overstay covers one of ``days`` (marking such a day present means
    the cadre is back: the return is confirmed on the trip first). None when there is none."""
    hit = _overstaying(cadre, days, as_of=as_of, trips=True)
    return OfficialTrip.objects.filter(pk__in=hit, status=T.OPEN).order_by("end_date", "pk").first() if hit else None


def trip_days(cadres, *, start: dt.date, end: dt.date) -> set[tuple[int, dt.date]]:
    """R-27: ``{(cadre_id, day)}`` of the days from ``start`` to ``end`` covered by a recorded trip (open or
    returned; a cadre back early is at work from the confirmed return) — the grid shows them as 公."""
    out = set()
    for cadre_id, a, b, returned_on in OfficialTrip.objects.filter(
            cadre__in=cadres, status__in=[T.OPEN, T.RETURNED], start_date__lte=end, end_date__gte=start
    ).values_list("cadre_id", "start_date", "end_date", "returned_on"):
        last = b if returned_on is None or returned_on > b else returned_on - dt.timedelta(days=1)
        day = max(a, start)
        while day <= min(last, end):
            out.add((cadre_id, day))
            day += dt.timedelta(days=1)
    return out


class _NextWorkday(Func):
    """The first day of ``days`` (sorted, covering the window) strictly after a date column, by an index
    into an array built in Python: ``next[k]`` for the day ``base + k - 1`` (O(1) per row)."""

    output_field = DateField()

    def __init__(self, expression, *, start: dt.date, end: dt.date, days: list[dt.date]):
        super().__init__(expression)
        self.base = start - dt.timedelta(days=1)
        self.end = end
        ordered, nxt, i = sorted(days), [], 0
        day = self.base
        while day <= end:
            while i < len(ordered) and ordered[i] <= day:
                i += 1
            nxt.append(ordered[i] if i < len(ordered) else dt.date(9999, 12, 31))
            day += dt.timedelta(days=1)
        self.next = nxt

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: a date[] parameter, indexed from 1
        col, params = compiler.compile(self.source_expressions[0])
        return (f"(%s::date[])[LEAST(GREATEST({col}, %s::date), %s::date) - %s::date + 1]",
                [self.next, *params, self.base, self.end, self.base])

    def as_sqlite(self, compiler, connection, **extra):
        """SQLite has no arrays: the same table as a JSON text parameter, indexed from 0 by day number
        (dates are ISO text there, so the JSON value compares and converts like the column)."""
        col, params = compiler.compile(self.source_expressions[0])
        table = json.dumps([d.isoformat() for d in self.next])
        return (f"json_extract(%s, '$[' || CAST(julianday(MIN(MAX({col}, %s), %s)) - julianday(%s) AS INTEGER)"
                " || ']')", [table, *params, self.base.isoformat(), self.end.isoformat(), self.base.isoformat()])


def absence_candidates(*, start: dt.date, end: dt.date, as_of: dt.date, cadres=None):
    """R-25: every active cadre (of ``cadres``, default all) who has any absence signal
    in the window: a 旷工 mark, an absence range, or an approved leave or official trip past its end
    (overstay, R-23/R-27), as a queryset (the R-25 job streams it county by county, issue 19 item 6).

    Overstay needs a working day after the leave's end: a leave ending on Friday and returned on Monday
    is no signal. The pre-filter uses the official working days plus every county's extra working days
    (a superset of any county's), so it never drops a cadre who has overstay days."""
    marked = AttendanceDay.objects.filter(status=AttendanceDay.Status.ABSENT, date__gte=start, date__lte=end,
                                          excused=False).values("cadre_id")
    ranged = Absence.objects.filter(start_date__lte=end, end_date__gte=start, excused=False).values("cadre_id")
    maybe_work = set(calendar.working_days(start, end, county_overrides={})) | set(
        CalendarOverride.objects.filter(date__gte=start, date__lte=end, is_workday=True)
        .values_list("date", flat=True))
    overstayed = LeaveRequest.objects.alias(
        next_workday=_NextWorkday(F("end_date"), start=start, end=end, days=list(maybe_work))
    ).filter(
        Q(status=S.APPROVED, end_date__lt=as_of, next_workday__lte=as_of)
        | Q(status=S.RETURNED, returned_on__gt=F("end_date"), returned_on__gte=start,
            next_workday__lt=F("returned_on"), next_workday__lte=as_of)
    ).filter(overstay_reason="").values("cadre_id")
    # a trip past its end without a confirmed return is a signal exactly as a leave is
    trip_overstayed = OfficialTrip.objects.alias(
        next_workday=_NextWorkday(F("end_date"), start=start, end=end, days=list(maybe_work))
    ).filter(
        Q(status=T.OPEN, end_date__lt=as_of, next_workday__lte=as_of)
        | Q(status=T.RETURNED, returned_on__gt=F("end_date"), returned_on__gte=start,
            next_workday__lt=F("returned_on"), next_workday__lte=as_of)
    ).values("cadre_id")
    base = Cadre.objects.all() if cadres is None else cadres
    return base.filter(status=Cadre.Status.ACTIVE).filter(
        Q(pk__in=marked) | Q(pk__in=ranged) | Q(pk__in=overstayed) | Q(pk__in=trip_overstayed)
    ).select_related("village__township__county")


def absence_statuses(*, start: dt.date, end: dt.date, as_of: dt.date, cadres=None, min_absent_days: int = 0):
    """R-25: day statuses (:func:`day_statuses`) of the cadres :func:`absence_candidates` finds. Constant
    number of queries."""
    return day_statuses(absence_candidates(start=start, end=end, as_of=as_of, cadres=cadres),
                        start=start, end=end, as_of=as_of, min_absent_days=min_absent_days)


def absence_summary(*, user, as_of: dt.date) -> list[dict]:
    """R-24/R-25 for the people who must act: each cadre in scope with absence days this calendar year,
    the current run of consecutive absence days, and how close both are to the thresholds."""
    rows = []
    found = absence_statuses(start=dt.date(as_of.year - 1, 1, 1), end=as_of, as_of=as_of, cadres=cadre_list(user=user))
    limits = limits_by_county({cadre.village.township.county_id for cadre, _w, _s in found})  # issue 12 item 7
    for cadre, workdays, statuses in found:
        lim = limits[cadre.village.township.county_id]
        year_days = policies.year_absence_days(statuses, as_of.year)
        runs = policies.absence_runs(workdays, statuses, excused_breaks_run=lim.excused_breaks_run)
        # issue 12 item 4: today not yet marked does not end the run that went on until yesterday
        current = policies.current_run(workdays, statuses, today=as_of, excused_breaks_run=lim.excused_breaks_run)
        longest = max((r.days for r in runs if r.last.year == as_of.year), default=0)
        if not year_days and current is None:
            continue
        over = year_days > lim.year_limit or longest > lim.run_limit
        near = not over and (year_days >= lim.year_limit - 5 or (current and current.days >= lim.run_limit - 5))
        rows.append({"cadre": cadre, "year_days": year_days, "current_run": current.days if current else 0,
                     "current_since": current.first if current else None,
                     "longest_run": longest, "over": over, "near": bool(near),
                     "run_limit": lim.run_limit, "year_limit": lim.year_limit,
                     # issue 12 item 4: the periods behind the year's count, listed on the page (they add up)
                     "periods": policies.year_runs(workdays, statuses, as_of.year,
                                                   excused_breaks_run=lim.excused_breaks_run)})
    rows.sort(key=lambda r: (-r["over"], -r["near"], -r["year_days"], r["cadre"].name))
    return rows


def staffed_approver_roles(*, village) -> set[str]:
    """Issue 12 item 5: the R-22 approver roles that have an active user at exactly this village."""
    return {role for role in policies.APPROVER_ROLES
            if users_with_role(role, village=village).exists()}


def leave_approver(*, village, days) -> tuple[str, str]:
    """R-22 with issue 12 item 5: ``(approver_role, escalated_to)`` for a leave of ``days`` working days at
    ``village`` — the fixed approver by length (up to the county's ``secretary_max_days``, read now: issue
    12 item 7), and the tier up that decides when nobody holds that role at the village ("" when the
    approver is there)."""
    limits = attendance_limits(village.township.county_id)
    role = policies.approver_role_for(days, secretary_max_days=limits.secretary_max_days)
    return role, policies.escalation_for(role, staffed_approver_roles(village=village))


def villages_missing_approver(*, user):
    """Issue 12 item 5: villages in the scope of a county_org or township_party user that have active cadres
    but no active user as village secretary or as township liaison — their leave goes one tier up.
    Each village carries ``has_secretary`` and ``has_liaison``."""
    scope = get_scope(user)
    cond = Q(township_id__in=scope.townships_holding(Role.TOWNSHIP_PARTY))
    cond |= Q(township__county_id__in=scope.counties_holding(Role.COUNTY_ORG))
    if scope.is_superuser:
        cond = Q()

    def held(role):
        return Exists(RoleAssignment.objects.filter(village=OuterRef("pk"), role=role, is_active=True,
                                                    user__is_active=True))

    active_cadres = Exists(Cadre.objects.filter(village=OuterRef("pk"), status=Cadre.Status.ACTIVE))
    return (Village.objects.filter(cond).filter(active_cadres)
            .annotate(has_secretary=held(Role.VILLAGE_SECRETARY), has_liaison=held(Role.TOWNSHIP_LIAISON))
            .filter(Q(has_secretary=False) | Q(has_liaison=False))
            .select_related("township").order_by("township__code", "code"))


def deputy_choices(*, user):
    """Issue 12 item 5, for the 审批代理 form: whom ``user`` may name a deputy for (themselves, and the approvers
    of their township if they are its party committee), the villages where, and who may stand in (people acting
    in those townships; the service checks the chosen one acts at the village)."""
    scope = get_scope(user)
    party = scope.townships_holding(Role.TOWNSHIP_PARTY)
    own = scope.villages_holding(*policies.APPROVER_ROLES)
    villages = Village.objects.filter(Q(pk__in=own) | Q(township_id__in=party)).order_by("code")
    approvers = RoleAssignment.objects.filter(is_active=True, role__in=policies.APPROVER_ROLES,
                                              village__township_id__in=party).values("user_id")
    principals = User.objects.filter(Q(pk=user.pk) | Q(pk__in=approvers), is_active=True).order_by("username")
    townships = villages.values("township_id")
    staff = RoleAssignment.objects.filter(is_active=True).filter(
        Q(role=Role.TOWNSHIP_PARTY, township_id__in=townships)
        | Q(role__in=policies.APPROVER_ROLES, village__township_id__in=townships)).values("user_id")
    deputies = User.objects.filter(pk__in=staff, is_active=True).exclude(pk=user.pk).order_by("username")
    return principals, villages, deputies


def deputy_list(*, user, villages):
    """The namings the page shows: those at ``villages`` and those naming or naming for ``user``."""
    return (ApproverDeputy.objects.filter(Q(village__in=villages) | Q(deputy=user) | Q(principal=user))
            .select_related("principal", "deputy", "village", "village__township").order_by("-start_date", "-pk"))


def day_sheet_cadres(*, user, date: dt.date, township_id: int | None = None, village_id: int | None = None):
    """Issue 17: the active cadres in the user's scope serving on ``date`` in one township or one village, for
    the day sheet (ordered by village, then name)."""
    rows = cadre_list(user=user).filter(status=Cadre.Status.ACTIVE, appointed_on__lte=date)
    if village_id is not None:
        rows = rows.filter(village_id=village_id)
    elif township_id is not None:
        rows = rows.filter(village__township_id=township_id)
    else:
        rows = rows.none()
    return rows.select_related("village__township").order_by("village__code", "name", "pk")


def day_sheet(cadres, *, date: dt.date, as_of: dt.date) -> list[dict]:
    """Issue 17: one row per cadre for one working day — the recorded mark and the day's one R-24 status as the
    month grid reads it (``day_statuses`` + ``policies.grid_kind``). A day on approved leave (假) takes no mark;
    an overstay or an absence range (逾) and a valid reason without a mark are handled on the month grid, where
    the return is asked for (issue 12 item 2): ``markable`` False for those. Constant queries."""
    cadres = list(cadres)
    marks = {m.cadre_id: m for m in AttendanceDay.objects.filter(cadre__in=cadres, date=date)}
    statuses = {c.pk: s for c, _w, s in day_statuses(cadres, start=date, end=date, as_of=as_of)}
    out = []
    for cadre in cadres:
        mark = marks.get(cadre.pk)
        kind = policies.grid_kind(statuses.get(cadre.pk, {}).get(date), mark.status if mark else None)
        blocked = kind in (policies.LEAVE, policies.OVERSTAY) or (kind == policies.EXCUSED and mark is None)
        out.append({"cadre": cadre, "mark": mark, "kind": kind, "markable": not blocked})
    return out
