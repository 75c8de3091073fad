"""Who may do what in selection (R-10, R-11): one function per decision, each taking a Scope.

Services enforce (``require_*`` and ``deny_unless``, shared with ``cadres.permissions``, raise PermissionDenied
with the message a user reads); views, the API and templates only ask (to show a button, or to answer 403
before reading a form).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cadres.permissions import actor_may, deny_unless
from core.roles import Role
from core.scope import Scope
from selection.models import Application, Round

#: R-10: the county organisation department runs rounds, records co-review and decides
ROUND_MANAGERS = (Role.COUNTY_ORG,)
#: 个人申请 is entered by the county or by the township party committee of the village
APPLICATION_ENTRY = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)
#: R-11 乡（镇）党委初审: the township party committee of the village's township only
REVIEWERS = (Role.TOWNSHIP_PARTY,)
#: 笔试、面试 scores: the township party committee, or the county that organises the exam
SCORERS = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)
CO_REVIEWERS = (Role.COUNTY_ORG,)
DECIDERS = (Role.COUNTY_ORG,)

ROUND_DENIED = _("只有县委组织部可以发布选拔公告。")
WAIVER_DENIED = _("只有本县县委组织部可以批准禁选期豁免。")
ENTRY_DENIED = _("只有县委组织部或本乡（镇）党委可以登记报名。")
EDIT_DENIED = _("只有县委组织部或本乡（镇）党委可以修改报名信息。")

#: R-11: each step after the application — who takes it and what a refused user reads
STEPS = {
    "review": (REVIEWERS, _("只有该村所在乡（镇）党委可以初审。")),
    "scores": (SCORERS, _("只有县委组织部或该村所在乡（镇）党委可以录入成绩。")),
    "co_review": (CO_REVIEWERS, _("只有县委组织部可以登记有关部门协审结果。")),
    "decide": (DECIDERS, _("只有县委组织部可以登记县委人才工作领导小组的决定。")),
}


# -- rounds ----------------------------------------------------------------------------------
def reviews_somewhere(scope: Scope) -> bool:
    """Holds the preliminary review somewhere (a township party committee): its home panel and badge."""
    return scope.has_any(*REVIEWERS)


def decides_somewhere(scope: Scope) -> bool:
    """Holds the county's steps somewhere (scores, co-review, decision): its home panel."""
    return scope.has_any(*DECIDERS)


def can_run_rounds(scope: Scope) -> bool:
    """May announce a round somewhere (the county organisation department of some county)."""
    return scope.is_superuser or bool(scope.counties_holding(*ROUND_MANAGERS))


def can_manage_round(scope: Scope, *, county) -> bool:
    """R-10: announce, edit and close the rounds of ``county``."""
    return scope.can(ROUND_MANAGERS, county=county)


def can_waive_ban(scope: Scope, rnd) -> bool:
    """R-17: let a person within the five-year ban take part in ``rnd`` (the county organisation department
    of the round's county)."""
    return scope.can(ROUND_MANAGERS, county=rnd.county)


def can_attach_to_round(scope: Scope, rnd) -> bool:
    """Issue 14 item 2: the round's documents (the county's appointment decision, the announcement) are
    attached by the county organisation department that runs it."""
    return can_manage_round(scope, county=rnd.county)


def can_see_round_history(scope: Scope, rnd) -> bool:
    return scope.can({Role.COUNTY_ORG}, county=rnd.county)


# -- applications ----------------------------------------------------------------------------
def can_enter_application(scope: Scope, *, village) -> bool:
    """个人申请 for ``village`` (and its correction while it waits for review)."""
    return scope.can(APPLICATION_ENTRY, village=village)


def can_edit_application(scope: Scope, app) -> bool:
    """The 修改 button: the application still waits for review in a running round, and the user may enter it."""
    return (app.status == Application.Status.SUBMITTED and app.round.status == Round.Status.ANNOUNCED
            and can_enter_application(scope, village=app.village))


def can_step(scope: Scope, step: str, app) -> bool:
    """May take ``step`` (review, scores, co_review, decide) on ``app`` (at its village)."""
    return scope.can(STEPS[step][0], village=app.village)


def require_step(scope: Scope, step: str, app) -> None:
    deny_unless(can_step(scope, step, app), STEPS[step][1])


def require_step_by(by, step: str, app) -> None:
    """The services' guard of a step (``by=None``: the system)."""
    deny_unless(actor_may(by, can_step, step, app), STEPS[step][1])


def can_attach_to_application(scope: Scope, app) -> bool:
    """Issue 14 item 2: an application's decision document (and the scans behind it) by who decides it."""
    return can_step(scope, "decide", app)


def can_see_application_history(scope: Scope, app) -> bool:
    return scope.can({Role.COUNTY_ORG}, village=app.village)


def entry_roles(kind: str) -> tuple:
    """The roles behind a bulk import or template: applicants (entry) or scores."""
    return APPLICATION_ENTRY if kind == "applicants" else SCORERS
