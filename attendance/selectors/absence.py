"""The set-based read of absence data that the R-25 job runs on, and the absence summary."""

from __future__ import annotations

import datetime as dt
import json

from django.db.models import DateField, F, Func, Q

from attendance import policies
from attendance.models import Absence, AttendanceDay, LeaveRequest, OfficialTrip
from attendance.selectors.days import day_statuses
from attendance.selectors.lists import S, T, limits_by_county
from cadres.models import Cadre
from cadres.selectors import cadre_list
from core import calendar
from core.models import CalendarOverride


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

    def past_end(model, away: str, back: str):
        """Rows of ``model`` (``away``: not back yet, ``back``: returned) with a working day after their end
        on which the cadre was not back, by ``as_of``."""
        return model.objects.alias(
            next_workday=_NextWorkday(F("end_date"), start=start, end=end, days=list(maybe_work))
        ).filter(
            Q(status=away, end_date__lt=as_of, next_workday__lte=as_of)
            | Q(status=back, returned_on__gt=F("end_date"), returned_on__gte=start,
                next_workday__lt=F("returned_on"), next_workday__lte=as_of)
        )

    overstayed = past_end(LeaveRequest, S.APPROVED, S.RETURNED).filter(overstay_reason="").values("cadre_id")
    # a trip past its end without a confirmed return is a signal exactly as a leave is
    trip_overstayed = past_end(OfficialTrip, T.OPEN, T.RETURNED).values("cadre_id")
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
