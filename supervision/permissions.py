"""Who may do what in the supervision app (R-50…R-56): one function per decision.

Each ``can_*`` takes a Scope (``core.scope.get_scope(user)``) and the objects concerned and answers yes or
no. The services enforce them (``require``: PermissionDenied, 403); views, the API and templates only ask
(to show a button, to pick 403 before showing a form). Reads are limited by the selectors (404 outside).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.permissions import enforce as require  # noqa: F401  (views and services)
from core.permissions import enforce_for as enforce  # noqa: F401
from core.roles import Role, Tier
from core.scope import Scope
from supervision.models import Talk

#: who records talks, training, attachment, assessments, commitments and pairing (at the cadre's township)
TOWNSHIP_RECORDERS = (Role.TOWNSHIP_PARTY,)
#: who records 谈心谈话 (at the cadre's village)
VILLAGE_RECORDERS = (Role.VILLAGE_SECRETARY,)
#: who issues and closes notices and edits the county's settings
COUNTY_RECORDERS = (Role.COUNTY_ORG,)
#: who opens and decides discipline cases (at the cadre's village): as in cadres.api
CASE_MANAGERS = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)


# -- pages -------------------------------------------------------------------------------------------

# -- what the home page shows whom ------------------------------------------------------------------------
def sees_dashboard_panel(scope: Scope) -> bool:
    """The work board on the home page: county_org and township party committees."""
    return scope.has_any(Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)


def sees_talk_reminders(scope: Scope) -> bool:
    """Talk reminders: the township party committee that holds the talks (not a county account, which sees
    the dashboard instead)."""
    return scope.has_any(Role.TOWNSHIP_PARTY) and not scope.has_any(Role.COUNTY_ORG)


def sees_notices_to_answer(scope: Scope) -> bool:
    """Open notices to answer: their recipients below the county."""
    return scope.has_any(Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY) and not scope.has_any(Role.COUNTY_ORG)


def can_view_dashboard(scope: Scope) -> bool:
    """The dashboard is for county, township and village staff (not for a cadre signed in as such)."""
    return not scope.is_empty and can_view_ledger(scope)


def can_view_ledger(scope: Scope) -> bool:
    return not (scope.cadre_ids and not scope.has_unit_role)


def can_see_history(scope: Scope, *, village=None, county=None) -> bool:
    """The change history of a record is shown to county_org."""
    return scope.can(COUNTY_RECORDERS, village=village, county=county)


# -- township records (R-50…R-55) ---------------------------------------------------------------------

def can_record_somewhere(scope: Scope) -> bool:
    """Holds a township recording role somewhere: the "new" buttons and forms are offered."""
    return scope.has_any(*TOWNSHIP_RECORDERS)


def can_record_for(scope: Scope, cadre) -> bool:
    """R-50…R-55: the party committee of the cadre's township records pairing, attachment, commitments and
    assessments of that cadre."""
    return scope.can(TOWNSHIP_RECORDERS, village=cadre.village)


def can_record_at(scope: Scope, township) -> bool:
    """R-50, R-51: area groups, their activities and training sessions of one township."""
    return scope.can(TOWNSHIP_RECORDERS, township=township)


def can_correct_assessment(scope: Scope, assessment) -> bool:
    """Issue 13: county_org of the cadre's county corrects or withdraws a year-end assessment (R-55)."""
    return scope.can(COUNTY_RECORDERS, village=assessment.cadre.village)


def recorder_township_ids(scope: Scope) -> list[int]:
    """Townships where the user records directly (the choices of the forms)."""
    return scope.townships_holding(*TOWNSHIP_RECORDERS)


def recorder_village_ids(scope: Scope) -> list[int]:
    """Villages where the user records 谈心谈话 directly."""
    return scope.villages_holding(*VILLAGE_RECORDERS)


# -- talks (R-53) ----------------------------------------------------------------------------------------

def talk_kinds(scope: Scope) -> list[str]:
    """The kinds of talk the user may record somewhere (the choices of the form)."""
    kinds = []
    if scope.has_any(*TOWNSHIP_RECORDERS):
        kinds += [Talk.Kind.INDIVIDUAL, Talk.Kind.COLLECTIVE]
    if scope.has_any(*VILLAGE_RECORDERS):
        kinds += [Talk.Kind.HEART_TO_HEART]
    return kinds


def can_record_talks(scope: Scope) -> bool:
    return scope.has_any(*TOWNSHIP_RECORDERS, *VILLAGE_RECORDERS)


def talk_denied_message(kind: str) -> str:
    if kind == Talk.Kind.HEART_TO_HEART:
        return _("谈心谈话由本村党组织书记登记。")
    if kind == Talk.Kind.INDIVIDUAL:
        return _("谈话考察由本乡（镇）党委登记。")
    return _("只有本乡（镇）党委可以登记集体谈话。")


def can_record_talk(scope: Scope, kind: str, *, cadre=None, township=None) -> bool:
    """R-53: the township party committee records individual (at the cadre's township) and collective talks
    (at the township); the village secretary records heart-to-heart talks (at the cadre's village)."""
    if kind == Talk.Kind.COLLECTIVE:
        return scope.can(TOWNSHIP_RECORDERS, township=township)
    roles = VILLAGE_RECORDERS if kind == Talk.Kind.HEART_TO_HEART else TOWNSHIP_RECORDERS
    return scope.can(roles, village=cadre.village)


# -- corrections of records (issue 13) ---------------------------------------------------------------------

def can_correct_talk(scope: Scope, talk) -> bool:
    """R-53: whoever may record a talk of that kind there may correct it (with a reason kept in its history)."""
    if talk.kind == Talk.Kind.COLLECTIVE:
        return scope.can(TOWNSHIP_RECORDERS, township=talk.township)
    roles = VILLAGE_RECORDERS if talk.kind == Talk.Kind.HEART_TO_HEART else TOWNSHIP_RECORDERS
    return scope.can(roles, village=talk.village)  # where it was recorded, even if the cadre moved since


