"""Every write of selection (R-10…R-15). Keyword-only, ``by=``, atomic, ``full_clean()``, audited.

Step order (R-11) is enforced by ``Application.check_transition`` on a row locked with
``select_for_update``; a skipped or repeated step raises ``core.errors.Conflict`` (409).
Appointment locks the village first (then the application), so two appointments to the last
vacancy of a village are serialised and exactly one wins.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Cadre
from core import dates, idcard
from core.dates import today as local_today
from core.errors import Conflict
from core.models import Village
from selection import policies
from selection.models import Application, Round

ROUND_FIELDS = ("county", "year", "kind", "title", "announcement", "announced_on", "apply_until",
                "written_weight", "college_bonus", "previous_round_bonus")
SCORING_FIELDS = ("written_weight", "college_bonus", "previous_round_bonus")
APPLICATION_FIELDS = ("village", "name", "id_number", "education", "phone", "previous_round", "negative_list",
                      "political_status", "applied_on")
IN_PROGRESS = (Application.Status.SUBMITTED, Application.Status.REVIEWED, Application.Status.SCORED,
               Application.Status.CO_REVIEWED)


# -- rounds ---------------------------------------------------------------------------------

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


# -- applications ---------------------------------------------------------------------------

def eligibility_errors(*, id_number: str, negative_list: dict, on: dt.date) -> dict[str, str]:
    """R-12 and R-13: why this person may not apply on ``on`` (empty dict: they may)."""
    from cadres.services import active_ban

    errors = {}
    items = [k for k, v in negative_list.items() if v]
    if items:
        errors["negative_list"] = policies.negative_list_reason(items)
    ban = active_ban(id_number, on=on)
    if ban is not None:
        errors["id_number"] = policies.ban_reason(ban)
    return errors


@transaction.atomic
def application_submit(*, round: Round, by, **data) -> Application:
    """R-11…R-13: 个人申请 for one village. Refused (ValidationError, nothing stored) when a
    negative-list item of 第七条 is declared (the reason names it) or the person is still within a
    5-year ban (matched by ID number; the reason says until when, see policies.ban_last_day)."""
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    rnd = Round.objects.get(pk=round.pk)
    if rnd.status != Round.Status.ANNOUNCED:
        raise Conflict(_("选拔批次“%(t)s”已结束，不能再报名。") % {"t": rnd.title})
    app = Application(round=rnd, submitted_by=by, **data)
    if app.applied_on is None:
        app.applied_on = local_today()
    _check_and_save(app, rnd, by=by)
    _notify_township(app)
    return app


def _check_and_save(app: Application, rnd: Round, *, by) -> Application:
    """R-03, R-12, R-13 and one application per person per round, then save (new or corrected)."""
    errors = {}
    app.id_number = idcard.normalize(app.id_number)
    try:
        idcard.validate_id_number(app.id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    try:
        app.negative_list = policies.normalize_negative_list(app.negative_list)
    except ValueError as exc:
        errors["negative_list"] = str(exc)
    village = app.village if app.village_id else None
    if village is not None and village.township.county_id != rnd.county_id:
        errors["village"] = _("%(v)s不属于%(c)s，不能报名本批次。") % {"v": village, "c": rnd.county}
    if app.applied_on > local_today():
        errors["applied_on"] = _("报名日期不能晚于今天。")
    elif not (rnd.announced_on <= app.applied_on <= rnd.apply_until):
        errors["applied_on"] = _("报名日期须在公告日期 %(a)s 至报名截止日期 %(b)s 之间。") % {
            "a": rnd.announced_on, "b": rnd.apply_until}
    if errors:
        raise ValidationError(errors)
    refusal = eligibility_errors(id_number=app.id_number, negative_list=app.negative_list, on=app.applied_on)
    if refusal:
        raise ValidationError(refusal)
    active = Cadre.objects.filter(id_number=app.id_number, status=Cadre.Status.ACTIVE).select_related("village").first()
    if active:
        raise ValidationError({"id_number": _("此人已是%(v)s的在岗后备干部“%(n)s”，不能再报名。") % {
            "v": active.village, "n": active.name}})
    same = Application.objects.filter(round=rnd, id_number=app.id_number).exclude(pk=app.pk).select_related(
        "village").first()
    if same:
        raise ValidationError({"id_number": _("此人已在本批次报名（%(v)s），每人每批次只能报一个村。") % {
            "v": same.village}})
    app.gender = idcard.gender(app.id_number)
    app.birth_date = idcard.birth_date(app.id_number)
    app._history_user = by
    app.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError as exc:
        raise ValidationError({"id_number": _("此人已在本批次报名，每人每批次只能报一个村。")}) from exc
    return app


@transaction.atomic
def application_update(*, application: Application, by, **data) -> Application:
    """Correct an application entered with a mistake, only while it waits for the preliminary review;
    every check of the submission runs again (R-12, R-13)."""
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    app = _lock(application)
    if app.status != Application.Status.SUBMITTED:
        raise Conflict(_("“%(n)s”的报名已经%(s)s，不能再修改报名信息。") % {"n": app.name, "s": app.get_status_display()})
    for key, value in data.items():
        setattr(app, key, value)
    moved = "village" in data and data["village"].pk != application.village_id
    if app.applied_on is None:
        app.applied_on = local_today()
    _check_and_save(app, app.round, by=by)
    if moved:
        _notify_township(app)
    return app


def _notify_township(app: Application) -> None:
    """Tell the village's township party committee that an application waits for its review."""
    from django.urls import reverse

    from core.roles import Role
    from core.selectors import users_with_role
    from core.services import notify

    notify(users=users_with_role(Role.TOWNSHIP_PARTY, township=app.village.township), kind="selection_review",
           title=_("待初审：%(n)s报名%(v)s") % {"n": app.name, "v": app.village},
           body=_("%(r)s：请乡（镇）党委进行初审。") % {"r": app.round.title},
           url=reverse("selection:application", args=[app.pk]), key=f"selection-review-{app.pk}")


