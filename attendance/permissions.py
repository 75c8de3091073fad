"""Who may do what with leave, attendance, absences, incapacity reports and the working calendar.

One function per decision: it takes the user's :class:`core.scope.Scope` and the objects concerned and
answers yes or no, without touching the database. The services enforce these answers (PermissionDenied
→ 403); views, the API and templates only ask them (to show a button, to choose 403 over 404). The
role sets live here and nowhere else; the R-22 rule data (which role approves how long a leave, the
tiers above it) lives in :mod:`attendance.policies`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from attendance import policies
from cadres.models import Cadre
from core.roles import Role

#: R-21/R-23: who records a leave received by WeChat or SMS, and a return (销假), for a cadre of their village
RECORDER_ROLES = frozenset({Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON})
#: R-23: who records a valid reason for an overstay
EXCUSE_ROLES = frozenset({Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON, Role.TOWNSHIP_PARTY, Role.COUNTY_ORG})
#: R-24: who marks the attendance grid
MARK_ROLES = frozenset({Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY})
#: R-24: who records a range of absence
ABSENCE_ROLES = frozenset({Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY})
#: R-26: who records an incapacity report, and who reads them
INCAPACITY_ROLES = frozenset({Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY})
INCAPACITY_READERS = frozenset({Role.COUNTY_ORG, Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON})
#: R-20: who adjusts the county's working calendar (and reads a leave's history)
CALENDAR_ROLES = frozenset({Role.COUNTY_ORG})
#: issue 12 item 7: who edits the county's attendance settings (thresholds, report days, approval limit)
SETTINGS_ROLES = frozenset({Role.COUNTY_ORG})
#: R-25: who runs the absence check now instead of waiting for the night
CHECK_ROLES = frozenset({Role.COUNTY_ORG, Role.TOWNSHIP_PARTY})
#: R-23 记录备案: who downloads a village's leave register
REGISTER_ROLES = frozenset({Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON, Role.TOWNSHIP_PARTY, Role.COUNTY_ORG})
#: R-27: who records an official trip (因公外出) for a cadre of their village, and confirms its return
TRIP_ROLES = frozenset({Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON, Role.TOWNSHIP_PARTY})
#: R-27: who reads the trips of their scope (a cadre reads their own)
TRIP_READERS = frozenset({*TRIP_ROLES, Role.COUNTY_ORG})


def is_own(scope, cadre) -> bool:
    """The user is this cadre (signed in with the cadre's own account)."""
    return cadre.pk in scope.cadre_ids


def recorder_village_ids(scope) -> list[int]:
    """Villages where the user records leave for others (held there directly, never inherited)."""
    return scope.villages_holding(*RECORDER_ROLES)


# -- leave (R-21, R-22, R-23) ----------------------------------------------------------------

def can_submit_leave(scope, cadre) -> bool:
    """R-21: the cadre asks, or their village's secretary or liaison records a request received otherwise."""
    return is_own(scope, cadre) or bool(scope.roles_held(village_id=cadre.village_id) & RECORDER_ROLES)


def can_ask_own_leave(scope, cadre) -> bool:
    """R-21: a cadre asks for their own leave while serving; one disqualified or gone is not offered 我要请假."""
    return cadre is not None and is_own(scope, cadre) and cadre.status == Cadre.Status.ACTIVE


def asks_only_for_self(scope) -> bool:
    """A cadre without a role at any village may ask for leave only for themselves."""
    return bool(scope.cadre_ids) and not scope.at_village


def deciding_role(scope, leave) -> str:
    """R-22: the role in which the user may decide ``leave`` ("" = may not): the approver fixed at
    submission, held at the cadre's village, or the tier the request was escalated to because that
    approver was missing (issue 12 item 5: the liaison at the village, the township party committee)."""
    village = leave.cadre.village
    held = scope.roles_held(village_id=village.pk)
    if leave.approver_role in held:
        return leave.approver_role
    if leave.escalated_to == Role.TOWNSHIP_PARTY:
        if Role.TOWNSHIP_PARTY in scope.roles_held(township_id=village.township_id):
            return Role.TOWNSHIP_PARTY.value
    elif leave.escalated_to and leave.escalated_to in held:
        return leave.escalated_to
    # a deputy the approver named for today stands in for that approver at that village
    for role in (leave.approver_role, leave.escalated_to):
        if role in policies.APPROVER_ROLES and (role, village.pk) in scope.deputy_for():
            return role
    return ""


def is_deputy_decision(scope, leave) -> bool:
    """The user decides ``leave`` only as a deputy (not in a role of their own)."""
    role = deciding_role(scope, leave)
    village = leave.cadre.village
    return bool(role) and role not in scope.roles_held(village_id=village.pk) and not (
        role == Role.TOWNSHIP_PARTY and role in scope.roles_held(township_id=village.township_id))


def can_name_deputy(scope, *, role: str, village) -> bool:
    """Issue 12 item 5: the approver names their own deputy (holding ``role`` at ``village``), or the township
    party committee of the village's township names one for them."""
    return (role in policies.APPROVER_ROLES and role in scope.roles_held(village_id=village.pk)) or \
        Role.TOWNSHIP_PARTY in scope.roles_held(township_id=village.township_id)


def can_be_deputy(deputy_scope, *, village) -> bool:
    """A deputy works in the same scope: someone who already acts at the village — its secretary or liaison,
    or the township party committee of its township."""
    staff = {*policies.APPROVER_ROLES, Role.TOWNSHIP_PARTY.value}
    return bool(deputy_scope.roles_held(village_id=village.pk) & staff)


def can_decide_leave(scope, leave) -> bool:
    """R-22: only the approver fixed at submission (or the tier it was escalated to) decides; nobody else."""
    return bool(deciding_role(scope, leave))


def decidable_q(scope) -> Q:
    """R-22, as a filter on leave requests: the ones :func:`can_decide_leave` says yes to."""
    cond = Q(pk__in=[])
    for role in policies.APPROVER_ROLES:
        villages = scope.villages_holding(role)
        if villages:
            cond |= Q(cadre__village_id__in=villages) & (Q(approver_role=role) | Q(escalated_to=role))
    party = scope.townships_holding(Role.TOWNSHIP_PARTY)
    if party:
        cond |= Q(cadre__village__township_id__in=party, escalated_to=Role.TOWNSHIP_PARTY)
    for role, village_id in scope.deputy_for():  # issue 12 item 5
        cond |= Q(cadre__village_id=village_id) & (Q(approver_role=role) | Q(escalated_to=role))
    return cond


def decides_leave(scope) -> bool:
    """The user may be asked to decide some leave (an approver at a village, or a township party committee
    that receives escalated requests): the badge and the "waiting for me" list are worth a query."""
    return bool(scope.villages_holding(*policies.APPROVER_ROLES) or scope.townships_holding(Role.TOWNSHIP_PARTY))


def can_cancel_leave(scope, leave) -> bool:
    """The cadre, or whoever recorded the request, withdraws it."""
    return is_own(scope, leave.cadre) or (scope.user_id is not None and leave.submitted_by_id == scope.user_id)


def can_report_return(scope, leave) -> bool:
    """R-23 销假 (issue 12 item 1): the cadre reports back, or the village's secretary or liaison reports for
    them; a report is not the return until the approving side confirms it."""
    return is_own(scope, leave.cadre) or bool(scope.roles_held(village_id=leave.cadre.village_id) & RECORDER_ROLES)


def can_confirm_return(scope, leave) -> bool:
    """R-23 (issue 12 item 1): the approving side records the return — a holder, at the cadre's village, of
    the role that decided the leave (or of the role it was fixed to), or the township party committee of
    the village's township. Never the cadre for their own leave."""
    if is_own(scope, leave.cadre):
        return False
    village = leave.cadre.village
    if Role.TOWNSHIP_PARTY in scope.roles_held(township_id=village.township_id):
        return True
    held = scope.roles_held(village_id=village.pk)
    return bool(({leave.decided_as, leave.approver_role} - {""}) & held)


def can_return_leave(scope, leave) -> bool:
    """R-23: the user may do something about the return: report it or confirm it."""
    return can_report_return(scope, leave) or can_confirm_return(scope, leave)


def can_excuse_overstay(scope, leave) -> bool:
    """R-23: a valid reason for an overstay, recorded by the village, the township or the county."""
    return scope.can(EXCUSE_ROLES, village=leave.cadre.village)


def can_extend_leave(scope, leave) -> bool:
    """A cadre asks for more days (a new request starting after this one) for their own leave."""
    return is_own(scope, leave.cadre)


def can_attach_to_leave(scope, leave) -> bool:
    """Issue 14 item 2: who attaches evidence to a leave and its return (the signed 请假审批表, a WeChat
    screenshot, a 病假证明) and replaces or withdraws it: the cadre, the village's secretary or liaison who
    record for them, and the approving side (the approver, a deputy or the tier it was escalated to, the
    township party committee)."""
    return can_report_return(scope, leave) or can_confirm_return(scope, leave) or can_decide_leave(scope, leave)


def can_read_leave_history(scope, leave) -> bool:
    return scope.can(CALENDAR_ROLES, village=leave.cadre.village)


def can_download_register(scope) -> bool:
    return scope.has_any(*REGISTER_ROLES)


def leave_actions(scope, leave, *, today: dt.date) -> dict[str, bool]:
    """What the leave page offers the user now: each action allowed by role and by the request's state."""
    S = leave.Status
    return {
        "can_decide": leave.status == S.PENDING and can_decide_leave(scope, leave),
        "can_cancel": leave.status == S.PENDING and can_cancel_leave(scope, leave),
        "can_report_return": (leave.status == S.APPROVED and leave.start_date <= today
                              and can_report_return(scope, leave) and not can_confirm_return(scope, leave)),
        "can_confirm_return": leave.status == S.APPROVED and leave.start_date <= today and can_confirm_return(scope, leave),
        "can_excuse": leave.status in (S.APPROVED, S.RETURNED) and can_excuse_overstay(scope, leave),
        "can_extend": leave.status == S.APPROVED and can_extend_leave(scope, leave),
    }


# -- official trips (R-27) ---------------------------------------------------------------------

def can_record_trip(scope, cadre) -> bool:
    """R-27: the village secretary, or the township (party committee, liaison of the village), records a
    trip for a cadre of the village; never a cadre for themselves."""
    return not is_own(scope, cadre) and scope.can(TRIP_ROLES, village=cadre.village)


def records_trips(scope) -> bool:
    """The user records trips somewhere (the list offers 登记外出, the form opens)."""
    return scope.has_any(*TRIP_ROLES)


def reads_trips(scope) -> bool:
    """R-27: the trip list opens for the village, the township, the county and a cadre (their own trips)."""
    return scope.has_any(*TRIP_READERS) or bool(scope.cadre_ids)


def can_report_trip_return(scope, trip) -> bool:
    """R-27 as R-23: the cadre reports being back; the report is not the return until it is confirmed."""
    return is_own(scope, trip.cadre)


def can_confirm_trip_return(scope, trip) -> bool:
    """R-27 as R-23: the recording side (the village secretary, the township party committee or liaison of
    the village) records the return, confirming or correcting a report. Never the cadre for themselves."""
    return not is_own(scope, trip.cadre) and scope.can(TRIP_ROLES, village=trip.cadre.village)


def can_cancel_trip(scope, trip) -> bool:
    """R-27: a trip recorded in error is cancelled (with a reason) by the recording side."""
    return can_confirm_trip_return(scope, trip)


def can_read_trip_history(scope, trip) -> bool:
    """The old values of a trip (who recorded, reported, confirmed), for the county as a leave's history."""
    return scope.can(CALENDAR_ROLES, village=trip.cadre.village)


def trip_actions(scope, trip, *, today: dt.date) -> dict[str, bool]:
    """What the trip page offers the user now: each action allowed by role and by the trip's state."""
    is_open = trip.status == trip.Status.OPEN
    started = trip.start_date <= today
    return {
        "can_report_return": is_open and started and can_report_trip_return(scope, trip),
        "can_confirm_return": is_open and started and can_confirm_trip_return(scope, trip),
        "can_cancel": is_open and can_cancel_trip(scope, trip),
    }


# -- attendance, absences, incapacity (R-24, R-25, R-26) --------------------------------------

def can_mark_attendance(scope, village) -> bool:
    return scope.can(MARK_ROLES, village=village)


def opens_day_sheet(scope) -> bool:
    """Issue 17: the one-day attendance sheet — those who mark (the village secretary for the village, the
    township party committee for the township) and the county organisation department, which reads a chosen
    township's day (marking stays with those who hold the attendance, R-24)."""
    return scope.has_any(*MARK_ROLES, Role.COUNTY_ORG)


def can_record_absence(scope, village) -> bool:
    return scope.can(ABSENCE_ROLES, village=village)


def can_read_absence_history(scope, village) -> bool:
    """Issue 12 item 3: the old values of a corrected absence, for the county (as a leave's history)."""
    return scope.can(CALENDAR_ROLES, village=village)


def records_absences(scope) -> bool:
    """The user records absences somewhere (the absence page shows its form)."""
    return scope.has_any(*ABSENCE_ROLES)


def can_run_absence_check(scope) -> bool:
    return scope.has_any(*CHECK_ROLES)


def can_report_incapacity(scope, village) -> bool:
    return scope.can(INCAPACITY_ROLES, village=village)


def reports_incapacity(scope) -> bool:
    """The user records incapacity reports somewhere (the list offers "new", the form opens)."""
    return scope.has_any(*INCAPACITY_ROLES)


def can_read_incapacity(scope) -> bool:
    return scope.has_any(*INCAPACITY_READERS)


# -- the working calendar (R-20) --------------------------------------------------------------

def can_edit_calendar(scope, county) -> bool:
    return scope.can(CALENDAR_ROLES, county=county)


# -- the county's attendance settings (issue 12 item 7) ------------------------------------------

def can_edit_settings(scope, county) -> bool:
    return scope.can(SETTINGS_ROLES, county=county)


def edits_settings(scope) -> bool:
    """The user edits some county's settings (the absences page links to the settings page)."""
    return scope.has_any(*SETTINGS_ROLES)


# -- what the home page shows (panels) ---------------------------------------------------------

def sees_overdue_returns(scope) -> bool:
    """R-23: the village, the township and the county follow leave past its end without a return."""
    return scope.has_any(*REGISTER_ROLES)


def sees_absence_cases(scope) -> bool:
    """R-25: the township party committee and the county handle the cases the absence check opens."""
    return scope.has_any(*CHECK_ROLES)


def sees_incapacity_flags(scope) -> bool:
    """R-26: late or missing incapacity reports, for the village that reports and those it reports to."""
    return scope.has_any(*INCAPACITY_ROLES, Role.COUNTY_ORG)


def sees_missing_approvers(scope) -> bool:
    """Issue 12 item 5: villages without a secretary or liaison account, for those who open accounts."""
    return scope.has_any(*CHECK_ROLES)



# -- issue 17: the cadre page's tabs and the township leave calendar ------------------------------------

#: every role on a unit reads the leave and attendance of the cadres in its scope (the leave list's readers)
READER_ROLES = frozenset({Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY,
                          Role.TOWNSHIP_LIAISON, Role.VILLAGE_SECRETARY})
#: who opens the township leave calendar: those who handle leave (the same as the leave register)
LEAVE_CALENDAR_ROLES = REGISTER_ROLES


def can_read_cadre_attendance(scope, cadre) -> bool:
    """The 请假与销假 and 考勤 tabs of the cadre page: staff over the cadre's village, or the cadre themself."""
    return is_own(scope, cadre) or scope.can(READER_ROLES, village=cadre.village)


def sees_leave_calendar(scope) -> bool:
    """The township leave calendar (issue 17): county_org (a township of their county), the township party
    committee (its township), the liaison and the village secretary (their villages only)."""
    return scope.has_any(*LEAVE_CALENDAR_ROLES)


# -- the duty rota (R-28) ----------------------------------------------------------------------

#: R-28: who sets a township's duty schedule (the party committee; a liaison of one of its villages too)
SCHEDULE_ROLES = frozenset({Role.TOWNSHIP_PARTY, Role.TOWNSHIP_LIAISON})
#: R-28: who draws up and edits a village's rota
ROTA_ROLES = frozenset({Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON, Role.TOWNSHIP_PARTY})
#: R-28: who records a missed duty (the secretary or the township; counting it as absence marks R-24)
MISS_ROLES = MARK_ROLES
#: R-28: who reads the rotas (the township sees who is on duty; the county reads)
ROTA_READERS = frozenset({*ROTA_ROLES, Role.COUNTY_ORG})


def can_set_duty_schedule(scope, township) -> bool:
    """R-28: the township party committee sets the schedule, or a liaison (包村领导) of one of its villages."""
    if scope.is_superuser or Role.TOWNSHIP_PARTY in scope.roles_held(township_id=township.pk):
        return True
    liaison = set(scope.villages_holding(Role.TOWNSHIP_LIAISON))
    return bool(liaison) and any(v.pk in liaison for v in township.villages.all())


def sets_duty_schedules(scope) -> bool:
    """The user sets some township's schedule (the schedule page offers its form)."""
    return scope.has_any(*SCHEDULE_ROLES)


def can_read_rota(scope) -> bool:
    return scope.has_any(*ROTA_READERS)


def can_edit_rota(scope, village) -> bool:
    """R-28: the village secretary keeps the rota; the liaison and the township party committee may too."""
    return scope.can(ROTA_ROLES, village=village)


def can_record_missed_duty(scope, village) -> bool:
    """R-28: the secretary (or the township party committee) records that the person on duty did not show."""
    return scope.can(MISS_ROLES, village=village)
