"""Issue 13: county_org corrects or withdraws a year-end assessment (R-55) with a reason and a document number.

A 不称职 whose disqualification came from the assessment (R-31) is undone through the one reinstatement service
(``cadres.services.cadre_reinstate``: the ban is lifted, the cadre is active again, pay resumes). A correction to
不称职 disqualifies through the one disqualification service, as recording it would have."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cadres.models import Cadre, DisqualifyCategory
from cadres.services import Reinstatement, cadre_disqualify, cadre_reinstate, justification_errors
from core import limits
from core.dates import today
from core.errors import Conflict
from core.services import model_save
from supervision import permissions as perms
from supervision.models import Assessment

CORRECT_DENIED = _("只有县委组织部可以更正或撤销年底资格评估。")


@dataclass
class AssessmentChange:
    """What a correction did: the assessment and, when it undid a disqualification, the reinstatement."""

    assessment: Assessment
    reinstatement: Reinstatement | None = None


def _justification_errors(reason: str, document_no: str) -> dict:
    return justification_errors(reason, document_no, no_reason=_("请填写更正或撤销的理由。"),
                                no_document_no=_("请填写更正或撤销的文号（如 清委组〔2026〕3号）。"))


def _lock(assessment: Assessment) -> Assessment:
    row = Assessment.objects.select_for_update(of=("self", "cadre")).select_related("cadre__village__township").get(pk=assessment.pk)
    if row.withdrawn:
        raise Conflict(_("%(a)s已撤销，不能再更正或撤销。") % {"a": row})
    return row


def _disqualified_by(row: Assessment) -> bool:
    """The cadre's disqualification came from this 不称职 (R-55 → R-31) and still stands."""
    cadre = row.cadre
    return (row.result == Assessment.Result.INCOMPETENT and cadre.status == Cadre.Status.DISQUALIFIED
            and cadre.disqualify_category == DisqualifyCategory.ASSESSMENT_INCOMPETENT
            and cadre.disqualified_on == row.assessed_on)


def _save(row: Assessment, *, by, why: str) -> None:
    row._change_reason = why[:100]
    model_save(row, by=by)


@transaction.atomic
def assessment_correct(*, assessment: Assessment, result: str, reason: str, document_no: str, by,
                       notes: str | None = None) -> AssessmentChange:
    """Issue 13: county_org corrects the result (and the notes) of an assessment. 不称职 corrected to 称职 or
    优秀 reinstates the cadre it disqualified; 称职/优秀 corrected to 不称职 disqualifies the cadre today."""
    perms.enforce(by, perms.can_correct_assessment, assessment, message=CORRECT_DENIED)
    reason, document_no = (reason or "").strip(), (document_no or "").strip()
    errors = _justification_errors(reason, document_no)
    if result not in Assessment.Result.values:
        errors["result"] = [_("请选择评估结果：优秀、称职或不称职。")]
    row = _lock(assessment)
    notes = row.notes if notes is None else (notes or "").strip()
    if not errors and result == row.result and notes == row.notes:
        errors["result"] = [_("评估结果和评估意见都没有变化；如要撤销这次评估，请使用“撤销”。")]
    if result == Assessment.Result.INCOMPETENT and not notes:
        errors["notes"] = [_("评为不称职须写明评估意见（将作为取消资格的理由）。")]
    if errors:
        raise ValidationError(errors)
    was_disqualifying = _disqualified_by(row)
    old = row.get_result_display()
    row.result, row.notes = result, notes
    if result != Assessment.Result.EXCELLENT:
        row.commended = False
    if result == Assessment.Result.INCOMPETENT:
        row.recommend_party = row.recommend_committee = row.recommend_eight = False
    row.correction_reason, row.correction_document_no = reason, document_no
    why = _("更正评估结果（%(o)s→%(n)s，文号：%(d)s）：%(r)s") % {
        "o": old, "n": row.get_result_display(), "d": document_no, "r": reason}
    _save(row, by=by, why=why)
    change = AssessmentChange(assessment=row)
    if was_disqualifying and result != Assessment.Result.INCOMPETENT:
        change.reinstatement = cadre_reinstate(cadre=row.cadre, document_no=document_no, by=by, reason=(
            _("年底资格评估更正为%(n)s：") % {"n": row.get_result_display()} + reason)[:limits.REASON])
    elif result == Assessment.Result.INCOMPETENT and row.cadre.status == Cadre.Status.ACTIVE:
        cadre_disqualify(cadre=row.cadre, date=today(), category=DisqualifyCategory.ASSESSMENT_INCOMPETENT,
                         reason=_("%(y)s年度年底资格评估更正为不称职（文号：%(d)s）：%(n)s") % {
                             "y": row.year, "d": document_no, "n": notes}, by=by)
    return change


@transaction.atomic
def assessment_withdraw(*, assessment: Assessment, reason: str, document_no: str, by) -> AssessmentChange:
    """Issue 13: county_org withdraws an assessment (kept, marked 已撤销). A withdrawn 不称职 reinstates the
    cadre it disqualified."""
    perms.enforce(by, perms.can_correct_assessment, assessment, message=CORRECT_DENIED)
    reason, document_no = (reason or "").strip(), (document_no or "").strip()
    errors = _justification_errors(reason, document_no)
    if errors:
        raise ValidationError(errors)
    row = _lock(assessment)
    was_disqualifying = _disqualified_by(row)
    row.withdrawn = True
    row.correction_reason, row.correction_document_no = reason, document_no
    why = _("撤销%(y)s年度评估（文号：%(d)s）：%(r)s") % {"y": row.year, "d": document_no, "r": reason}
    _save(row, by=by, why=why)
    change = AssessmentChange(assessment=row)
    if was_disqualifying:
        change.reinstatement = cadre_reinstate(cadre=row.cadre, document_no=document_no, by=by, reason=(
            _("%(y)s年度不称职评估已撤销：") % {"y": row.year} + reason)[:limits.REASON])
    return change
