"""The steps after an application (R-11, R-14, R-15): review, scores, co-review, decision, and the ranks.

Step order is enforced by ``Application.check_transition`` on a row locked with ``select_for_update``;
a skipped or repeated step raises ``core.errors.Conflict`` (409). Appointment locks the village first
(then the application), so two appointments to the last vacancy of a village are serialised and exactly
one wins.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres import services as cadre_services
from cadres.models import Cadre
from core import limits
from core.dates import today as local_today
from core.errors import Conflict
from core.models import Village
from core.services import notifications_settle
from selection import policies
from selection.models import Application, Round
from selection.permissions import require_step_by
from selection.services.applications import _lock


def _stamp(app: Application, *, by, step: str) -> None:
    setattr(app, f"{step}_by", by)
    setattr(app, f"{step}_at", timezone.now())


def _save_app(app: Application, *, by) -> Application:
    app._history_user = by
    app.full_clean(validate_constraints=False)
    app.save()
    return app


def rerank(*, round_id: int, village_id: int) -> None:
    """R-15: recompute the stored per-village ranks of a round (scored and not rejected)."""
    rows = list(Application.objects.filter(round_id=round_id, village_id=village_id).values_list(
        "pk", "composite_score", "education", "previous_round", "status", "rank"))
    ranked = [(pk, c, e, p) for pk, c, e, p, s, _r in rows if c is not None and s != Application.Status.REJECTED]
    new = policies.rank_positions(ranked)
    for pk, _c, _e, _p, _s, old in rows:
        if new.get(pk) != old:
            Application.objects.filter(pk=pk).update(rank=new.get(pk))


@transaction.atomic
def application_review(*, application: Application, by, passed: bool, comment: str = "",
                       education_exception: str = "", negative_items_found=(), conditions=None) -> Application:
    """R-11 乡（镇）党委初审, R-16 the basic conditions of 第五条 confirmed one by one, R-12 verification of
    the negative list, R-14 education exception.

    ``conditions``: {"1": {"met": bool, "note": str}, …, "6": …}. The web form always sends all six.
    An API client that leaves it out while passing confirms all six as met (the contract's body
    ``{passed, comment}`` keeps working, and the record says they were confirmed); an unmet condition
    rejects the application and the refusal names it."""
    require_step_by(by, "review", application)
    app = _lock(application)
    to = Application.Status.REVIEWED if passed else Application.Status.REJECTED
    app.check_transition(to)
    if conditions is None:
        checked = {k: {"met": True, "note": ""} for k in policies.CONDITION_KEYS} if passed else {}
    else:
        try:
            checked = policies.normalize_conditions(conditions, note_limit=limits.REASON)
        except ValueError as exc:
            raise ValidationError({"conditions": str(exc)}) from exc
    unmet = policies.unmet_conditions(checked)
    if unmet and passed:
        raise ValidationError({"passed": _("%(r)s不能通过初审。") % {"r": policies.conditions_reason(checked)}})
    comment = (comment or "").strip()
    education_exception = (education_exception or "").strip()
    found = sorted({str(i) for i in negative_items_found or ()}, key=int)
    bad = [i for i in found if i not in policies.NEGATIVE_LIST]
    if bad:
        raise ValidationError({"negative_items_found": _("负面清单只有第1至10项。")})
    if found and passed:
        raise ValidationError({"passed": _("初审核实存在负面清单情形，不能通过：%(r)s") % {
            "r": policies.negative_list_reason(found)}})
    if passed and app.education in policies.BELOW_STANDARD and not education_exception:
        raise ValidationError({"education_exception": _(
            "%(n)s的学历为“%(e)s”，低于高中（中专）。按第六条须写明破格理由，才能通过初审。") % {
            "n": app.name, "e": app.get_education_display()}})
    if not passed and not comment and not found and not unmet:
        raise ValidationError({"comment": _("不通过初审时，请写明理由。")})
    app.status = to
    app.review_passed = passed
    app.review_comment = comment
    app.basic_conditions = checked
    app.education_exception = education_exception if passed else ""
    if not passed:
        reasons = (policies.conditions_reason(checked) if unmet else "",
                   policies.negative_list_reason(found) if found else "", comment)
        text = _("乡（镇）党委初审未通过：%(r)s") % {"r": "；".join(x for x in reasons if x)}
        # the full findings stay in basic_conditions / review_comment; the summary fits its column
        app.rejection_reason = text if len(text) <= limits.NOTE else text[:limits.NOTE - 1] + "…"
    _stamp(app, by=by, step="reviewed")
    app = _save_app(app, by=by)
    notifications_settle(key=f"selection-review-{app.pk}")  # the township's 待初审 notice is done
    return app


@transaction.atomic
def application_score(*, application: Application, by, written, interview) -> Application:
    """R-11 笔试、面试 and R-15: composite = written × w + interview × (1 − w) + bonus (R-14)."""
    require_step_by(by, "scores", application)
    app = _lock(application)
    app.check_transition(Application.Status.SCORED)
    errors = {}
    scores = {}
    for key, value, label in (("written", written, _("笔试成绩")), ("interview", interview, _("面试成绩"))):
        try:
            scores[key] = policies.check_score(value, label)
        except ValueError as exc:
            errors[key] = str(exc)
    if errors:
        raise ValidationError(errors)
    # lock the round so its weights cannot change between reading them and saving the composite
    rnd = Round.objects.select_for_update().get(pk=app.round_id)
    app.written_score = scores["written"]
    app.interview_score = scores["interview"]
    app.bonus = policies.bonus_for(education=app.education, previous_round=app.previous_round,
                                   college_bonus=rnd.college_bonus, previous_round_bonus=rnd.previous_round_bonus)
    app.composite_score = policies.composite_score(written=app.written_score, interview=app.interview_score,
                                                   weight=rnd.written_weight, bonus=app.bonus)
    app.status = Application.Status.SCORED
    _stamp(app, by=by, step="scored")
    _save_app(app, by=by)
    rerank(round_id=app.round_id, village_id=app.village_id)
    app.refresh_from_db(fields=["rank"])
    return app


@transaction.atomic
def application_co_review(*, application: Application, by, passed: bool, comment: str = "") -> Application:
    """R-11 有关部门协审 (recorded by the county organisation department)."""
    require_step_by(by, "co_review", application)
    app = _lock(application)
    to = Application.Status.CO_REVIEWED if passed else Application.Status.REJECTED
    app.check_transition(to)
    comment = (comment or "").strip()
    if not passed and not comment:
        raise ValidationError({"comment": _("协审不通过时，请写明理由（如哪个部门、什么问题）。")})
    app.status = to
    app.co_review_passed = passed
    app.co_review_comment = comment
    if not passed:
        app.rejection_reason = _("有关部门协审未通过：%(r)s") % {"r": comment}
    _stamp(app, by=by, step="co_reviewed")
    _save_app(app, by=by)
    if not passed:
        rerank(round_id=app.round_id, village_id=app.village_id)
    return app


@transaction.atomic
def application_decide(*, application: Application, by, appointed: bool, decided_on: dt.date,
                       document_no: str) -> Application:
    """R-11 县委人才工作领导小组研究决定. Appointing creates the active cadre in the village
    (cadres.services.cadre_create), which closes the vacancy (R-01). The village row is locked first,
    so of two appointments to its last vacancy exactly one wins; the other gets a Conflict (409)."""
    require_step_by(by, "decide", application)
    document_no = (document_no or "").strip()
    errors = {}
    if not document_no:
        errors["document_no"] = _("请填写决定文号（如 清委人才〔2026〕5号）。")
    if decided_on is None:
        errors["decided_on"] = _("请填写决定日期。")
    if errors:
        raise ValidationError(errors)
    village = Village.objects.select_for_update().get(pk=application.village_id)
    app = _lock(application)
    to = Application.Status.APPOINTED if appointed else Application.Status.NOT_APPOINTED
    app.check_transition(to)
    if decided_on < app.round.announced_on:
        raise ValidationError({"decided_on": _("决定日期不能早于公告日期 %(d)s。") % {"d": app.round.announced_on}})
    if decided_on > local_today():
        raise ValidationError({"decided_on": _("决定日期不能晚于今天。")})
    if appointed:
        active = list(Cadre.objects.filter(village=village, status=Cadre.Status.ACTIVE).values_list("name", flat=True))
        if len(active) >= village.quota:
            raise Conflict(_("%(v)s的后备干部名额（%(q)s名）已满（在岗：%(a)s），不能再聘任%(n)s。") % {
                "v": village, "q": village.quota, "a": "、".join(active), "n": app.name})
        app.cadre = cadre_services.cadre_create(
            by=by, name=app.name, id_number=app.id_number, education=app.education, phone=app.phone,
            political_status=app.political_status, village=village, appointed_on=decided_on,
            previous_round=app.previous_round)
    app.status = to
    app.decided_on = decided_on
    app.document_no = document_no
    _stamp(app, by=by, step="decided")
    return _save_app(app, by=by)

