"""The county information ledger (R-06) on screen, in Excel and PDF, and 一人一档 (the dossier)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cadres.models import Cadre
from cadres.selectors import cadre_list, discipline_case_list
from core.audit import MAX_SUBJECTS, log_personal_data
from core.dates import today
from core.filters import TownshipPick
from core.pdf import pdf_response, render_pdf
from core.personal import shown
from core.scope import get_scope
from core.selectors import township_list
from selection.selectors import waiver_list
from supervision import exports, selectors
from supervision import permissions as perms
from supervision.models import Talk
from supervision.views.common import int_or_none, page


def ledger_params(request) -> dict:
    """The ledger's filters (page and API); a year outside 2000–2100 is a ValidationError the caller reports."""
    status = request.GET.get("status") or None
    if status not in (None, *Cadre.Status.values):
        status = None
    year = int_or_none(request.GET.get("year")) or today().year
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [_("年度须在2000至2100之间。")]})
    return {"year": year, "township_id": int_or_none(request.GET.get("township")),
            "status": status, "q": (request.GET.get("q") or "").strip() or None}


def ledger_scope_label(user, params: dict) -> str:
    """The filters of a ledger export in words, for the personal-data log."""
    township = township_list(user=user).filter(pk=params["township_id"]).first() if params["township_id"] else None
    parts = [_("%(y)s年度") % {"y": params["year"]}, township.name if township else _("全部乡镇")]
    if params["status"]:
        parts.append(str(Cadre.Status(params["status"]).label))
    if params["q"]:
        parts.append(_("搜索“%(q)s”") % {"q": params["q"][:40]})
    return "，".join(parts)


def log_ledger_export(request, rows, params: dict, fmt: str, waivers) -> None:
    """Issue 14 item 5: the ledger with full ID numbers and phones leaves the system — who, which filters, how
    many people (the rows of counties where the user sees numbers in full, and the waived applicants)."""
    scope = get_scope(request.user)
    full_rows = rows.filter(scope.personal_data_q("village__township__county")).order_by()
    waived = sum(1 for w in waivers if scope.sees_personal_data(w.round.county_id))
    log_personal_data(
        request, kind="pd_ledger_export", scope_label=ledger_scope_label(request.user, params),
        what=_("信息台账（%(f)s）") % {"f": "Excel" if fmt == "xlsx" else "PDF"},
        people=full_rows.count() + waived, fields=("id_number", "phone"),
        subjects=full_rows.order_by("name", "pk").values_list("pk", "name")[:MAX_SUBJECTS])


def ledger_export(request, params: dict, fmt: str):
    """R-06: the ledger as a streamed Excel file or a PDF, with the same filters as the page."""
    rows = selectors.ledger_rows(user=request.user, **params)
    full = get_scope(request.user).sees_personal_data  # asked per row with the row's county
    waivers = waiver_list(user=request.user, year=params["year"])
    log_ledger_export(request, rows, params, fmt, waivers if fmt == "xlsx" else [])
    title = _("村级后备干部信息台账（%(y)s年度）") % {"y": params["year"]}
    name = f"信息台账-{params['year']}"
    if fmt == "xlsx":
        def pay(cadre_ids):  # per chunk of rows: the pay figures of every cadre never sit in memory at once
            return selectors.pay_summary(user=request.user, cadre_ids=cadre_ids, year=params["year"])

        return exports.ledger_xlsx_response(rows, year=params["year"], title=title, pay=pay, full_personal=full,
                                            pay_known=True, filename=f"{name}.xlsx",
                                            waivers=waivers)
    pay = selectors.pay_summary(user=request.user, year=params["year"])
    values = [exports.ledger_values(c, i, pay=pay, full_personal=full, pay_known=True)
              for i, c in enumerate(rows, start=1)]
    content = render_pdf("pdf/supervision_ledger.html", {
        "title": title, "headers": exports.LEDGER_HEADERS, "rows": values, "generated": today()})
    return pdf_response(content, f"{name}.pdf")


