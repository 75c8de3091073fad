"""Work assignments (R-57) in the user's scope: their status on a day, the cadre's, those the user manages, those overdue."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Q, Value, When

from cadres.models import Cadre
from core.dates import today
from core.scope import get_scope
from supervision import permissions as perms
from supervision.models import WorkAssignment
from supervision.selectors.lists import _cadre_rows


def assignment_list(*, user, as_of: dt.date | None = None):
    """R-57: tasks of the cadres in scope (a cadre sees their own), each with ``status`` on ``as_of`` (today)."""
    as_of = as_of or today()
    status = Case(*[When(assignment_status_q(s, as_of=as_of), then=Value(s)) for s in WorkAssignment.Status.values],
                  output_field=CharField())
    return _cadre_rows(WorkAssignment, user, "cadre__village__township", "assigned_by", "completed_by",
                       "evaluated_by").annotate(status=status)


def assignment_status_q(status: str, *, as_of: dt.date) -> Q:
    """R-57: the rows of one status on ``as_of`` (as ``WorkAssignment.status_on``), for filters and counts."""
    S = WorkAssignment.Status
    return {
        S.EVALUATED: ~Q(evaluation=""),
        S.DONE: Q(evaluation="", completed_on__isnull=False),
        S.OVERDUE: Q(completed_on__isnull=True, due_on__lt=as_of),
        S.OPEN: Q(completed_on__isnull=True, due_on__gte=as_of),
    }.get(status, Q())


def assignments_for_cadre(cadre, *, user):
    """R-57: one cadre's tasks the user may see, newest first (the cadre page's fragment)."""
    return assignment_list(user=user).filter(cadre_id=cadre.pk).order_by("-assigned_on", "-pk")


def assignments_manageable(*, user):
    """R-57: the tasks the user's tier assigned (who evaluates and corrects them)."""
    scope = get_scope(user)
    q = Q(pk__in=[])
    for tier, roles in perms.ASSIGNERS.items():
        q |= Q(tier=tier) & scope.q_holding(roles, village="cadre__village", township="cadre__township",
                                             county="cadre__county")
    return assignment_list(user=user).filter(q)


def assignments_overdue(*, user, as_of: dt.date):
    """R-57, the home panel: tasks of the user's tier not completed after their deadline."""
    return (assignments_manageable(user=user).filter(assignment_status_q(WorkAssignment.Status.OVERDUE, as_of=as_of))
            .filter(cadre__status=Cadre.Status.ACTIVE).order_by("due_on", "pk"))
