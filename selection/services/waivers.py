"""R-17: the five-year ban (R-13) waived for one person in one round by the county organisation department.

第十一条 says a disqualified person "原则上5年内不得参加选拔": in principle, so the county may make an exception.
The exception is never silent: it names who granted it, why and under which document, and the application,
the round page and the county ledger show it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cadres.services import active_ban
from core import idcard, limits
from core.dates import today as local_today
from core.errors import Conflict
from core.services import model_save
from selection import policies
from selection.models import BanWaiver, Round
from selection.permissions import WAIVER_DENIED, actor_may, can_waive_ban, deny_unless


def waiver_for(*, round_id: int, id_number: str) -> BanWaiver | None:
    """The waiver that lets this person take part in the round despite a ban, or None."""
    return BanWaiver.objects.filter(round_id=round_id, id_number=idcard.normalize(id_number)).first()


@transaction.atomic
def ban_waive(*, round: Round, id_number: str, reason: str, document_no: str, by) -> BanWaiver:
    """R-17: record the county's decision that ``id_number`` may take part in ``round`` although still
    within the five-year ban. Refused when the person is not banned, the round is over, or the reason or
    the document number is missing."""
    rnd = Round.objects.select_for_update().select_related("county").get(pk=round.pk)
    deny_unless(actor_may(by, can_waive_ban, rnd), WAIVER_DENIED)
    if rnd.status != Round.Status.ANNOUNCED:
        raise Conflict(_("选拔批次“%(t)s”已结束，不能再批准禁选期豁免。") % {"t": rnd.title})
    errors = {}
    number = idcard.normalize(id_number or "")
    try:
        idcard.validate_id_number(number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    reason = (reason or "").strip()
    document_no = (document_no or "").strip()
    if not reason:
        errors["reason"] = _("请写明豁免理由。")
    elif len(reason) > limits.REASON:
        errors["reason"] = _("豁免理由不能超过%(n)s字。") % {"n": limits.REASON}
    if not document_no:
        errors["document_no"] = _("请填写批准豁免的文号。")
    elif len(document_no) > 100:
        errors["document_no"] = _("文号不能超过100字。")
    if errors:
        raise ValidationError(errors)
    ban = active_ban(number, on=max(local_today(), rnd.announced_on))
    if ban is None:
        raise ValidationError({"id_number": _("此人不在五年禁选期内，可以直接报名，无需豁免。")})
    if waiver_for(round_id=rnd.pk, id_number=number):
        raise ValidationError({"id_number": _("此人在本批次已有禁选期豁免。")})
    waiver = BanWaiver(round=rnd, id_number=number, name=ban.name, banned_cadre=ban, reason=reason,
                       document_no=document_no, granted_by=by)
    return model_save(waiver, by=by, validate_constraints=False,
                      unique_error={"id_number": _("此人在本批次已有禁选期豁免。")})


def waiver_note(waiver: BanWaiver) -> str:
    """How a waiver reads wherever it is shown."""
    return _("禁选期豁免：%(why)s（%(doc)s，%(by)s %(when)s登记；原禁选期至%(last)s）") % {
        "why": waiver.reason, "doc": waiver.document_no, "by": waiver.granted_by or _("系统"),
        "when": f"{waiver.granted_at:%Y-%m-%d}",
        "last": policies.ban_last_day(waiver.banned_cadre.banned_until)}
