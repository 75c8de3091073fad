"""Rounds (R-10): announce, edit, close; the per-status counts of a round."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dates
from core.errors import Conflict
from selection.models import Application, Round
from selection.permissions import ROUND_DENIED, actor_may, can_manage_round, deny_unless
from selection.selectors import application_counts

ROUND_FIELDS = ("county", "year", "kind", "title", "announcement", "announced_on", "apply_until",
                "written_weight", "college_bonus", "previous_round_bonus")
SCORING_FIELDS = ("written_weight", "college_bonus", "previous_round_bonus")
IN_PROGRESS = (Application.Status.SUBMITTED, Application.Status.REVIEWED, Application.Status.SCORED,
               Application.Status.CO_REVIEWED)


def _supplement_clash(rnd: Round) -> Round | None:
    if rnd.kind != Round.Kind.SUPPLEMENT:
        return None
    return Round.objects.filter(county_id=rnd.county_id, year=rnd.year, kind=Round.Kind.SUPPLEMENT).exclude(
        pk=rnd.pk).first()


def _round_checks(rnd: Round) -> None:
    dates.check(dates.year_errors(rnd.year),  # past rounds may be entered; a round is planned a year ahead at most
                dates.event_errors(rnd.announced_on, field="announced_on", days_ahead=366),
                dates.event_errors(rnd.apply_until, field="apply_until", days_ahead=2 * 366))
    errors = {}
    if rnd.announced_on and rnd.year and rnd.announced_on.year != rnd.year:
        errors["announced_on"] = _("公告日期须在%(y)s年内（与年度一致）。") % {"y": rnd.year}
    if rnd.announced_on and rnd.apply_until and rnd.apply_until < rnd.announced_on:
        errors["apply_until"] = _("报名截止日期不能早于公告日期 %(d)s。") % {"d": rnd.announced_on}
    if errors:
        raise ValidationError(errors)
    clash = _supplement_clash(rnd)
    if clash:
        raise ValidationError({"kind": _("%(c)s%(y)s年已有增补选拔“%(t)s”。按办法第八条（2），每年只增补一次；"
                                         "如需补充报名，请在该批次中继续登记。") % {
            "c": rnd.county, "y": rnd.year, "t": clash.title}})
    if rnd.kind == Round.Kind.MAIN:
        main = Round.objects.filter(county_id=rnd.county_id, year=rnd.year, kind=Round.Kind.MAIN).exclude(
            pk=rnd.pk).first()
        if main:
            raise ValidationError({"kind": _("%(c)s%(y)s年已有集中选拔“%(t)s”，同一年只能有一次集中选拔。") % {
                "c": rnd.county, "y": rnd.year, "t": main.title}})


def _save_round(rnd: Round, *, by) -> Round:
    rnd._history_user = by
    rnd.full_clean(validate_constraints=False)
    _round_checks(rnd)
    try:
        with transaction.atomic():
            rnd.save()
    except IntegrityError as exc:  # a concurrent second supplement round of the same year
        raise ValidationError({"kind": _("%(c)s%(y)s年已有同类选拔批次，每年只增补一次（第八条（2））。") % {
            "c": rnd.county, "y": rnd.year}}) from exc
    return rnd


@transaction.atomic
def round_create(*, by, **data) -> Round:
    """R-10: 发布公告 — a main or supplement round of a county and year (one supplement a year)."""
    unknown = set(data) - set(ROUND_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    rnd = Round(**data, created_by=by)
    deny_unless(actor_may(by, can_manage_round, county=rnd.county), ROUND_DENIED)
    return _save_round(rnd, by=by)


def _lock_round(rnd: Round) -> Round:
    locked = Round.objects.select_for_update().get(pk=rnd.pk)
    if locked.status != Round.Status.ANNOUNCED:
        raise Conflict(_("选拔批次“%(t)s”已结束，不能再办理。") % {"t": locked.title})
    return locked


@transaction.atomic
def round_update(*, round: Round, by, **data) -> Round:
    """R-10/R-15: edit a running round; weights and bonuses are frozen once any score is entered."""
    unknown = set(data) - set(ROUND_FIELDS) | ({"county"} & set(data))
    if unknown:
        raise TypeError(f"fields that cannot change: {sorted(unknown)}")
    deny_unless(actor_may(by, can_manage_round, county=round.county))
    rnd = _lock_round(round)
    changed_scoring = [f for f in SCORING_FIELDS if f in data and data[f] != getattr(rnd, f)]
    if changed_scoring and rnd.applications.filter(composite_score__isnull=False).exists():
        raise Conflict(_("本批次已有人录入成绩，笔试权重和倾斜加分不能再修改。"))
    for key, value in data.items():
        setattr(rnd, key, value)
    return _save_round(rnd, by=by)


@transaction.atomic
def round_close(*, round: Round, by) -> Round:
    """R-10: end a round once every application has a final result."""
    deny_unless(actor_may(by, can_manage_round, county=round.county))
    rnd = _lock_round(round)
    pending = rnd.applications.filter(status__in=IN_PROGRESS).count()
    if pending:
        raise Conflict(_("还有 %(n)s 份报名未办结（待初审、待录成绩、待协审或待决定），办结后才能结束本批次。") % {
            "n": pending})
    rnd.status = Round.Status.CLOSED
    rnd.closed_by = by
    rnd.closed_at = timezone.now()
    rnd._history_user = by
    rnd.save()
    return rnd


def round_counts(rnd: Round) -> dict:
    return application_counts(rnd.applications.all())