def _lock(application: Application) -> Application:
    app = Application.objects.select_for_update(of=("self",)).select_related("round", "village").get(pk=application.pk)
    if app.round.status != Round.Status.ANNOUNCED:
        raise Conflict(_("选拔批次“%(t)s”已结束，不能再办理。") % {"t": app.round.title})
    return app


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
                       education_exception: str = "", negative_items_found=()) -> Application:
    """R-11 乡（镇）党委初审, R-12 verification of the negative list, R-14 education exception."""
    app = _lock(application)
    to = Application.Status.REVIEWED if passed else Application.Status.REJECTED
    app.check_transition(to)
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
    if not passed and not comment and not found:
        raise ValidationError({"comment": _("不通过初审时，请写明理由。")})
    app.status = to
    app.review_passed = passed
    app.review_comment = comment
    app.education_exception = education_exception if passed else ""
    if not passed:
        reason = policies.negative_list_reason(found) if found else ""
        app.rejection_reason = _("乡（镇）党委初审未通过：%(r)s") % {"r": "；".join(x for x in (reason, comment) if x)}
    _stamp(app, by=by, step="reviewed")
    return _save_app(app, by=by)


@transaction.atomic
def application_score(*, application: Application, by, written, interview) -> Application:
    """R-11 笔试、面试 and R-15: composite = written × w + interview × (1 − w) + bonus (R-14)."""
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
        from cadres.services import cadre_create

        app.cadre = cadre_create(
            by=by, name=app.name, id_number=app.id_number, education=app.education, phone=app.phone,
            political_status=app.political_status, village=village, appointed_on=decided_on,
            previous_round=app.previous_round)
    app.status = to
    app.decided_on = decided_on
    app.document_no = document_no
    _stamp(app, by=by, step="decided")
    return _save_app(app, by=by)


# -- bulk -----------------------------------------------------------------------------------

def error_messages(exc) -> list[str]:
    """A service error as lines a clerk can read, each prefixed with the field's Chinese name."""
    if isinstance(exc, Conflict):
        return [exc.message]
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    labels = {f.name: str(f.verbose_name) for f in Application._meta.fields}
    labels.update({"written": str(_("笔试成绩")), "interview": str(_("面试成绩")), "number": str(_("报名编号"))})
    out = []
    for field, errs in exc.error_dict.items():
        for e in errs:
            for m in e.messages:
                out.append(f"{labels.get(field, '')}：{m}" if field in labels else m)
    return out


