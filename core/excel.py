"""openpyxl helpers: a styled sheet, an HTTP response, and the import reader with a marked error sheet.

Every cell we write goes through ``safe_cell_value`` (issue 16: no formula from user text), and every
upload goes through ``read_upload`` (issue 16: bounded size, zip expansion and row count)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.encoding import escape_uri_path
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


# OWASP "CSV Injection": a cell starting with one of these is a formula (or DDE) to a spreadsheet. The
# full-width forms, which Chinese input methods type, are treated the same as a precaution.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell_value(cell, value):
    """Put ``value`` into an openpyxl cell (normal or write-only) so that text is only ever text.

    Numbers, dates and Decimals keep their type. Every string is stored as a string cell (openpyxl
    would otherwise turn "=…" into a live formula and "#N/A" into an error value); a string that starts
    with a formula character, also after leading blanks, additionally gets Excel's "quote prefix"
    (the cell shows the text exactly, without an apostrophe, and stays text when someone edits it).
    A literal leading ' would be visible in the cell and would change names that imports read back.
    Control characters that a worksheet cannot hold (openpyxl would raise, failing the whole export) are
    dropped. Returns the cell."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
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
    ws._table_rows = [row, row, len(headers)]  # header row, last data row so far, columns (for the autofilter)


def write_row(ws, row: int, values: list, *, bold: bool = False, money_cols: set[int] | None = None) -> None:
    table = getattr(ws, "_table_rows", None)
    if table and not bold and row == table[1] + 1:
        table[1] = row  # a data row right below the header or the last one; a bold total ends the table
    for col, value in enumerate(values, start=1):
        cell = write_cell(ws, row, col, value)
        cell.border = BORDER
        if bold:
            cell.font = Font(bold=True)
        if money_cols and col in money_cols:
            cell.number_format = "#,##0.00"
        elif isinstance(value, dt.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"


#: a sheet this wide prints on one page's width (issue 17: 12+ columns ran over to a second page)
FIT_TO_WIDTH_COLUMNS = 12


def pick_list(ws, labels, cells: str) -> None:
    """A template column's drop-down: the cells of ``cells`` (a range such as "F2:F1001") offer ``labels``."""
    dv = DataValidation(type="list", formula1='"%s"' % ",".join(str(label) for label in labels))
    dv.add(cells)
    ws.add_data_validation(dv)


def notes_sheet(wb: Workbook, lines: list) -> None:
    """A template's 填写说明 sheet: one line of ``lines`` a row, in one wide column."""
    notes = wb.create_sheet(_("填写说明"))
    notes.column_dimensions["A"].width = 110
    for i, line in enumerate(lines, start=1):
        write_cell(notes, i, 1, line)


def finish_sheet(ws) -> None:
    """What every exported sheet gets (issue 17): an autofilter over the header and the data rows written
    below it by ``write_header``/``write_row`` (the bold total row stays out of sorting), and, from
    ``FIT_TO_WIDTH_COLUMNS`` columns, landscape printing fitted to one page wide."""
    table = getattr(ws, "_table_rows", None)
    if table and not ws.auto_filter.ref:
        header, last, columns = table
        ws.auto_filter.ref = f"A{header}:{get_column_letter(columns)}{max(last, header)}"
    if ws.max_column >= FIT_TO_WIDTH_COLUMNS:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True


def workbook_bytes(wb: Workbook) -> bytes:
    if not wb.write_only:
        for ws in wb.worksheets:
            finish_sheet(ws)
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


def too_large_message(size: int | None = None, *, rows: int | None = None) -> str:
    """The one "文件太大" message: from ``read_upload`` (which knows the import's row cap) and from the
    upload handler that stops reading (``size`` then is the request's length, or unknown)."""
    text = (_("文件太大（%(s)s KB），最大 %(m)s KB。") % {"s": size // 1024, "m": settings.MAX_IMPORT_BYTES // 1024}
            if size else _("文件太大，最大 %(m)s KB。") % {"m": settings.MAX_IMPORT_BYTES // 1024})
    if rows:
        return text + _("每次最多导入 %(r)s 行，请删除多余内容或分成几个文件导入。") % {"r": rows}
    return text + _("请删除多余内容或分成几个文件导入。")


UNREADABLE = gettext_lazy("无法读取此文件，请确认是 Excel（.xlsx）文件且未加密。")
# Members this small may compress very well (styles, themes) without being a danger.
RATIO_FLOOR_BYTES = 1024 * 1024


def _check_zip(upload, max_rows: int) -> None:
    """Refuse a zip bomb before openpyxl decompresses anything (issue 16): an .xlsx is a zip, and
    728 KB of repetitive sheet XML expands to 191 MB. Only the zip's directory is read here; Python's
    zipfile never hands out more than the size a member declares, so the declared sizes are a bound."""
    upload.seek(0)
    try:
        infos = zipfile.ZipFile(upload).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ValidationError({"file": str(UNREADABLE)}) from exc
    total = sum(info.file_size for info in infos)
    ratio = settings.MAX_IMPORT_ZIP_RATIO
    bomb = (len(infos) > settings.MAX_IMPORT_ZIP_MEMBERS or total > settings.MAX_IMPORT_UNZIPPED_BYTES
            or any(info.file_size > RATIO_FLOOR_BYTES and info.file_size > ratio * max(info.compress_size, 1)
                   for info in infos))
    if bomb:
        raise ValidationError({"file": _(
            "文件解压后的内容异常大（约 %(u)s MB），系统拒绝读取：可能含有大量空行或格式，或不是正常的 Excel 文件。"
            "每次最多导入 %(r)s 行，请把数据复制到下载的模板中，另存为 .xlsx 后再导入。") % {
            "u": max(total // (1024 * 1024), 1), "r": max_rows}})
    upload.seek(0)


def upload_form_valid(request, form) -> bool:
    """``form.is_valid()`` for an import form, with a file refused while uploading (``core.uploads``:
    文件太大) reported on its field instead of "this field is required"."""
    valid = form.is_valid()
    for name, message in getattr(request, "upload_refused", {}).items():
        if name in form.fields:
            form.errors[name] = form.error_class([message])
            form.cleaned_data.pop(name, None)
            valid = False
    return valid


def _blank(values) -> bool:
    return values is None or all(v is None or str(v).strip() == "" for v in values)


def read_upload(upload, columns: dict[str, str], *, header_row: int = 1,
                max_rows: int | None = None, optional=()) -> ImportResult:
    """Read an .xlsx upload whose header row names ``columns`` (key → Chinese header).

    Refuses (ValidationError on "file", nothing read into the database) a file too large, one whose zip
    expands too much, not .xlsx, missing a column, without any data row, or with more data rows than
    ``max_rows`` (default ``settings.MAX_IMPORT_ROWS``) — rows are streamed and counting stops at the first
    one over the cap. Empty rows are skipped. A column in ``optional`` (keys) may be absent (a template
    downloaded before it was added still imports); its value is then None."""
    max_rows = max_rows or settings.MAX_IMPORT_ROWS
    if upload is None:
        raise ValidationError({"file": _("请选择要导入的 Excel 文件（.xlsx）。")})
    if upload.size > settings.MAX_IMPORT_BYTES:
        raise ValidationError({"file": too_large_message(upload.size, rows=max_rows)})
    if not upload.name.lower().endswith(".xlsx"):
        raise ValidationError({"file": _("只能导入 .xlsx 格式的 Excel 文件，请用 Excel 另存为 .xlsx 后再导入。")})
    _check_zip(upload, max_rows)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's to fix
        raise ValidationError({"file": str(UNREADABLE)}) from exc
    try:
        return _read_rows(wb.worksheets[0], columns, header_row, max_rows, frozenset(optional))
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet that breaks while streaming is unreadable too
        raise ValidationError({"file": str(UNREADABLE)}) from exc
    finally:
        wb.close()


def _read_rows(ws, columns: dict[str, str], header_row: int, cap: int, optional=frozenset()) -> ImportResult:
    rows = enumerate(ws.iter_rows(values_only=True), start=1)
    header = None
    for number, values in rows:
        if number == header_row:
            header = values
            break
    if header is None:
        raise ValidationError({"file": _("文件是空的。")})
    headers = [str(h).strip() if h is not None else "" for h in header]
    index = {}
    missing = []
    for key, title in columns.items():
        if title in headers:
            index[key] = headers.index(title)
        elif key not in optional:
            missing.append(title)
    if missing:
        raise ValidationError({"file": _("缺少列：%(c)s。请使用下载的模板。") % {"c": "、".join(missing)}})
    result = ImportResult(headers=headers)
    for number, values in rows:
        if _blank(values):
            continue
        if len(result.rows) == cap:
            raise ValidationError({"file": _("数据行超过 %(n)s 行（第 %(r)s 行起超出），每次最多导入 %(n)s 行，"
                                             "请分成几个文件导入。") % {"n": cap, "r": number}})
        row = dict.fromkeys(optional)
        row.update({key: (values[i] if i < len(values) else None) for key, i in index.items()})
        result.rows.append((number, row))
    if not result.rows:
        raise ValidationError({"file": _("文件里没有数据行：请在表头下面逐行填写后再导入。")})
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
