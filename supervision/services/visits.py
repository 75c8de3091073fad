"""R-59: the county organisation department's 调研 and 督查 visits, their findings, and a finding turned into
a 通报 (R-56). Each write checks first that ``by`` may do it (``supervision.permissions``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import dates, limits
from core.errors import Conflict
from core.services import model_save
from supervision import permissions as perms
from supervision.models import CountyVisit, Notice, VisitFinding
from supervision.services.notices import county_township

#: findings entered at once (one per line of the form's box)
MAX_FINDINGS = 30


def split_findings(text: str) -> list[str]:
    """One finding per non-empty line; a line longer than the limit or too many lines is a field error."""
    lines = [line.strip(" \t-•·、") for line in (text or "").splitlines()]
    found = [line for line in lines if line]
    if len(found) > MAX_FINDINGS:
        raise ValidationError({"findings": _("一次最多登记%(n)s条问题，请分次补充。") % {"n": MAX_FINDINGS}})
    long = [i for i, line in enumerate(found, start=1) if len(line) > limits.NOTE]
    if long:
        raise ValidationError({"findings": _("第%(i)s条问题超过%(n)s字，请精简或拆成几条。") % {
            "i": "、".join(map(str, long)), "n": limits.NOTE}})
    return found


@transaction.atomic
def visit_record(*, county, kind: str, visited_on: dt.date, township, by, village=None, met: str = "",
                 summary: str = "", findings=()) -> CountyVisit:
    """R-59: record a visit to a township (and maybe one of its villages) with what it found."""
    perms.enforce(by, perms.can_record_visit, county, message=_("县级调研督查由县委组织部登记。"))
    dates.check(dates.event_errors(visited_on, field="visited_on"))
    if village is not None and township is not None and village.township_id != township.pk:
        raise ValidationError({"village": _("%(v)s不属于%(t)s。") % {"v": village.name, "t": township.name}})
    township = county_township(county, township, village, missing=_("请选择调研督查的乡（镇）。"),
                               elsewhere=_("只能登记本县的调研督查。"))
    visit = CountyVisit(county=county, kind=kind, visited_on=visited_on, township=township, village=village,
                        met=(met or "").strip(), summary=(summary or "").strip(), recorded_by=by)
    model_save(visit, by=by)
    for text in findings:
        model_save(VisitFinding(visit=visit, text=text), by=by)
    return visit


@transaction.atomic
def finding_add(*, visit: CountyVisit, text: str, by) -> VisitFinding:
    perms.enforce(by, perms.can_record_visit, visit.county, message=_("县级调研督查由县委组织部登记。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请写明发现的问题。")})
    return model_save(VisitFinding(visit=visit, text=text), by=by)


@transaction.atomic
def finding_link_notice(*, finding: VisitFinding, notice: Notice, by) -> VisitFinding:
    """The 通报 a finding became (the notice form opened from the finding, then issued)."""
    perms.enforce(by, perms.can_record_visit, finding.visit.county, message=_("县级调研督查由县委组织部登记。"))
    finding = VisitFinding.objects.select_for_update().select_related("visit").get(pk=finding.pk)
    if finding.notice_id and finding.notice_id != notice.pk:
        raise Conflict(_("这条问题已转为通报“%(t)s”。") % {"t": finding.notice})
    if notice.county_id != finding.visit.county_id:
        raise ValidationError({"notice": _("通报与调研督查不属于同一个县。")})
    finding.notice = notice
    return model_save(finding, by=by)


def notice_draft(finding: VisitFinding) -> dict:
    """What the notice form starts with when a finding turns into a 通报."""
    visit = finding.visit
    place = visit.village or visit.township
    return {
        "township": visit.township_id, "village": visit.village_id or "",
        "title": _("关于%(p)s%(k)s发现问题的通报") % {"p": f"{visit.township.name}{visit.village.name if visit.village_id else ''}",
                                                  "k": visit.get_kind_display()},
        "body": _("%(d)s县委组织部到%(p)s%(k)s，发现以下问题：\n%(f)s\n请于整改期限前完成整改并反馈。") % {
            "d": f"{visit.visited_on:%Y年%m月%d日}", "p": place, "k": visit.get_kind_display(), "f": finding.text},
    }