@login_required
def ledger(request):
    perms.require(perms.can_view_ledger(get_scope(request.user)), _("信息台账供县、乡（镇）、村工作人员查看。"))
    try:
        params = ledger_params(request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("supervision:ledger")
    fmt = request.GET.get("export")
    if fmt in ("xlsx", "pdf"):
        return ledger_export(request, params, fmt)
    page_obj = page(request, selectors.ledger_rows(user=request.user, **params), 50)
    pay = selectors.pay_summary(user=request.user, cadre_ids=[c.pk for c in page_obj], year=params["year"])
    for c in page_obj:
        c.pay = pay.get(c.pk, {})
    return render(request, "supervision/ledger.html", {
        "page_obj": page_obj, "params": params, "townships": TownshipPick(user=request.user, data=request.GET),
        "statuses": Cadre.Status.choices, "pay_known": True, "query": request.GET.urlencode(),
        "waivers": list(waiver_list(user=request.user, year=params["year"])[:200]),
        "visits": (selectors.last_visits(user=request.user, year=params["year"])
                   if perms.can_view_visits(get_scope(request.user)) else None),
    })


def _dossier_context(request, cadre):
    user = request.user
    attachments = list(selectors.attachment_list(user=user).filter(cadre=cadre).order_by("start_date"))
    by_year: dict[int, int] = {}
    for a in attachments:
        by_year[a.start_date.year] = by_year.get(a.start_date.year, 0) + a.days
    return {
        "cadre": cadre, "pairing": selectors.pairing_list(user=user).filter(cadre=cadre).first(), "year": today().year,
        "groups": cadre.area_groups.select_related("township").all(),
        "training": selectors.training_attendance_list(user=user).filter(cadre=cadre).order_by("-session__held_on"),
        "attachments": attachments, "attachment_years": sorted(by_year.items()),
        "talks": selectors.talk_list(user=user).filter(cadre=cadre).order_by("-held_on"),
        "commitments": selectors.commitment_list(user=user).filter(cadre=cadre).order_by("-year"),
        "assessments": selectors.assessment_list(user=user).filter(cadre=cadre).order_by("-year"),
        "cases": discipline_case_list(user=user).filter(cadre=cadre).order_by("-opened_on"),
        "pay_available": True, "pay": selectors.pay_summary(user=user, cadre_ids=[cadre.pk]).get(cadre.pk),
        "pay_lines": selectors.pay_lines_for(user=user, cadre=cadre),
        "setting": selectors.setting_for(cadre.village.township.county_id),
        "full_personal": get_scope(user).sees_personal_data(cadre.village.township.county_id),
    }


@login_required
def cadre_file(request, pk):
    """一人一档 on screen, with links to record what is missing."""
    cadre = get_object_or_404(cadre_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    ctx = _dossier_context(request, cadre)
    ctx["can_township"] = perms.can_record_for(scope, cadre)
    ctx["can_village"] = perms.can_record_talk(scope, Talk.Kind.HEART_TO_HEART, cadre=cadre)
    return render(request, "supervision/cadre_file.html", ctx)  # the page shows no ID number or phone


@login_required
def dossier_pdf(request, pk):
    cadre = get_object_or_404(cadre_list(user=request.user), pk=pk)
    ctx = _dossier_context(request, cadre)
    ctx["id_number"] = shown(cadre.id_number, "id_number", full=ctx["full_personal"])
    ctx["phone"] = shown(cadre.phone, "phone", full=ctx["full_personal"])
    ctx["generated"] = today()
    if ctx["full_personal"]:  # issue 14 item 5: the file carries the full ID number and phone
        log_personal_data(request, kind="pd_dossier", what=_("一人一档（PDF）：%(n)s") % {"n": cadre.name},
                          people=1, fields=("id_number", "phone"), subjects=[(cadre.pk, cadre.name)],
                          scope_label=f"{cadre.village.township.name}{cadre.village.name}")
    return pdf_response(render_pdf("pdf/supervision_dossier.html", ctx), f"一人一档-{cadre.name}.pdf")