def can_attach_to_talk(scope: Scope, talk) -> bool:
    """Issue 14 item 2: the talk sheet and other evidence of a talk are attached by whoever records (and
    corrects) talks of that kind there."""
    return can_correct_talk(scope, talk)


def can_correct_record(scope: Scope, row) -> bool:
    """R-52, R-54: the party committee of the cadre's township corrects a 跟班学习 period or a commitment."""
    return can_record_for(scope, row.cadre)


def sees_record_history(scope: Scope, *, may_correct: bool, village=None, county=None) -> bool:
    """The correction history of a record (who, when, what, why): county_org, and whoever may correct it."""
    return may_correct or can_see_history(scope, village=village, county=county)


# -- notices and settings -------------------------------------------------------------------------

def can_issue_notices(scope: Scope) -> bool:
    return scope.has_any(*COUNTY_RECORDERS)


def can_issue_notice(scope: Scope, county) -> bool:
    """R-56: county_org of the county issues notices and closes them; it also edits the county's settings."""
    return scope.can(COUNTY_RECORDERS, county=county)


def notice_recipient_roles(notice):
    """R-56: who answers — the village secretary for a village, the township party committee for a township."""
    if notice.village_id:
        return VILLAGE_RECORDERS, {"village": notice.village}
    return TOWNSHIP_RECORDERS, {"township": notice.township}


def can_answer_notice(scope: Scope, notice) -> bool:
    roles, unit = notice_recipient_roles(notice)
    return scope.can(roles, **unit)


def can_close_notice(scope: Scope, notice) -> bool:
    return scope.can(COUNTY_RECORDERS, county=notice.county)


def can_send_back_notice(scope: Scope, notice) -> bool:
    """R-56 (issue 13): county_org of the notice's county sends an answer back for rework."""
    return scope.can(COUNTY_RECORDERS, county=notice.county)


def can_attach_to_notice(scope: Scope, notice) -> bool:
    """Issue 14 item 2: the county attaches the notice's documents; the notified unit its rectification
    evidence with its answers."""
    return can_issue_notice(scope, notice.county) or can_answer_notice(scope, notice)


can_edit_settings = can_issue_notice


# -- discipline cases (R-30, R-31: records of the cadres app, pages here) ----------------------------------

def can_open_cases(scope: Scope) -> bool:
    return scope.has_any(*CASE_MANAGERS)


def can_manage_case(scope: Scope, cadre) -> bool:
    return scope.can(CASE_MANAGERS, village=cadre.village)


def can_attach_to_case(scope: Scope, case) -> bool:
    """Issue 14 item 2: the case's evidence and decision documents, by the county or the cadre's township
    party committee (who manage the case)."""
    return can_manage_case(scope, case.cadre)


# -- county visits (R-59) -----------------------------------------------------------------------
#: who sees the county's visits: the county roles (all of the county's), a township party committee (its own)
VISIT_READERS = (Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY)


def can_view_visits(scope: Scope) -> bool:
    return scope.is_superuser or scope.has_any(*VISIT_READERS)


def can_record_visits(scope: Scope) -> bool:
    return scope.is_superuser or scope.has_any(*COUNTY_RECORDERS)


def can_record_visit(scope: Scope, county) -> bool:
    """R-59: the county organisation department records its own visits (and turns findings into 通报)."""
    return scope.can(COUNTY_RECORDERS, county=county)


# -- recommendation outcomes (R-61) -------------------------------------------------------------
def can_record_recommendation(scope: Scope, cadre) -> bool:
    """R-61: the township that recommended (its party committee) or the county organisation department
    records what became of a priority recommendation."""
    return scope.can((*TOWNSHIP_RECORDERS, *COUNTY_RECORDERS), village=cadre.village)


# -- work assignments (R-57) ---------------------------------------------------------------------
#: who assigns tasks at each tier (at the cadre's village; a liaison in the villages they hold)
ASSIGNERS = {Tier.TOWNSHIP: (Role.TOWNSHIP_PARTY, Role.TOWNSHIP_LIAISON), Tier.VILLAGE: (Role.VILLAGE_SECRETARY,)}


def assigning_tier(scope: Scope, cadre) -> str | None:
    """R-57: the tier at which the user assigns tasks to ``cadre`` ("township" before "village"), or None."""
    for tier, roles in ASSIGNERS.items():
        if scope.can(roles, village=cadre.village):
            return tier
    return None


def can_assign_somewhere(scope: Scope) -> bool:
    """Holds an assigning role somewhere: the "交办任务" button and form are offered."""
    return scope.is_superuser or scope.has_any(*ASSIGNERS[Tier.TOWNSHIP], *ASSIGNERS[Tier.VILLAGE])


def can_assign(scope: Scope, cadre) -> bool:
    """R-57: township_party (its township's cadres), township_liaison (the cadres of the villages they hold)
    and village_secretary (their village's cadres) give a cadre a task."""
    return assigning_tier(scope, cadre) is not None


def can_manage_assignment(scope: Scope, assignment) -> bool:
    """R-57: the tier that assigned a task (the assigner or a colleague of that tier at the cadre's village)
    evaluates it and corrects it."""
    return scope.can(ASSIGNERS[assignment.tier], village=assignment.cadre.village)


def can_complete_assignment(scope: Scope, assignment) -> bool:
    """R-57: the cadre reports completion of their own task; the assigning tier may record it for a cadre
    without an account."""
    return assignment.cadre_id in scope.cadre_ids or can_manage_assignment(scope, assignment)
