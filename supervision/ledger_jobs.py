"""R-06: the ledger's Excel file, built the same way in the request (a township's few rows) and in an export
job (many townships; core.exports, docs/decisions/024): same rows, columns, masking (R-03) and waiver sheet."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from cadres.models import Cadre
from core.audit import MAX_SUBJECTS
from core.dates import today
from core.pdf import render_pdf
from core.scope import get_scope
from core.selectors import township_list
from selection.selectors import waiver_list
from supervision import exports, selectors

KIND = "ledger"
KIND_PDF = "ledger_pdf"
KINDS = {"xlsx": KIND, "pdf": KIND_PDF}


def ledger_scope_label(user, params: dict) -> str:
    """The filters of a ledger export in words (the job's name and the personal-data log)."""
    township = township_list(user=user).filter(pk=params["township_id"]).first() if params["township_id"] else None
    parts = [_("%(y)s年度") % {"y": params["year"]}, township.name if township else _("全部乡镇")]
    if params["status"]:
        parts.append(str(Cadre.Status(params["status"]).label))
    if params["q"]:
        parts.append(_("搜索“%(q)s”") % {"q": params["q"][:40]})
    return "，".join(parts)


def ledger_title(params: dict) -> str:
    return _("村级后备干部信息台账（%(y)s年度）") % {"y": params["year"]}


def ledger_filename(params: dict, fmt: str) -> str:
    return f"信息台账-{params['year']}.{fmt}"


def ledger_personal_log(user, rows, params: dict, fmt: str, waivers) -> dict:
    """Issue 14 item 5: what the personal-data log records for a ledger file with full ID numbers and phones —
    which filters and how many people (the rows of counties where the user sees numbers in full, and the
    waived applicants). The keyword arguments of ``core.audit.log_personal_data`` (it logs nothing for 0)."""
    scope = get_scope(user)
    full_rows = rows.filter(scope.personal_data_q("village__township__county")).order_by()
    waived = sum(1 for w in waivers if scope.sees_personal_data(w.round.county_id))
    return {"kind": "pd_ledger_export", "scope_label": ledger_scope_label(user, params),
            "what": _("信息台账（%(f)s）") % {"f": "Excel" if fmt == "xlsx" else "PDF"},
            "people": full_rows.count() + waived, "fields": ["id_number", "phone"],
            "subjects": [list(p) for p in full_rows.order_by("name", "pk").values_list("pk", "name")[:MAX_SUBJECTS]]}


def ledger_is_large(rows) -> bool:
    """More rows than ``EXPORT_SYNC_MAX_ROWS``: the Excel file is built by an export job."""
    return rows[:settings.EXPORT_SYNC_MAX_ROWS + 1].count() > settings.EXPORT_SYNC_MAX_ROWS


def write_ledger(out, *, user, params: dict, progress=None) -> int:
    """The ledger workbook of what ``user`` sees with ``params`` written to ``out``; returns the row count."""
    rows = selectors.ledger_rows(user=user, **params)

    def pay(cadre_ids):  # per chunk of rows: the pay figures of every cadre never sit in memory at once
        return selectors.pay_summary(user=user, cadre_ids=cadre_ids, year=params["year"])

    return exports.write_ledger_xlsx(
        out, rows, year=params["year"], title=ledger_title(params), pay=pay,
        full_personal=get_scope(user).sees_personal_data, pay_known=True,
        waivers=waiver_list(user=user, year=params["year"]), progress=progress)


def build_ledger_job(job, out, progress) -> dict:
    """The export job's builder (registered as kind ``ledger``): acts as the user who asked, with the scope
    they hold when it runs."""
    user, params = job.user, job.params
    rows = selectors.ledger_rows(user=user, **params)
    total = rows.count()
    progress(0, total)
    write_ledger(out, user=user, params=params, progress=lambda done: progress(done, total))
    return {"filename": ledger_filename(params, "xlsx"),
            "personal_log": ledger_personal_log(user, rows, params, "xlsx",
                                                waiver_list(user=user, year=params["year"]))}


def ledger_pdf(*, user, params: dict, progress=None) -> bytes:
    """The ledger as a PDF (the same rows and masking as the Excel file; no waiver sheet)."""
    rows = selectors.ledger_rows(user=user, **params)
    pay = selectors.pay_summary(user=user, year=params["year"])
    full = get_scope(user).sees_personal_data
    values = []
    for i, c in enumerate(rows.iterator(chunk_size=2000), start=1):
        values.append(exports.ledger_values(c, i, pay=pay, full_personal=full, pay_known=True))
        if progress is not None and i % exports.PROGRESS_EVERY == 0:
            progress(i)
    return render_pdf("pdf/supervision_ledger.html", {
        "title": ledger_title(params), "headers": exports.LEDGER_HEADERS, "rows": values, "generated": today()})


def build_ledger_pdf_job(job, out, progress) -> dict:
    """The export job's builder for the PDF (kind ``ledger_pdf``): WeasyPrint lays out every page in memory,
    so this one is not constant memory, but it no longer runs into the web server's timeout."""
    user, params = job.user, job.params
    rows = selectors.ledger_rows(user=user, **params)
    total = rows.count()
    progress(0, total)
    out.write(ledger_pdf(user=user, params=params, progress=lambda done: progress(done, total)))
    progress(total, total)
    return {"filename": ledger_filename(params, "pdf"),
            "personal_log": ledger_personal_log(user, rows, params, "pdf", [])}