def _run_all_or_nothing(result, handle) -> list:
    """Apply ``handle(row)`` to every row in savepoints; any bad row → everything rolled back."""
    done = []
    with transaction.atomic():
        for number, row in result.rows:
            try:
                with transaction.atomic():
                    done.append(handle(number, row))
            except (ValidationError, Conflict) as exc:
                for message in error_messages(exc):
                    result.error(number, message)
        if not result.rows:
            result.error(2, _("文件中没有数据行。"))
        if result.errors:
            transaction.set_rollback(True)
            return []
    return done


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _yes(value) -> bool | None:
    text = _cell(value)
    if text in ("", "否", "无", "N", "n", "0", "False", "FALSE"):
        return False
    if text in ("是", "有", "Y", "y", "1", "True", "TRUE"):
        return True
    return None


def applications_import(*, round: Round, by, result, villages) -> list[Application]:
    """Bulk 个人申请 from the applicant template; ``villages``: the villages ``by`` may enter for.
    A file with any bad row changes nothing (result.errors says why, row by row)."""
    from cadres.models import Education, PoliticalStatus

    by_name = {(v.township.name, v.name): v for v in villages.select_related("township")}
    educations = {str(label): value for value, label in Education.choices}
    politics = {str(label): value for value, label in PoliticalStatus.choices}

    def handle(number, row):
        problems = {}
        village = by_name.get((_cell(row["township"]), _cell(row["village"])))
        if village is None:
            problems["village"] = _("找不到“%(t)s %(v)s”，或不在您的管辖范围；请按模板填写乡（镇）和村的全称。") % {
                "t": _cell(row["township"]), "v": _cell(row["village"])}
        education = educations.get(_cell(row["education"]))
        if education is None:
            problems["education"] = _("学历须为：%(c)s。") % {"c": "、".join(educations)}
        political = politics.get(_cell(row["political_status"]) or str(PoliticalStatus.MASSES.label))
        if political is None:
            problems["political_status"] = _("政治面貌须为：%(c)s。") % {"c": "、".join(politics)}
        previous = _yes(row["previous_round"])
        if previous is None:
            problems["previous_round"] = _("“上轮后备干部”请填“是”或“否”。")
        declared = _cell(row["negative_items"]).replace("，", ",").replace("、", ",").replace(" ", "")
        items = [x for x in declared.split(",") if x and x not in ("无", "否")]
        if any(x not in policies.NEGATIVE_LIST for x in items):
            problems["negative_list"] = _("“负面清单情形”填写第七条的项号（1至10，多项用逗号隔开），无则填“无”或留空。")
            items = []
        if problems:
            raise ValidationError(problems)
        return application_submit(
            round=round, by=by, village=village, name=_cell(row["name"]), id_number=_cell(row["id_number"]),
            education=education, phone=_cell(row["phone"]), previous_round=previous, political_status=political,
            negative_list={k: (k in items) for k in policies.NEGATIVE_KEYS})

    return _run_all_or_nothing(result, handle)


def scores_import(*, round: Round, by, result, applications) -> list[Application]:
    """Bulk 笔试、面试 scores; ``applications``: the round's applications ``by`` may score.
    Rows are matched by 报名编号 (and the name must agree). Any bad row → nothing changes."""
    apps = {a.pk: a for a in applications.filter(round=round)}

    def handle(number, row):
        raw = _cell(row["number"])
        app = apps.get(int(raw)) if raw.isdigit() else None
        if app is None:
            raise ValidationError({"number": _("本批次没有报名编号为“%(i)s”的报名，或不在您的管辖范围。请使用下载的成绩模板。") % {
                "i": raw}})
        if _cell(row["name"]) != app.name:
            raise ValidationError({"name": _("姓名“%(a)s”与报名编号%(i)s登记的“%(b)s”不一致，请核对。") % {
                "a": _cell(row["name"]), "i": app.pk, "b": app.name}})
        return application_score(application=app, by=by, written=row["written"], interview=row["interview"])

    return _run_all_or_nothing(result, handle)


def round_counts(rnd: Round) -> dict:
    return rnd.applications.aggregate(
        total=Count("pk"),
        **{s: Count("pk", filter=Q(status=s)) for s in Application.Status.values},
    )
