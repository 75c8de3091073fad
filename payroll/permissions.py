"""Who may do what with stipends (R-40…R-44): one small function per decision, pure (a Scope and objects
in, a bool out). Services enforce them (``enforce``: PermissionDenied), views, the API and templates only
ask (to show a button, to choose 403 vs 404). The role tuples live here once."""

from __future__ import annotations

from django.db.models import Q

from core.permissions import enforce_for as enforce  # noqa: F401  (the services' helper)
from core.roles import Role
from payroll.models import FundingSource

#: every unit role: they read policies, bonuses, corrections, the unpaid check and export pay sheets
STAFF = (Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY, Role.TOWNSHIP_LIAISON,
         Role.VILLAGE_SECRETARY)
#: county roles that read everything about pay in their county
COUNTY_READERS = (Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS)
#: R-40/R-42: policies, settings, builds, approval and corrections
RUN_MANAGERS = (Role.COUNTY_ORG,)
#: R-40: who sets a cadre's 业绩考核奖 (county_org's county, township_party's township)
BONUS_SETTERS = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)
#: R-44: who records paid dates at all
PAYMENT_RECORDERS = (Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY)
#: R-44: who records that a funding source paid (at the line's village, inherited down the tree)
PAID_RECORDERS = {
    FundingSource.COUNTY: frozenset({Role.TOWNSHIP_PARTY}),
    FundingSource.TOWNSHIP: frozenset({Role.TOWNSHIP_PARTY}),
    FundingSource.VILLAGE: frozenset({Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY}),
}


def is_staff(scope) -> bool:
    """Reads policies, bonuses, corrections and the unpaid check; exports pay sheets (R-43)."""
    return scope.has_any(*STAFF)


def manages_some_county(scope) -> bool:
    return scope.has_any(*RUN_MANAGERS)


def managed_county_ids(scope) -> list[int]:
    """Counties whose runs, policies and corrections the user manages (county_org)."""
    return scope.counties_holding(*RUN_MANAGERS)


def can_manage_county(scope, county) -> bool:
    """R-40/R-42: set the county's policy and settings, build and approve its runs."""
    return scope.can(RUN_MANAGERS, county=county)


def can_correct(scope, cadre) -> bool:
    """R-42: enter a correction (报酬更正) for a cadre."""
    return scope.can(RUN_MANAGERS, village=cadre.village)


def sets_bonuses(scope) -> bool:
    return scope.has_any(*BONUS_SETTERS)


def can_set_bonus(scope, cadre) -> bool:
    """R-40: set a cadre's 业绩考核奖."""
    return scope.can(BONUS_SETTERS, village=cadre.village)


def bonus_villages_q(scope) -> Q:
    """Villages (the Village model) whose cadres' bonuses the user sets."""
    return scope.q_holding(BONUS_SETTERS, village="")


def records_payments(scope) -> bool:
    return scope.has_any(*PAYMENT_RECORDERS)


def can_record_on_run(scope, run) -> bool:
    """R-44: paid dates are recorded on approved runs only."""
    return run.is_locked and records_payments(scope)


def can_record_paid_at(scope, village, source) -> bool:
    """R-44: record the dates ``source`` paid at a village."""
    return scope.can(PAID_RECORDERS[source], village=village)


def can_record_paid(scope, line, source) -> bool:
    """R-44: record the date ``source`` paid ``line``."""
    return can_record_paid_at(scope, line.village, source)


def recordable_sources(scope, line) -> list[str]:
    """The funding sources of a line the user may record (those that owe something on it)."""
    return [s for s in FundingSource.values if line.fund(s) != 0 and can_record_paid(scope, line, s)]


def bulk_sources(scope) -> list[str]:
    """The sources offered when recording one date for a whole village (a village records only 村财)."""
    return [s for s in FundingSource.values
            if scope.has_any(*PAID_RECORDERS[s]) and (
                scope.is_superuser or Role.TOWNSHIP_PARTY in scope.roles or s == FundingSource.VILLAGE)]


def bulk_villages_q(scope) -> Q:
    """Villages (the Village model) where the user records dates for the whole village."""
    if scope.is_superuser:
        return Q()
    return (Q(township_id__in=scope.townships_holding(Role.TOWNSHIP_PARTY))
            | Q(pk__in=scope.villages_holding(Role.VILLAGE_SECRETARY)))


def can_download_slip(scope, line) -> bool:
    """R-43: a cadre gets own slips once the run is approved; staff get the slips in their scope."""
    return not (line.cadre_id in scope.cadre_ids and not is_staff(scope) and not line.run.is_locked)


def sees_slip_in_full(scope, line) -> bool:
    """R-03 on a slip: county_org, or the cadre's own."""
    return scope.sees_personal_data(line.run.county_id) or line.cadre_id in scope.cadre_ids


def drafts_unpaid_notices(scope) -> bool:
    """R-44 → R-56: county_org drafts a notice to the villages that have not paid."""
    return scope.has_any(Role.COUNTY_ORG)


def reads_county_pay(scope) -> bool:
    """The county's check of unpaid lines on the home page."""
    return scope.has_any(*COUNTY_READERS)


#: R-45: who enters a cadre's payee account (county_org and county_finance of the county, township_party of
#: its township: they enter what the cadre brings)
PAYEE_WRITERS = (Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.TOWNSHIP_PARTY)
#: R-45: who downloads the bank's disbursement file
DISBURSERS = (Role.COUNTY_ORG, Role.COUNTY_FINANCE)


def reads_payee_accounts(scope) -> bool:
    """R-45: the 收款账户 page (every unit role, numbers masked unless ``Scope.sees_payee_accounts``)."""
    return is_staff(scope)


def writes_payee_accounts(scope) -> bool:
    return scope.has_any(*PAYEE_WRITERS)


def can_set_payee_account(scope, cadre) -> bool:
    """R-45: enter or change ``cadre``'s payee account."""
    return scope.can(PAYEE_WRITERS, village=cadre.village)


def can_download_disbursement(scope, run) -> bool:
    """R-45: the bank file of a run (full account numbers): county_org and county_finance of its county."""
    return scope.can(DISBURSERS, county=run.county)


def can_read_cadre_pay(scope, cadre) -> bool:
    """Issue 17: the 报酬 tab of the cadre page — staff over the cadre's village read its pay lines, a cadre
    reads their own (approved runs only, as on 我的报酬)."""
    return cadre.pk in scope.cadre_ids or scope.can(STAFF, village=cadre.village)


#: R-45: who sets how the accident insurance is paid and keeps the yearly premium list (generate, record
#: payment, read, export): county_finance pays the insurer, county_org runs the stipends
INSURANCE_KEEPERS = (Role.COUNTY_ORG, Role.COUNTY_FINANCE)


def reads_premiums(scope) -> bool:
    """R-45: the 意外保险 page and ``/api/v1/insurance-premiums/``."""
    return scope.has_any(*INSURANCE_KEEPERS)


def premium_county_ids(scope) -> list[int]:
    """Counties whose premium list the user keeps."""
    return scope.counties_holding(*INSURANCE_KEEPERS)


def can_manage_insurance(scope, county) -> bool:
    """R-45: change the county's accident-insurance setting, generate its premium list, record payment."""
    return scope.can(INSURANCE_KEEPERS, county=county)
