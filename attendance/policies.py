"""Pure rule computation for leave and attendance (no database access here).

- R-22 :func:`approver_role_for` — who approves a leave of a given length.
- R-23 :func:`overstay_days` — the working days an unreturned (or late returned) leave turns into overstay.
- R-24 :func:`classify_days` — each working day of a cadre: present/leave/absent/excused/unknown.
- R-25 :func:`absence_runs`, :func:`over_thresholds` — the 15-consecutive / 30-a-year thresholds.
- Issue 12 item 7 :class:`Limits` — the county's values of these rules (defaults), passed in by the callers.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

from core.roles import Role


@dataclass(frozen=True)
class Limits:
    """The county's values for the vague parts of R-22/R-25/R-26 (issue 12 item 7: every default is a
    setting a county can change). The county's row is :class:`attendance.models.AttendanceSetting`, read at
    the time of use by ``attendance.selectors.attendance_limits``; these are the defaults of a county that
    kept them. The functions below take the values as arguments and never read them themselves."""

    #: R-25 (第十一条(4)): more than this many consecutive absence working days opens a case
    run_limit: int = 15
    #: R-25: more than this many absence working days in one calendar year opens a case
    year_limit: int = 30
    #: R-25 default we chose: a day absent *with a valid reason* is treated like leave (it breaks a run and
    #: does not count). False: excused days only "do not count" (skipped like a holiday).
    excused_breaks_run: bool = True
    #: R-26 (第十五条): the village reports incapacity to the township within this many calendar days
    incapacity_report_days: int = 5
    #: R-22: up to and including this many working days the village secretary approves (half-day steps)
    secretary_max_days: Decimal = Decimal("1.0")


DEFAULTS = Limits()
#: R-23 (issue 12 item 1): a return report dated more than this many working days before the day it is made
#: is a late report (补报): it needs a reason and is shown as such to whoever confirms it.
RETURN_REPORT_LATE_DAYS = 3

PRESENT = "present"      # present or official business: breaks a run
LEAVE = "leave"          # on approved leave: breaks a run
ABSENT = "absent"        # 旷工 or overstay, no valid reason: counts
EXCUSED = "excused"      # absent with a valid reason: does not count
UNKNOWN = "unknown"      # nothing recorded: presumed at work (breaks a run)


#: R-22: the roles that approve leave, fixed at submission (the first for short leave, the second otherwise)
APPROVER_ROLES = (Role.VILLAGE_SECRETARY.value, Role.TOWNSHIP_LIAISON.value)
#: issue 12 item 5: the tiers a request can be escalated to, and every role a decision can be made as
ESCALATION_ROLES = (Role.TOWNSHIP_LIAISON.value, Role.TOWNSHIP_PARTY.value)
DECIDER_ROLES = (*APPROVER_ROLES, Role.TOWNSHIP_PARTY.value)


def approver_role_for(days: Decimal, *, secretary_max_days: Decimal) -> str:
    """R-22: ≤ ``secretary_max_days`` working days (default 1) → the village secretary; more → the
    village's township liaison."""
    short, longer = APPROVER_ROLES
    return short if days <= secretary_max_days else longer


#: issue 12 item 5: the next tier up when nobody holds a role at the village
NEXT_TIER = {
    Role.VILLAGE_SECRETARY.value: Role.TOWNSHIP_LIAISON.value,
    Role.TOWNSHIP_LIAISON.value: Role.TOWNSHIP_PARTY.value,
}


def escalation_for(approver_role: str, staffed: set[str]) -> str:
    """Issue 12 item 5: who decides when nobody holds ``approver_role`` at the village (``staffed``: the
    village roles that have an active user). "" when the approver is there; otherwise the first tier up
    that is staffed — the liaison for a missing secretary, then the township party committee, which is
    always the last resort (even when it has no account either, so the request is never ownerless)."""
    if approver_role in staffed:
        return ""
    role = NEXT_TIER[approver_role]
    while role in NEXT_TIER and role not in staffed:
        role = NEXT_TIER[role]
    return role


