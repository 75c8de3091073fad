"""Discipline cases (R-30, R-31): opened by hand or by the absence job, decided by the cadre's managers."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cadres.models import Cadre, DisciplineCase
from cadres.permissions import CASE_DENIED
from cadres.services.records import _require_manager, cadre_disqualify
from core import dates
from core.errors import Conflict


@transaction.atomic
def discipline_case_open(*, cadre: Cadre, category: str, opened_on: dt.date, details: str, by=None,
                         source: str = "manual", key: str = "", absence_start: dt.date | None = None,
                         absence_end: dt.date | None = None) -> tuple[DisciplineCase, bool]:
    """R-30: open a case. With ``key`` the same case is never opened twice (R-25 reruns); ``absence_start``
    and ``absence_end``: the absence the R-25 job opened it for (issue 12 item 3)."""
    _require_manager(by, cadre, CASE_DENIED)
    if key:
        existing = DisciplineCase.objects.filter(cadre=cadre, key=key).first()
        if existing:
            return existing, False
    dates.check(dates.event_errors(opened_on, field="opened_on"))
    case = DisciplineCase(cadre=cadre, category=category, opened_on=opened_on, details=details,
                          opened_by=by, source=source, key=key, absence_start=absence_start,
                          absence_end=absence_end)
    case._history_user = by
    case.full_clean()
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        return DisciplineCase.objects.get(cadre=cadre, key=key), False
    return case, True


@transaction.atomic
def discipline_cases_open_bulk(*, cases: list[DisciplineCase], by=None) -> list[DisciplineCase]:
    """R-25 (issue 19 item 6): open many job cases at once — one INSERT for the cases and one for their
    history, whatever their number. The caller (the absence job) has already read the cadres' cases and
    chosen keys no existing case has; a case opened meanwhile by another run makes the INSERT fail on the
    (cadre, key) constraint and the caller's transaction roll back (nothing half-opened). Validated as
    :func:`discipline_case_open` does, without a query per case (the cadres are loaded rows)."""
    for case in cases:
        _require_manager(by, case.cadre, CASE_DENIED)
        dates.check(dates.event_errors(case.opened_on, field="opened_on"))
        case.opened_by = by
        case.full_clean(exclude=["cadre", "opened_by"], validate_unique=False, validate_constraints=False)
    if not cases:
        return []
    return bulk_create_with_history(cases, DisciplineCase, default_user=by)


@transaction.atomic
def discipline_case_track_absence(*, case: DisciplineCase, start: dt.date, end: dt.date, review_note: str,
                                  as_of: dt.date, by=None) -> bool:
    """R-25 with issue 12 item 3: keep an absence case linked to its absence as corrections move it
    (``start``–``end``), and flag it for review (``review_note``, "" clears the flag) when a correction leaves
    the absence at or below the threshold. The case itself stays: only the county decides it. Returns True
    when the flag was newly set."""
    _require_manager(by, case.cadre)
    case = DisciplineCase.objects.select_for_update().get(pk=case.pk)
    newly = bool(review_note) and not case.review_note
    changed = {"absence_start": start, "absence_end": end, "review_note": review_note[:300],
               "review_flagged_on": (case.review_flagged_on if case.review_note else as_of) if review_note else None}
    if all(getattr(case, k) == v for k, v in changed.items()):
        return False
    for k, v in changed.items():
        setattr(case, k, v)
    case._history_user = by
    case.save(update_fields=[*changed])
    return newly


@transaction.atomic
def discipline_case_decide(*, case: DisciplineCase, decision: str, note: str, decided_on: dt.date, by) -> DisciplineCase:
    """R-30/R-31: close a case with its handling decision; 取消资格 runs the one disqualification."""
    _require_manager(by, case.cadre)
    dates.check(dates.event_errors(decided_on, field="decided_on"))
    case = DisciplineCase.objects.select_for_update().get(pk=case.pk)
    if case.status == DisciplineCase.Status.CLOSED:
        raise Conflict(_("此案件已办结，不能再次处理。"))
    if decision not in DisciplineCase.Decision.values or not decision:
        raise ValidationError({"decision": _("请选择处理决定。")})
    if not (note or "").strip():
        raise ValidationError({"decision_note": _("请填写处理意见。")})
    if decision == DisciplineCase.Decision.DISQUALIFY:
        cadre_disqualify(cadre=case.cadre, date=decided_on, category=case.category, reason=note, by=by)
    case.decision = decision
    case.decision_note = note.strip()
    case.status = DisciplineCase.Status.CLOSED
    case.closed_on = decided_on
    case._history_user = by
    case.full_clean()
    case.save()
    return case
