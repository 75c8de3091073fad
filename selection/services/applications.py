"""Applications (R-11…R-13): 个人申请, its correction while it waits for review, and who is eligible."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres.models import Cadre
from cadres.services import active_ban
from core import idcard
from core.dates import today as local_today
from core.errors import Conflict
from core.roles import Role
from core.selectors import users_with_role
from core.services import model_save, notify
from selection import policies
from selection.models import Application, Round
from selection.permissions import EDIT_DENIED, ENTRY_DENIED, actor_may, can_enter_application, deny_unless
from selection.services.waivers import waiver_for

APPLICATION_FIELDS = ("village", "name", "id_number", "education", "phone", "previous_round", "negative_list",
                      "political_status", "applied_on")


def eligibility_errors(*, id_number: str, negative_list: dict, on: dt.date, round_id: int | None = None) -> dict[str, str]:
    """R-12 and R-13: why this person may not apply on ``on`` (empty dict: they may). A ban waived for
    ``round_id`` by the county (R-17) does not bar."""
    errors = {}
    items = [k for k, v in negative_list.items() if v]
    if items:
        errors["negative_list"] = policies.negative_list_reason(items)
    ban = active_ban(id_number, on=on)
    if ban is not None and not (round_id and waiver_for(round_id=round_id, id_number=id_number)):
        errors["id_number"] = policies.ban_reason(ban) + _("如县委组织部批准豁免，请先登记禁选期豁免。")
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
    _require_entry(by, data.get("village"), rnd)
    if rnd.status != Round.Status.ANNOUNCED:
        raise Conflict(_("选拔批次“%(t)s”已结束，不能再报名。") % {"t": rnd.title})
    app = Application(round=rnd, submitted_by=by, **data)
    if app.applied_on is None:
        app.applied_on = local_today()
    _check_and_save(app, rnd, by=by)
    _notify_township(app)
    return app


def _require_entry(by, village, rnd: Round) -> None:
    """Only who may enter applications for ``village`` files one there. A village outside the round's county
    is refused as a field error by ``_check_and_save`` (it names the county), not as a missing role."""
    if village is not None and village.township.county_id == rnd.county_id:
        deny_unless(actor_may(by, can_enter_application, village=village), ENTRY_DENIED)


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
    refusal = eligibility_errors(id_number=app.id_number, negative_list=app.negative_list, on=app.applied_on,
                                 round_id=rnd.pk)
    if refusal:
        raise ValidationError(refusal)
    banned = active_ban(app.id_number, on=app.applied_on)
    app.ban_waiver = waiver_for(round_id=rnd.pk, id_number=app.id_number) if banned else None
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
    return model_save(app, by=by, validate_constraints=False,
                      unique_error={"id_number": _("此人已在本批次报名，每人每批次只能报一个村。")})


@transaction.atomic
def application_update(*, application: Application, by, **data) -> Application:
    """Correct an application entered with a mistake, only while it waits for the preliminary review;
    every check of the submission runs again (R-12, R-13)."""
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    deny_unless(actor_may(by, can_enter_application, village=application.village), EDIT_DENIED)
    _require_entry(by, data.get("village"), application.round)
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
    notify(users=users_with_role(Role.TOWNSHIP_PARTY, township=app.village.township), kind="selection_review",
           title=_("待初审：%(n)s报名%(v)s") % {"n": app.name, "v": app.village},
           body=_("%(r)s：请乡（镇）党委进行初审。") % {"r": app.round.title},
           url=reverse("selection:application", args=[app.pk]), key=f"selection-review-{app.pk}")


def _lock(application: Application) -> Application:
    app = Application.objects.select_for_update(of=("self",)).select_related("round", "village").get(pk=application.pk)
    if app.round.status != Round.Status.ANNOUNCED:
        raise Conflict(_("选拔批次“%(t)s”已结束，不能再办理。") % {"t": app.round.title})
    return app

