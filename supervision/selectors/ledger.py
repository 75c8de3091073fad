"""The county information ledger and the dossier (R-06): the cadres' rows, and their pay as the payroll app provides it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from cadres.models import DisciplineCase
from cadres.selectors import cadre_list
from core.money import MoneySum
from payroll import selectors as payroll_selectors
from supervision.models import Assessment, Talk, TrainingAttendance
from supervision.selectors.flags import with_attachment_days


def pay_summary(*, user, cadre_ids=None, year: int | None = None) -> dict[int, dict]:
    """Per cadre: stipend lines and total paid out in ``year`` (all years when None), and unpaid lines.

    The one place that reads the payroll app's figures.
    """
    qs = payroll_selectors.pay_line_list(user=user)
    if cadre_ids is not None:
        qs = qs.filter(cadre_id__in=list(cadre_ids))
    if year is not None:
        qs = qs.filter(run__month__year=year)
    out: dict[int, dict] = {}
    for row in qs.order_by().values("cadre_id").annotate(n=Count("pk"), total=MoneySum("total")):
        out[row["cadre_id"]] = {"lines": row["n"], "total": row["total"] or Decimal("0.00"), "unpaid": 0}
    uq = payroll_selectors.unpaid_line_list(user=user)
    if cadre_ids is not None:
        uq = uq.filter(cadre_id__in=list(cadre_ids))
    for row in uq.order_by().values("cadre_id").annotate(n=Count("pk")):
        out.setdefault(row["cadre_id"], {"lines": 0, "total": Decimal("0.00"), "unpaid": 0})["unpaid"] = row["n"]
    return out


def pay_lines_for(*, user, cadre):
    """Pay lines of one cadre (for the dossier), newest month first."""
    lines = payroll_selectors.pay_line_list(user=user).filter(cadre=cadre).select_related("run")
    return list(lines.order_by("-run__month")[:36])


def unpaid_lines(*, user, as_of: dt.date | None = None):
    """R-44 lines unpaid after the set days, scoped."""
    return payroll_selectors.unpaid_line_list(user=user, as_of=as_of)


def _count_sq(qs):
    return Coalesce(Subquery(qs.order_by().values("cadre_id").annotate(n=Count("pk")).values("n"),
                             output_field=IntegerField()), Value(0))


def ledger_rows(*, user, year: int, township_id=None, status=None, q=None):
    """R-06: every cadre in scope with status, post, pairing, talks, training, attachment, assessment and
    discipline, in a constant number of queries (pay state: ``pay_summary``)."""
    qs = cadre_list(user=user).select_related("pairing", "pairing__contact_leader", "pairing__paired_user")
    if township_id:
        qs = qs.filter(village__township_id=township_id)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(village__name__icontains=q))
    talks = Talk.objects.filter(cadre_id=OuterRef("pk"), kind=Talk.Kind.INDIVIDUAL, held_on__year=year)
    last_talk = Talk.objects.filter(cadre_id=OuterRef("pk"), kind=Talk.Kind.INDIVIDUAL).order_by("-held_on")
    training = TrainingAttendance.objects.filter(cadre_id=OuterRef("pk"), present=True, session__held_on__year=year)
    cases = DisciplineCase.objects.filter(cadre_id=OuterRef("pk"), status=DisciplineCase.Status.OPEN)
    latest = Assessment.objects.filter(cadre_id=OuterRef("pk"), withdrawn=False).order_by("-year")
    qs = with_attachment_days(qs, year).annotate(
        talks_year=_count_sq(talks),
        last_talk_on=Subquery(last_talk.values("held_on")[:1]),
        training_year=_count_sq(training),
        open_cases=_count_sq(cases),
        assessment_year=Subquery(latest.values("year")[:1]),
        assessment_result=Subquery(latest.values("result")[:1]),
    )
    return qs.order_by("village__township__code", "village__code", "name", "pk")
