"""Excel of the visible list (issue 17): every list page with filters answers ``?export=xlsx`` with the rows
of its current filters — the same table the page shows (its columns, its words), every row rather than one
page. A list view opts in with ``@visible_list_export`` and paginates with :func:`list_page`; the filter form
(``includes/filters.html``) shows the 导出Excel link. Lists with an export of their own (``core.tables``
ListTable, the payee list, …) answer ``?export=xlsx`` themselves first. Decision 016 says why the sheet is
read from the rendered table."""

from __future__ import annotations

import re
from functools import wraps
from html.parser import HTMLParser

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from openpyxl import Workbook

from core.excel import workbook_bytes, write_header, write_row, xlsx_response
from core.keyset import page_of
from core.scope import get_scope
from core.tables import MAX_EXPORT_ROWS


def wants_export(request) -> bool:
    return request.method == "GET" and request.GET.get("export") == "xlsx"


def list_page(request, rows, per_page: int):
    """The page of ``rows`` a list shows: by keys (``?cursor=``, core.keyset) for an ordered QuerySet, by
    number (``?page=``) for a small list; when the list is exported, all of them (up to ``MAX_EXPORT_ROWS``)
    on one page."""
    if wants_export(request):
        return Paginator(rows, MAX_EXPORT_ROWS).get_page(1)
    return page_of(request, rows, per_page)


def filter_page(request, filterset, qs, per_page: int, **filter_kwargs):
    """A list's FilterSet on the query string (the API's own) and the ``list_page`` of the rows it keeps."""
    flt = filterset(request.GET or None, queryset=qs, user=request.user, **filter_kwargs)
    return flt, list_page(request, flt.qs if flt.is_bound else qs, per_page)


def filtered_list_view(rows, template, filterset, per_page: int, *, may_create):
    """A list page of ``rows(user)`` (what the user may see, in the list's order) through ``filter_page``, with
    the "new" button for whom ``may_create(scope)``; it answers ?export=xlsx too."""

    @visible_list_export
    @login_required
    def view(request):
        flt, page = filter_page(request, filterset, rows(request.user), per_page)
        return render(request, template, {
            "filter": flt, "page_obj": page, "can_create": may_create(get_scope(request.user))})

    return view


class _Table(HTMLParser):
    """The first ``<table>`` inside ``<main>``: header texts and rows of cell texts. Cells marked ``no-print``
    (actions), columns without a header (a row's checkbox) and a row of one spanning cell ("没有记录") are
    left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_main = self.done = False
        self.depth = 0  # nested tables inside the list's table are read as text of their cell
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.title = ""
        self._row = None
        self._cell = None
        self._in_title = False
        self._keep: list[int] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "main":
            self.in_main = True
        elif tag == "table" and self.in_main and not self.done:
            self.depth += 1
        elif self.depth == 1 and tag == "tr":
            self._row = []
        elif self.depth == 1 and tag in ("td", "th") and self._row is not None:
            skip = "no-print" in (attrs.get("class") or "")
            self._cell = {"text": [], "skip": skip, "span": int(attrs.get("colspan") or 1)
                          if str(attrs.get("colspan") or "1").isdigit() else 1, "th": tag == "th"}
        elif tag == "br" and self._cell is not None:
            self._cell["text"].append(" ")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "table" and self.depth:
            self.depth -= 1
            if self.depth == 0:
                self.done = True
        elif self.depth == 1 and tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif self.depth == 1 and tag == "tr" and self._row is not None:
            row, self._row = self._row, None
            if not row:
                return
            if all(c["th"] for c in row) and not self.header:
                self._keep = [i for i, c in enumerate(row) if not c["skip"] and _text(c)]
                self.header = [_text(row[i]) for i in self._keep]
            elif self.header and not (len(row) == 1 and row[0]["span"] > 1):
                self.rows.append([_text(row[i]) if i < len(row) else "" for i in self._keep])

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif self._cell is not None:
            self._cell["text"].append(data)


def _text(cell) -> str:
    return re.sub(r"\s+", " ", "".join(cell["text"])).strip()


def table_xlsx(html: str) -> tuple[bytes, str] | None:
    """The list's table of a rendered page as a workbook, and the page's title; None when it has no table."""
    parser = _Table()
    parser.feed(html)
    if not parser.header:
        return None
    title = parser.title.split("·")[0].strip() or "列表"
    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet"
    write_header(ws, parser.header)
    for i, row in enumerate(parser.rows, start=2):
        write_row(ws, i, row)
    return workbook_bytes(wb), title


def visible_list_export(view):
    """A list view that also answers ``?export=xlsx`` with its table (all filtered rows): the page is rendered
    as usual (with :func:`list_page` giving every row) and its table becomes the sheet. A page without a
    table answers as it is."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if (not wants_export(request) or response.status_code != 200
                or not response.get("Content-Type", "").startswith("text/html")):
            return response
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        made = table_xlsx(response.content.decode(response.charset or "utf-8"))
        if made is None:
            return response
        content, title = made
        return xlsx_response(content, f"{title}.xlsx")

    return wrapped