def days_between(workdays: list[dt.date], first: dt.date, last: dt.date) -> list[dt.date]:
    """The working days d with ``first <= d <= last``; ``workdays`` is sorted (a slice found by bisection,
    so a year of data for tens of thousands of cadres costs no scan per leave — issue 8)."""
    if last < first:
        return []
    return workdays[bisect_left(workdays, first):bisect_right(workdays, last)]


def leave_covered_days(workdays: list[dt.date], *, start: dt.date, end: dt.date,
                       returned_on: dt.date | None) -> set[dt.date]:
    """Working days an approved leave covers; a cadre back early is at work from ``returned_on``.
    ``workdays`` ascending."""
    last = end if returned_on is None or returned_on > end else returned_on - dt.timedelta(days=1)
    return set(days_between(workdays, start, last))


def overstay_days(workdays: list[dt.date], *, end: dt.date, returned_on: dt.date | None,
                  as_of: dt.date) -> set[dt.date]:
    """R-23: working days after the leave's end until the return (exclusive), or until ``as_of``.
    ``workdays`` ascending."""
    last = as_of if returned_on is None else min(as_of, returned_on - dt.timedelta(days=1))
    return set(days_between(workdays, end + dt.timedelta(days=1), last))


def report_lag(workdays: list[dt.date], *, returned_on: dt.date, reported_on: dt.date) -> int:
    """R-23: how many working days a return report is behind the day it is made: the working days after
    ``returned_on`` up to and including ``reported_on`` (back on Monday, reported on Friday: 4)."""
    return len(days_between(workdays, returned_on + dt.timedelta(days=1), reported_on))


def report_is_late(lag: int) -> bool:
    """R-23: a report more than RETURN_REPORT_LATE_DAYS working days behind needs a reason (3 is not, 4 is)."""
    return lag > RETURN_REPORT_LATE_DAYS


def cap_overstay(overstay: set[dt.date], *, next_start: dt.date | None) -> set[dt.date]:
    """R-23: an unreturned leave's overstay stops where the cadre's next approved leave (an extension, 续假)
    begins: from there that leave covers the days, and its own return (or overstay) tells the rest."""
    if next_start is None:
        return overstay
    return {d for d in overstay if d < next_start}


@dataclass
class DayFacts:
    """What is recorded about one cadre, as sets of dates."""

    present: set = field(default_factory=set)   # marked present or official business
    leave: set = field(default_factory=set)     # covered by approved leave
    excused: set = field(default_factory=set)   # absence with a valid reason
    absent: set = field(default_factory=set)    # 旷工 marks and ranges
    overstay: set = field(default_factory=set)  # after an approved leave, before its confirmed return
    trip: set = field(default_factory=set)      # covered by an official trip (R-27; also in ``present``)


def classify_days(workdays: list[dt.date], facts: DayFacts) -> dict[dt.date, str]:
    """R-24: one status per working day. Present/official beats leave beats excused beats absent — except
    on an overstay day (R-23, issue 12 item 2): until the approving side confirms the return, a mark
    "present" does not make the cadre back; only leave (an extension) or a valid reason changes it."""
    out = {}
    for d in workdays:
        if d in facts.present and d not in facts.overstay:
            out[d] = PRESENT
        elif d in facts.leave:
            out[d] = LEAVE
        elif d in facts.excused:
            out[d] = EXCUSED
        elif d in facts.absent or d in facts.overstay:
            out[d] = ABSENT
        else:
            out[d] = UNKNOWN
    return out


#: how the month grid shows a working day whose absence is not a 旷工 mark (overstay, an absence range)
OVERSTAY = "overstay"


