"""openpyxl helpers: a styled sheet, an HTTP response, and the import reader with a marked error sheet.

Every cell we write goes through ``safe_cell_value`` (issue 16: no formula from user text), and every
upload goes through ``read_upload`` (issue 16: bounded size, zip expansion and row count)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.encoding import escape_uri_path
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


# OWASP "CSV Injection": a cell starting with one of these is a formula (or DDE) to a spreadsheet; the
# full-width forms too, which Excel with a Chinese input method also accepts as the start of a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell_value(cell, value):
    """Put ``value`` into an openpyxl cell (normal or write-only) so that text is only ever text.

    Numbers, dates and Decimals keep their type. Every string is stored as a string cell (openpyxl
    would otherwise turn "=…" into a live formula and "#N/A" into an error value); a string that starts
    with a formula character, also after leading blanks, additionally gets Excel's "quote prefix"
    (the cell shows the text exactly, without an apostrophe, and stays text when someone edits it).
    A literal leading ' would be visible in the cell and would change names that imports read back.
    Returns the cell."""
    if isinstance(value, Promise):
        value = str(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value[:1] in FORMULA_TRIGGERS or value.lstrip()[:1] in FORMULA_TRIGGERS:
            cell.quotePrefix = True
    return cell


def write_cell(ws, row: int, column: int, value):
    """``ws.cell(row, column, value)`` through ``safe_cell_value``."""
    return safe_cell_value(ws.cell(row=row, column=column), value)


def write_title(ws, title: str, width: int, row: int = 1) -> None:
    write_cell(ws, row, 1, title).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(width, 1))
    ws.cell(row=row, column=1).alignment = Alignment(horizontal="center")


def write_header(ws, headers: list[str], row: int = 1, widths: list[int] | None = None) -> None:
    for col, text in enumerate(headers, start=1):
        cell = write_cell(ws, row, col, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = (widths[col - 1] if widths else max(10, len(text) * 2 + 2))
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def write_row(ws, row: int, values: list, *, bold: bool = False, money_cols: set[int] | None = None) -> None:
    for col, value in enumerate(values, start=1):
        cell = write_cell(ws, row, col, value)
        cell.border = BORDER
        if bold:
            cell.font = Font(bold=True)
        if money_cols and col in money_cols:
            cell.number_format = "#,##0.00"


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


# -- imports -------------------------------------------------------------------------------

@dataclass
class ImportResult:
    """Rows read from an uploaded sheet; ``errors`` maps a sheet row number to its messages."""

    headers: list[str]
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)

    def error(self, row: int, message: str) -> None:
        self.errors.setdefault(row, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_upload(upload, columns: dict[str, str], *, header_row: int = 1) -> ImportResult:
    """Read an .xlsx upload whose header row names ``columns`` (key → Chinese header).

    Refuses (ValidationError) a file too large, not .xlsx, or missing a column. Empty rows are skipped.
    """
    if upload is None:
        raise ValidationError({"file": _("请选择要导入的 Excel 文件（.xlsx）。")})
    if upload.size > settings.MAX_IMPORT_BYTES:
        raise ValidationError({"file": _("文件太大（%(s)s KB），最大 %(m)s KB。") % {
            "s": upload.size // 1024, "m": settings.MAX_IMPORT_BYTES // 1024}})
    if not upload.name.lower().endswith(".xlsx"):
        raise ValidationError({"file": _("只能导入 .xlsx 格式的 Excel 文件，请用 Excel 另存为 .xlsx 后再导入。")})
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's to fix
        raise ValidationError({"file": _("无法读取此文件，请确认是 Excel（.xlsx）文件且未加密。")}) from exc
    ws = wb.worksheets[0]
    all_rows = list(ws.iter_rows(values_only=True))
    if len(all_rows) < header_row:
        raise ValidationError({"file": _("文件是空的。")})
    headers = [str(h).strip() if h is not None else "" for h in all_rows[header_row - 1]]
    index = {}
    missing = []
    for key, title in columns.items():
        if title in headers:
            index[key] = headers.index(title)
        else:
            missing.append(title)
    if missing:
        raise ValidationError({"file": _("缺少列：%(c)s。请使用下载的模板。") % {"c": "、".join(missing)}})
    result = ImportResult(headers=headers)
    for number, values in enumerate(all_rows[header_row:], start=header_row + 1):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        row = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
        result.rows.append((number, row))
    return result


def error_workbook(upload, result: ImportResult) -> bytes:
    """The uploaded sheet back, each bad row filled red with a last column saying why."""
    upload.seek(0)
    wb = load_workbook(upload)
    ws = wb.worksheets[0]
    col = ws.max_column + 1
    write_cell(ws, 1, col, _("错误说明")).font = Font(bold=True, color="9C0006")
    ws.column_dimensions[get_column_letter(col)].width = 60
    for row, messages in result.errors.items():
        for c in range(1, col):
            ws.cell(row=row, column=c).fill = ERROR_FILL
        cell = write_cell(ws, row, col, "；".join(messages))
        cell.font = Font(color="9C0006")
        ws.cell(row=row, column=1).comment = Comment("；".join(messages), "系统")
    return workbook_bytes(wb)
