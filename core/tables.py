"""List tables with django-tables2: sorting by a column header, the columns a user chose (remembered per user
and list), and the visible columns exported to Excel.

A list declares a table::

    class AccountTable(ListTable):
        username = tables.Column(verbose_name=_("用户名"))
        ...
        class Meta(ListTable.Meta):
            model = User
            fields = ("username", "full_name", "last_login")

and the view answers with ``table_page(request, AccountTable(qs), key="accounts", filename="账号")``: either
the Excel file (``?export=xlsx``: every row of the filtered list, the visible columns, in the chosen order) or
the table ready for ``{% include "includes/table.html" %}`` (sorted, paginated by keys, hidden columns hidden). The
column chooser posts to ``list_columns`` (core/urls.py), which stores a ``ListPreference``.
"""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig
from django_tables2.rows import BoundRows
from openpyxl import Workbook

from core.excel import workbook_bytes, write_header, write_row, xlsx_response
from core.keyset import keyset_page
from core.models import ListPreference

#: the most rows an export of a list writes (a county's lists are far smaller; a province filters first)
MAX_EXPORT_ROWS = 20000


class ListTable(tables.Table):
    """The project's table: Bootstrap classes, stacked cells on a phone, sortable headers, Chinese texts.
    ``always_shown``: columns the chooser does not offer to hide (the one that identifies the row)."""

    always_shown: tuple[str, ...] = ()

    class Meta:
        template_name = "includes/table.html"
        attrs = {"class": "table table-sm mb-0 align-middle table-responsive-stack"}
        empty_text = _("没有记录。")
        order_by_field = "sort"

    def body(self):
        """The page's rows for includes/table.html: ``(row, [(header, td attributes, cell), …])``. A column's
        header and ``<td>`` attributes are worked out once per page, not once per cell (django-tables2's
        ``BoundColumn.attrs`` rebuilds them on every access: a third of a 50-row page's time); a column whose
        ``td`` attributes are computed per record keeps them per cell."""
        columns = list(self.columns)
        fixed = {c.name: (c.header, c.attrs["td"].as_html()) for c in columns
                 if not any(callable(v) for v in (c.column.attrs.get("td") or {}).values())}
        for row in self.paginated_rows:
            cells = []
            for column in columns:
                cell = row.get_cell(column.name)
                header, attrs = fixed.get(column.name) or (column.header, _record_td(column, row, cell))
                cells.append((header, attrs, cell))
            yield row, cells

    def column_choices(self):
        """(name, header, shown) for the chooser."""
        return [(c.name, c.header, c.visible) for c in self.columns.iterall()
                if c.name not in self.always_shown and not c.column.exclude_from_export]


def _record_td(column, row, cell):
    column.current_record, column.current_value = row.record, cell  # what django-tables2's attrs read
    return column.attrs["td"].as_html()


def hidden_columns(user, key: str) -> list[str]:
    row = ListPreference.objects.filter(user=user, table=key).first()
    return list(row.hidden_columns) if row else []


def save_hidden_columns(*, user, key: str, offered: list[str], shown: list[str]) -> list[str]:
    """Remember which columns of list ``key`` the user hides: those the chooser offered and left unticked.
    Names are column names (identifiers); anything else, or more than 50, is ignored."""
    offered = [n for n in offered if n.isidentifier() and len(n) <= 60][:50]
    hidden = [n for n in offered if n not in shown]
    ListPreference.objects.update_or_create(user=user, table=key[:80], defaults={"hidden_columns": hidden})
    return hidden


def table_page(request, table: ListTable, *, key: str, filename: str, per_page: int = 30):
    """Configure ``table`` for this request; returns the Excel response for ``?export=xlsx``, else ``None``
    (the table is then sorted, paginated and ready to render)."""
    table.list_key = key
    for name in hidden_columns(request.user, key):
        if name in table.columns and name not in table.always_shown:
            table.columns.hide(name)
    if request.GET.get("export") == "xlsx":
        RequestConfig(request, paginate=False).configure(table)
        return xlsx_response(_workbook(table), f"{filename}.xlsx")
    data = getattr(table.data, "data", None)
    if isinstance(data, QuerySet):  # issue 19: read the page by keys in the table's (sorted) order
        RequestConfig(request, paginate=False).configure(table)
        page = keyset_page(request, table.data.data, per_page, wrap=lambda rows: BoundRows(rows, table))
        if page is not None:
            table.page = page
            return None
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    return None


def _workbook(table: ListTable) -> bytes:
    shown = [c.name for c in table.columns.iterall() if c.visible and not c.column.exclude_from_export]
    hidden = [c.name for c in table.columns.iterall() if c.name not in shown]
    wb = Workbook()
    ws = wb.active
    values = table.as_values(exclude_columns=hidden)
    write_header(ws, [str(h) for h in next(values)])
    for n, row in enumerate(values, start=2):
        if n > MAX_EXPORT_ROWS + 1:
            break
        write_row(ws, n, ["" if v is None else v for v in row])
    ws.auto_filter.ref = ws.dimensions
    return workbook_bytes(wb)