def grid_kind(status: str | None, mark_status: str | None) -> str:
    """R-24 as the month grid shows a working day: the day's one status from :func:`classify_days`, told
    apart by the secretary's mark only where the status itself is silent — official business from
    presence, a 旷工 mark from other absence. "" for a day not classified (outside the cadre's service)."""
    if status == PRESENT:
        return mark_status or PRESENT
    if status == ABSENT:
        return ABSENT if mark_status == ABSENT else OVERSTAY
    if status in (LEAVE, EXCUSED):
        return status
    return ""


@dataclass(frozen=True)
class Run:
    first: dt.date
    last: dt.date
    days: int


def absence_runs(workdays: list[dt.date], statuses: dict[dt.date, str], *, excused_breaks_run: bool) -> list[Run]:
    """R-25: maximal runs of consecutive absence working days. Only working days are in ``workdays``,
    so weekends and holidays neither count nor break; present, leave and unknown days break; excused
    days break when ``excused_breaks_run``, otherwise they are skipped like a holiday."""
    runs = []
    first = last = None
    n = 0
    for d in workdays:
        status = statuses.get(d, UNKNOWN)
        if status == ABSENT:
            if first is None:
                first = d
            last = d
            n += 1
        elif status == EXCUSED and not excused_breaks_run:
            continue
        elif first is not None:
            runs.append(Run(first, last, n))
            first, n = None, 0
    if first is not None:
        runs.append(Run(first, last, n))
    return runs


def current_run(workdays: list[dt.date], statuses: dict[dt.date, str], *, today: dt.date,
                excused_breaks_run: bool) -> Run | None:
    """R-25, issue 12 item 4: the run still going on — the run up to the last working day before ``today``,
    plus today once something is recorded for it (today not yet marked does not end the run). None when
    that day was not an absence day."""
    days = [d for d in workdays if d < today]
    if today in workdays and statuses.get(today, UNKNOWN) != UNKNOWN:
        days.append(today)
    runs = absence_runs(days, statuses, excused_breaks_run=excused_breaks_run)
    if not runs:
        return None
    after = days[bisect_right(days, runs[-1].last):]
    if all(statuses.get(d) == EXCUSED and not excused_breaks_run for d in after):
        return runs[-1]
    return None


def year_runs(workdays: list[dt.date], statuses: dict[dt.date, str], year: int, *,
              excused_breaks_run: bool) -> list[Run]:
    """R-25 as the absences page lists it: the runs of absence days within one calendar year (a run across
    New Year shows in both years, each with its own days), so their days add up to the year's count."""
    return absence_runs([d for d in workdays if d.year == year], statuses, excused_breaks_run=excused_breaks_run)


def year_absence_days(statuses: dict[dt.date, str], year: int) -> int:
    return sum(1 for d, s in statuses.items() if s == ABSENT and d.year == year)


@dataclass(frozen=True)
class Breach:
    kind: str      # "run" or "year"
    key: str       # stable per run / per year: reruns open nothing new
    days: int
    first: dt.date
    last: dt.date


def over_thresholds(workdays: list[dt.date], statuses: dict[dt.date, str], *, years: list[int],
                    limits: Limits) -> list[Breach]:
    """R-25: a run of more than ``limits.run_limit`` days (by default 16 is over, 15 is not), and a calendar
    year with more than ``limits.year_limit`` days (by default 31 is over, 30 is not)."""
    out = []
    for run in absence_runs(workdays, statuses, excused_breaks_run=limits.excused_breaks_run):
        if run.days > limits.run_limit:
            out.append(Breach("run", f"absence-run:{run.first.isoformat()}", run.days, run.first, run.last))
    for year in years:
        n = year_absence_days(statuses, year)
        if n > limits.year_limit:
            days = sorted(d for d, s in statuses.items() if s == ABSENT and d.year == year)
            out.append(Breach("year", f"absence-year:{year}", n, days[0], days[-1]))
    return out


