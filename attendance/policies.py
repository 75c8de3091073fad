"""Pure rule computation for leave and attendance (no database access here).

- R-22 :func:`approver_role_for` — who approves a leave of a given length.
- R-23 :func:`overstay_days` — the working days an unreturned (or late returned) leave turns into overstay.
- R-24 :func:`classify_days` — each working day of a cadre: present/leave/absent/excused/unknown.
- R-25 :func:`absence_runs`, :func:`over_thresholds` — the 15-consecutive / 30-a-year thresholds.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from core.roles import Role

#: R-22: up to and including this many working days the village secretary approves
SECRETARY_MAX_DAYS = Decimal(str(getattr(settings, "LEAVE_SECRETARY_MAX_DAYS", "1.0")))
#: R-25 (第十一条(4)): more than this many consecutive absence working days opens a case
RUN_LIMIT = int(getattr(settings, "ABSENCE_RUN_LIMIT", 15))
#: R-25: more than this many absence working days in one calendar year opens a case
YEAR_LIMIT = int(getattr(settings, "ABSENCE_YEAR_LIMIT", 30))
#: R-25 default we chose: a day absent *with a valid reason* is treated like leave (it breaks a run and
#: does not count). A county that wants excused days only "not to count" sets this to False.
EXCUSED_BREAKS_RUN = bool(getattr(settings, "ABSENCE_EXCUSED_BREAKS_RUN", True))
#: R-23 (issue 12 item 1): a return report dated more than this many working days before the day it is made
#: is a late report (补报): it needs a reason and is shown as such to whoever confirms it. A single named
#: constant on purpose: it is moving into the per-county settings with the other attendance numbers.
RETURN_REPORT_LATE_DAYS = 3
#: R-26 (第十五条): the village reports incapacity to the township within this many days of discovery
INCAPACITY_REPORT_DAYS = int(getattr(settings, "INCAPACITY_REPORT_DAYS", 5))

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


def approver_role_for(days: Decimal) -> str:
    """R-22: ≤ 1 working day → the village secretary; more → the village's township liaison."""
    short, longer = APPROVER_ROLES
    return short if days <= SECRETARY_MAX_DAYS else longer


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


def absence_runs(workdays: list[dt.date], statuses: dict[dt.date, str]) -> list[Run]:
    """R-25: maximal runs of consecutive absence working days. Only working days are in ``workdays``,
    so weekends and holidays neither count nor break; present, leave and unknown days break; excused
    days break when EXCUSED_BREAKS_RUN, otherwise they are skipped like a holiday."""
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
        elif status == EXCUSED and not EXCUSED_BREAKS_RUN:
            continue
        elif first is not None:
            runs.append(Run(first, last, n))
            first, n = None, 0
    if first is not None:
        runs.append(Run(first, last, n))
    return runs


def year_absence_days(statuses: dict[dt.date, str], year: int) -> int:
    return sum(1 for d, s in statuses.items() if s == ABSENT and d.year == year)


@dataclass(frozen=True)
class Breach:
    kind: str      # "run" or "year"
    key: str       # stable per run / per year: reruns open nothing new
    days: int
    first: dt.date
    last: dt.date


def over_thresholds(workdays: list[dt.date], statuses: dict[dt.date, str], *, years: list[int]) -> list[Breach]:
    """R-25: a run of more than RUN_LIMIT days (16 is over, 15 is not), and a calendar year with more
    than YEAR_LIMIT days (31 is over, 30 is not)."""
    out = []
    for run in absence_runs(workdays, statuses):
        if run.days > RUN_LIMIT:
            out.append(Breach("run", f"absence-run:{run.first.isoformat()}", run.days, run.first, run.last))
    for year in years:
        n = year_absence_days(statuses, year)
        if n > YEAR_LIMIT:
            days = sorted(d for d, s in statuses.items() if s == ABSENT and d.year == year)
            out.append(Breach("year", f"absence-year:{year}", n, days[0], days[-1]))
    return out


def incapacity_state(*, discovered_on: dt.date, reported_on: dt.date | None, as_of: dt.date) -> str:
    """R-26: "ok", "late" (reported more than 5 days after discovery) or "unreported" (past 5 days)."""
    limit = dt.timedelta(days=INCAPACITY_REPORT_DAYS)
    if reported_on is not None:
        return "late" if reported_on - discovered_on > limit else "ok"
    return "unreported" if as_of - discovered_on > limit else "pending"
