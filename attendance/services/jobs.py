"""The daily jobs (R-23, R-25): overdue returns, escalation of orphaned requests and the absence
thresholds that open discipline cases; the tasks and the "run now" button call :func:`run_daily_checks`."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import permissions, policies
from attendance.models import LeaveRequest
from attendance.selectors import absence_candidates, day_statuses, limits_by_county
from attendance.services._base import S, approvers, enforce, leave_url, notify_overdue
from attendance.services.leave import escalate_orphaned_leaves
from attendance.services.trips import notify_overdue_trips
from cadres.models import Cadre, DisciplineCase
from cadres.services import discipline_case_track_absence, discipline_cases_open_bulk
from core.roles import Role
from core.selectors import users_with_role
from core.services import notify, notify_bulk


def notify_overdue_returns(*, as_of: dt.date) -> int:
    """R-23: approved leave past its end and not returned: tell the cadre, the secretary and the
    approver once per leave. Returns how many leaves were newly flagged. A leave whose return the cadre has
    reported is not "逾期不归" to them: the approving side already holds the report's notice and confirms it
    (overstay still counts until then, R-23)."""
    leaves = (LeaveRequest.objects.filter(status=S.APPROVED, end_date__lt=as_of, return_reported_on__isnull=True)
              .select_related("cadre__village__township", "cadre__user"))
    return notify_overdue(leaves, as_of=as_of, kind="leave_overdue", key="leave-overdue", url=leave_url,
                          others=lambda leave: list(approvers(leave)) + [u for u in (leave.cadre.user,) if u is not None],
                          title=_("%(n)s的请假已于%(d)s到期，尚未销假（逾期不归）"))


def _case_details(breach: policies.Breach, limits: policies.Limits) -> str:
    """The case's facts, naming the county's threshold that was passed (issue 12 item 7)."""
    if breach.kind == "run":
        return _("%(a)s至%(b)s连续旷工（含请假期满逾期不归）%(n)s个工作日，超过规定的连续%(k)s天（管理办法第十一条（四））。") % {
            "a": breach.first, "b": breach.last, "n": breach.days, "k": limits.run_limit}
    return _("%(y)s年内累计旷工（含请假期满逾期不归）%(n)s个工作日（%(a)s至%(b)s间），超过规定的一年累计%(k)s天（管理办法第十一条（四））。") % {
        "y": breach.key.rsplit(":", 1)[1], "n": breach.days, "a": breach.first, "b": breach.last,
        "k": limits.year_limit}


def _review_note(case: policies.CaseLink, runs: list[policies.Run], statuses, workdays,
                 limits: policies.Limits) -> tuple[str, tuple]:
    """Issue 12 item 3: why an open case's absence is no longer over the threshold (the county's, item 7),
    and the dates it keeps."""
    if case.key.startswith(policies.YEAR_KEY):
        year = int(case.key.rsplit(":", 1)[1][:4])
        n = policies.year_absence_days(statuses, year)
        return _("更正后，%(y)s年累计旷工%(n)s个工作日，未超过一年累计%(k)s天的规定。请县委组织部复核此案。") % {
            "y": year, "n": n, "k": limits.year_limit}, (case.start, case.end)
    first, last = case.start, case.end or case.start
    overlapping = [r for r in runs if r.first <= last and r.last >= first]
    if not overlapping:
        return _("更正后，%(a)s至%(b)s已没有连续旷工，未超过连续%(k)s天的规定。请县委组织部复核此案。") % {
            "a": first, "b": last, "k": limits.run_limit}, (first, last)
    run = max(overlapping, key=lambda r: r.days)
    return _("更正后，%(a)s至%(b)s连续旷工%(n)s个工作日，未超过连续%(k)s天的规定。请县委组织部复核此案。") % {
        "a": run.first, "b": run.last, "n": run.days, "k": limits.run_limit}, (run.first, run.last)


def check_absence_thresholds(*, as_of: dt.date, cadres=None, open_new: bool = True) -> int:
    """R-25: open one discipline case (category ``absence``) per run of more than 15 consecutive
    absence working days and per calendar year of more than 30 (the cadre's county's values, read at the
    start of this run: issue 12 item 7), and notify the township party committee and the county.
    Rerunning opens nothing new. Returns the number of cases opened.

    Issue 12 item 3: a case belongs to its absence. A run whose dates were corrected finds its case by
    overlap (no second case); an open case whose absence a correction left at or below the threshold is
    flagged for the county's review (never deleted), and the flag clears when it is over again.
    ``cadres``/``open_new``: the corrections re-check one cadre at once, without opening cases.

    Issue 19 item 6: the candidates are streamed a few whole counties at a time (memory bounded by the
    chunk, not the country), and the cases a chunk opens are written together: one INSERT for the cases,
    one for their history, two for their notices, whatever their number."""
    return _AbsenceJob(as_of=as_of, open_new=open_new).run(cadres)


#: whole counties are read together until they hold this many candidate cadres (bounded memory, few queries)
CHUNK_CADRES = 2000


def _by_county(cadres):
    """Stream ``cadres`` ordered by county, a few whole counties at a time (never a county split, at most
    about :data:`CHUNK_CADRES` cadres unless one county alone has more): memory stays flat in the number
    of cadres, and the queries per chunk are constant."""
    chunk: list = []
    for _county, group in groupby(cadres.order_by("village__township__county_id", "pk").iterator(chunk_size=2000),
                                  key=lambda cadre: cadre.village.township.county_id):
        chunk.extend(group)
        if len(chunk) >= CHUNK_CADRES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _AbsenceJob:
    """What a run of the R-25 check reads once (every county's thresholds, the open cases, the people told),
    and the check of a chunk of whole counties."""

    def __init__(self, *, as_of: dt.date, open_new: bool):
        self.as_of, self.open_new = as_of, open_new
        self.years = [as_of.year - 1, as_of.year]
        self.window = dt.date(as_of.year - 1, 1, 1)
        self.desks: dict[tuple, list] = {}  # (role, unit id) → users, looked up once per township/county
        self.limits = limits_by_county()  # each county's thresholds, once per run (issue 12 item 7)

    def desk(self, role, **unit):
        key = (role, *(u.pk for u in unit.values()))
        if key not in self.desks:
            self.desks[key] = list(users_with_role(role, **unit))
        return self.desks[key]

    def desks_of(self, cadre):
        return (self.desk(Role.TOWNSHIP_PARTY, township=cadre.village.township)
                + self.desk(Role.COUNTY_ORG, county=cadre.village.township.county))

    def run(self, cadres) -> int:
        as_of, window = self.as_of, self.window
        # the open cases this job opened whose absence lies in the window: re-checked whatever their days now
        # (their cadres' ids: as many as open cases, not cadres)
        tracked = DisciplineCase.objects.filter(source="absence_job", status=DisciplineCase.Status.OPEN,
                                                absence_end__gte=window)
        if cadres is not None:
            tracked = tracked.filter(cadre__in=cadres)
        tracked_ids = set(tracked.values_list("cadre_id", flat=True))
        opened, seen = 0, set()
        candidates = absence_candidates(start=window, end=as_of, as_of=as_of, cadres=cadres)
        for group in _by_county(candidates):
            # a cadre with fewer candidate absence days than the lowest threshold of any county cannot breach
            rows = day_statuses(group, start=window, end=as_of, as_of=as_of,
                                min_absent_days=self.limits.min_absent_days())
            seen.update(cadre.pk for cadre, _w, _s in rows)
            opened += self.check(rows, tracked_ids)
        if tracked_ids - seen:  # open cases whose absence lost its signals or days: re-checked all the same
            more = Cadre.objects.filter(pk__in=tracked_ids - seen).select_related("village__township__county")
            for group in _by_county(more):
                opened += self.check(day_statuses(group, start=window, end=as_of, as_of=as_of), tracked_ids)
        return opened

    def check(self, found, tracked_ids: set) -> int:
        """A chunk of whole counties' cadres ``(cadre, workdays, statuses)``: link, open, flag for review."""
        limits, as_of = self.limits, self.as_of
        rows = {cadre.pk: (cadre, workdays, statuses) for cadre, workdays, statuses in found}
        breaches = {pk: policies.over_thresholds(workdays, statuses, years=self.years,
                                                 limits=limits[c.village.township.county_id])
                    for pk, (c, workdays, statuses) in rows.items()}
        # cases already opened by an earlier run: one query, not one per breach (a rerun opens nothing)
        known: dict[int, list] = {}
        wanted = [pk for pk in rows if breaches[pk] or pk in tracked_ids]
        for case in (DisciplineCase.objects.filter(cadre_id__in=wanted, source="absence_job").order_by("pk")
                     if wanted else []):
            known.setdefault(case.cadre_id, []).append(case)
        new_cases: list[DisciplineCase] = []
        for pk, (cadre, workdays, statuses) in rows.items():
            lim = limits[cadre.village.township.county_id]
            cases = {c.pk: c for c in known.get(pk, [])}
            links = [policies.CaseLink(c.pk, c.key, c.absence_start, c.absence_end,
                                       c.status == DisciplineCase.Status.OPEN) for c in cases.values()]
            linked, unmatched = policies.link_breaches(breaches[pk], links)
            used_keys = {c.key for c in cases.values()}
            for breach, link in linked:
                if link is not None:
                    case = cases[link.pk]
                    if link.open and (case.absence_start, case.absence_end, case.review_note) != (
                            breach.first, breach.last, ""):
                        discipline_case_track_absence(case=case, start=breach.first, end=breach.last,
                                                      review_note="", as_of=as_of)
                    continue
                if not self.open_new:
                    continue
                key = policies.free_key(breach.key, used_keys)
                used_keys.add(key)
                new_cases.append(DisciplineCase(
                    cadre=cadre, category="absence", opened_on=as_of, details=_case_details(breach, lim),
                    source="absence_job", key=key, absence_start=breach.first, absence_end=breach.last))
            self._review(cadre, cases, unmatched, workdays, statuses, lim)
        return self._open(new_cases)

    def _review(self, cadre, cases, unmatched, workdays, statuses, lim) -> None:
        """Issue 12 item 3: flag for review the open cases a correction left at or below the threshold."""
        runs = None
        for link in unmatched:
            if not link.open or link.start is None or (link.end or link.start) < self.window:
                continue
            if runs is None:
                runs = policies.absence_runs(workdays, statuses, excused_breaks_run=lim.excused_breaks_run)
            note, (first, last) = _review_note(link, runs, statuses, workdays, lim)
            case = cases[link.pk]
            if case.review_note == note and (case.absence_start, case.absence_end) == (first, last):
                continue
            if discipline_case_track_absence(case=case, start=first, end=last, review_note=note, as_of=self.as_of):
                title = _("%(v)s后备干部%(n)s的旷工记录已更正，未再超过规定天数，请复核已立案件") % {
                    "v": cadre.village.name, "n": cadre.name}
                notify(users=self.desks_of(cadre), kind="absence_case_review", title=title, body=note,
                       url=_url("supervision:case_detail", case.pk), key=f"absence-case-review:{case.pk}:{self.as_of}")

    def _open(self, new_cases: list[DisciplineCase]) -> int:
        """The group's new cases, set-based: the cases with their history, then every notice at once."""
        if not new_cases:
            return 0
        opened = discipline_cases_open_bulk(cases=new_cases)
        notify_bulk([{"users": self.desks_of(case.cadre), "kind": "absence_case", "body": case.details,
                      "title": _("%(t)s%(v)s后备干部%(n)s旷工超过规定天数，已自动立案") % {
                          "t": case.cadre.village.township.name, "v": case.cadre.village.name,
                          "n": case.cadre.name},
                      "url": _url("cadres:detail", case.cadre.pk), "key": f"absence-case:{case.pk}"}
                     for case in opened])
        return len(opened)


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except Exception:  # noqa: BLE001 - the link is a convenience
        return ""


def run_daily_checks(*, as_of: dt.date | None = None) -> int:
    """R-23 + R-25 (+ R-27 overdue trips), the daily job, in ONE transaction: a job killed midway leaves no case without its
    notices (a rerun would never send them), and the rerun (core.jobs catch-up) does the whole day again."""
    as_of = as_of or timezone.localdate()
    try:
        with transaction.atomic():
            escalate_orphaned_leaves()
            notify_overdue_returns(as_of=as_of)
            notify_overdue_trips(as_of=as_of)
            return check_absence_thresholds(as_of=as_of)
    except IntegrityError:  # pragma: no cover - two workers at once: the other one opened it
        return 0


def run_daily_checks_now(*, by, as_of: dt.date | None = None) -> int:
    """The R-25 check run now from the absences page, by the county or a township party committee."""
    enforce(by, permissions.can_run_absence_check, message=_("只有县委组织部或乡（镇）党委可以立即运行旷工检查。"))
    return run_daily_checks(as_of=as_of)