@dataclass(frozen=True)
class CaseLink:
    """Issue 12 item 3: what the R-25 job knows of an absence case it opened: its key and the absence
    (``start``–``end``) it was opened for, as last seen."""

    pk: int
    key: str
    start: dt.date | None
    end: dt.date | None
    open: bool


RUN_KEY = "absence-run:"
YEAR_KEY = "absence-year:"


def link_breaches(breaches: list[Breach], cases: list[CaseLink]) -> tuple[list[tuple[Breach, CaseLink | None]],
                                                                          list[CaseLink]]:
    """R-25 with issue 12 item 3: a discipline case belongs to an absence, not to its first date. Each breach
    gets the case already opened for it — a year's case by its key, a run's case when its dates overlap the
    run (a correction that moves the run's first day keeps the case), each case at most once — or None (a new
    case is due). Also returns the cases no breach took (their absence is no longer over a threshold)."""
    taken: set[int] = set()
    out = []
    for breach in breaches:
        found = None
        for case in cases:
            if case.pk in taken:
                continue
            if breach.kind == "year" or not case.key.startswith(RUN_KEY):
                if case.key == breach.key:
                    found = case
            elif case.key == breach.key or (case.start is not None and case.start <= breach.last
                                            and (case.end or case.start) >= breach.first):
                found = case
            if found is not None:
                break
        if found is not None:
            taken.add(found.pk)
        out.append((breach, found))
    return out, [c for c in cases if c.pk not in taken]


def free_key(key: str, used: set[str]) -> str:
    """A case key not yet used by the cadre: a new run whose first day is the old first day of a corrected
    run that moved on gets ``…#2``, so the database's once-per-key rule never swallows a new case."""
    n, candidate = 1, key
    while candidate in used:
        n += 1
        candidate = f"{key}#{n}"
    return candidate


def incapacity_state(*, discovered_on: dt.date, reported_on: dt.date | None, as_of: dt.date,
                     report_days: int) -> str:
    """R-26: "ok", "late" (reported more than ``report_days`` days after discovery, default 5),
    "unreported" (past them) or "pending" (not yet reported, still in time)."""
    limit = dt.timedelta(days=report_days)
    if reported_on is not None:
        return "late" if reported_on - discovered_on > limit else "ok"
    return "unreported" if as_of - discovered_on > limit else "pending"


# -- R-28 duty rota ------------------------------------------------------------------------------

#: R-28: the township's choices of duty days (attendance.models.DutySchedule.Days)
DUTY_WORKDAYS, DUTY_MON_FRI, DUTY_EVERY_DAY = "workdays", "mon_fri", "every_day"


def is_duty_day(day: dt.date, *, days: str, holidays: bool, workday: bool) -> bool:
    """R-28: does the township's schedule want duty on ``day``? ``workday`` is the R-20 calendar's answer.

    A *holiday* here is a Monday–Friday day the calendar gives off (国庆, 春节 …). The schedule's base is
    the official working days (with the 调休 Saturdays), Monday to Friday, or every day; holidays are duty
    days only when the schedule says so (``holidays``), whatever the base."""
    holiday = not workday and day.weekday() < 5
    if holiday:
        return holidays
    if days == DUTY_WORKDAYS:
        return workday
    if days == DUTY_MON_FRI:
        return day.weekday() < 5
    return days == DUTY_EVERY_DAY


def round_robin(days: list[dt.date], people: list, per_day) -> list[tuple[dt.date, int, object]]:
    """R-28: the month drawn from a pattern: ``per_day`` people a day (an int, or {day: int} when the
    schedule changes within the month; fewer when fewer are chosen), taken in turn from ``people`` over
    ``days``, so everyone is on duty as often as the others (±1). Returns (day, slot from 1, person)."""
    if not people:
        return []
    out, turn = [], 0
    for day in days:
        wanted = per_day[day] if isinstance(per_day, dict) else per_day
        for slot in range(1, min(wanted, len(people)) + 1):
            out.append((day, slot, people[turn % len(people)]))
            turn += 1
    return out
