"""Issue 13: county_org undoes a wrong disqualification, with a reason and a document number (文号)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres.models import Cadre
from cadres.permissions import REINSTATE_DENIED, actor_may, can_reinstate_cadre, deny_unless
from cadres.services.records import DOCUMENT_NO_MAX, _check_unique_active, _save
from core import limits, registry
from core.audit import record_event
from core.dates import today as local_today
from core.errors import Conflict
from core.roles import Role
from core.selectors import users_with_role
from core.services import notify


@dataclass
class Reinstatement:
    """What :func:`cadre_reinstate` did: the cadre, whether the village is now over its quota, and the
    adjustment lines that pay the approved months missed."""

    cadre: Cadre
    over_quota: bool = False
    active: int = 0
    quota: int = 0
    adjustments: list = field(default_factory=list)


def justification_errors(reason: str, document_no: str, *, no_reason: str, no_document_no: str) -> dict:
    """Issue 13: the field errors of the reason and the document number (文号) that undoing or correcting a
    decision requires — each present and within its length; ``no_…`` say what is missing."""
    errors = {}
    if not reason:
        errors["reason"] = [no_reason]
    elif len(reason) > limits.REASON:
        errors["reason"] = [_("理由最多 %(n)s 字，请精简后再提交。") % {"n": limits.REASON}]
    if not document_no:
        errors["document_no"] = [no_document_no]
    elif len(document_no) > DOCUMENT_NO_MAX:
        errors["document_no"] = [_("文号最多 %(n)s 字。") % {"n": DOCUMENT_NO_MAX}]
    return errors


@transaction.atomic
def cadre_reinstate(*, cadre: Cadre, reason: str, document_no: str, by) -> Reinstatement:
    """Issue 13: undo a wrong disqualification (R-31) — county_org only, with a reason and a document number.

    The cadre is active again in the same village and post; the ban (R-13) is lifted, so ``active_ban`` no
    longer finds it; the history keeps who did it, why and the document number. If the village has meanwhile
    filled its quota (R-01) the cadre is reinstated anyway and county_org is told the village is over quota.
    Pay resumes (R-41): the payroll app adds adjustment lines for the approved months missed and rebuilds
    the drafts (``core.registry.cadre_reinstated``)."""
    deny_unless(actor_may(by, can_reinstate_cadre, cadre), REINSTATE_DENIED)
    reason, document_no = (reason or "").strip(), (document_no or "").strip()
    errors = justification_errors(reason, document_no, no_reason=_("请填写恢复资格的理由。"),
                                  no_document_no=_("请填写恢复资格的文号（如 清委组〔2026〕3号）。"))
    if errors:
        raise ValidationError(errors)
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("village__township__county").get(pk=cadre.pk)
    if cadre.status != Cadre.Status.DISQUALIFIED:
        raise Conflict(_("%(n)s当前状态为“%(s)s”，只有被取消资格的后备干部才能恢复资格。") % {
            "n": cadre.name, "s": cadre.get_status_display()})
    left_on, category = cadre.left_on, cadre.get_disqualify_category_display()
    cadre.status = Cadre.Status.ACTIVE
    cadre.left_on = cadre.disqualified_on = cadre.banned_until = None  # the ban is lifted
    cadre.disqualify_category = ""
    cadre.leave_reason = ""
    cadre.reinstated_on = local_today()
    cadre.reinstate_reason = reason
    cadre.reinstate_document_no = document_no
    why = _("恢复资格（文号：%(d)s）：%(r)s") % {"d": document_no, "r": reason}
    cadre._change_reason = why[:100]
    _check_unique_active(cadre)
    _save(cadre, by=by)
    record_event(None, "cadre_reinstate", "success", user=by, detail=_(
        "后备干部 #%(c)s %(n)s：撤销%(l)s的取消资格（%(k)s），%(w)s") % {
        "c": cadre.pk, "n": cadre.name, "l": left_on, "k": category, "w": why})
    village = cadre.village
    active = village.cadres.filter(status=Cadre.Status.ACTIVE).count()
    result = Reinstatement(cadre=cadre, over_quota=active > village.quota, active=active, quota=village.quota)
    if result.over_quota:
        notify(users=users_with_role(Role.COUNTY_ORG, county=village.township.county), kind="over_quota",
               key=f"over_quota:{cadre.pk}:{cadre.reinstated_on}",
               title=_("%(t)s%(v)s后备干部超出名额") % {"t": village.township.name, "v": village.name},
               body=_("%(n)s恢复资格后，该村在岗后备干部 %(a)s 名，超出名额 %(q)s 名，请研究处理。") % {
                   "n": cadre.name, "a": active, "q": village.quota},
               url=reverse("cadres:detail", args=[cadre.pk]))
    result.adjustments = registry.cadre_reinstated(cadre, left_on=left_on, reason=why, by=by)
    return result
