"""The county information ledger (R-06) on screen, in Excel and PDF, and 一人一档 (the dossier)."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _

from cadres.models import Cadre
from cadres.selectors import cadre_list, discipline_case_list
from core.audit import log_personal_data
from core.dates import today
from core.excel import XLSX
from core.exports import export_start
from core.filters import TownshipPick
from core.pdf import pdf_response, render_pdf
from core.personal import shown
from core.scope import get_scope
from selection.selectors import waiver_list
from supervision import permissions as perms
from supervision import selectors
from supervision.ledger_jobs import (
    KINDS,
    ledger_filename,
    ledger_is_large,
    ledger_pdf,
    ledger_personal_log,
    ledger_scope_label,
    write_ledger,
)
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


def log_ledger_export(request, rows, params: dict, fmt: str, waivers) -> None:
    """Issue 14 item 5: the ledger with full ID numbers and phones leaves the system — who, which filters, how
    many people."""
    log_personal_data(request, **ledger_personal_log(request.user, rows, params, fmt, waivers))


def ledger_export(request, params: dict, fmt: str):
    """R-06: the ledger as an Excel file or a PDF, with the same filters as the page, built in the request."""
    rows = selectors.ledger_rows(user=request.user, **params)
    waivers = waiver_list(user=request.user, year=params["year"])
    log_ledger_export(request, rows, params, fmt, waivers if fmt == "xlsx" else [])
    if fmt == "xlsx":
        tmp = tempfile.TemporaryFile()
        write_ledger(tmp, user=request.user, params=params)
        tmp.seek(0)
        response = FileResponse(tmp, content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(ledger_filename(params, fmt))}"
        return response
    content = ledger_pdf(user=request.user, params=params)
    return pdf_response(content, ledger_filename(params, fmt))


def ledger_export_start(request, params: dict, fmt: str):
    """Issue 19 item 5: the export job that builds the ledger file (the page's large ledgers, the API's ``async=1``)."""
    return export_start(user=request.user, kind=KINDS[fmt], params=params,
                        label=_("信息台账（%(f)s）：%(s)s") % {"f": "Excel" if fmt == "xlsx" else "PDF",
                                                         "s": ledger_scope_label(request.user, params)})


def ledger_export_job(request, params: dict, fmt: str):
    """A ledger of many townships is built by an export job; the user follows its page."""
    job = ledger_export_start(request, params, fmt)
    messages.info(request, _("台账行数较多，已转为后台生成，完成后可在本页下载。"))
    return redirect("export_detail", pk=job.pk)


@login_required
def ledger(request):
    perms.require(perms.can_view_ledger(get_scope(request.user)), _("信息台账供县、乡（镇）、村工作人员查看。"))
    try:
        params = ledger_params(request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("supervision:ledger")
    fmt = request.GET.get("export")
    if fmt in ("xlsx", "pdf") and ledger_is_large(selectors.ledger_rows(user=request.user, **params)):
        return ledger_export_job(request, params, fmt)
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
