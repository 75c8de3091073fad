"""R-24/R-25: what each working day was, for many cadres at once (the grid, the calendar, the day sheet, overstays)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache

from django.db.models import Count, Exists, OuterRef, Q, Sum

from attendance import policies
from attendance.models import Absence, AttendanceDay, LeaveRequest, OfficialTrip
from attendance.selectors.lists import CAL_ABSENT, CAL_EXCUSED, CAL_LEAVE, CAL_OFFICIAL, CAL_OVERSTAY, CAL_PENDING, S, T
from cadres.models import Cadre
from cadres.selectors import cadre_list
from core import calendar
from core.models import CalendarOverride


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
