"""What the stipend pages share."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from core.excel import error_workbook, xlsx_response
from core.scope import get_scope
from core.selectors import county_list
from payroll import permissions


def org_counties(user):
    """The counties whose runs, policies and corrections the user manages (county_org)."""
    scope = get_scope(user)
    qs = county_list(user=user)
    if scope.is_superuser:
        return qs
    return qs.filter(pk__in=permissions.managed_county_ids(scope))


def refused_rows(upload, result, name: str):
    """An import with errors: the uploaded file back with the wrong rows marked (400), nothing saved."""
    response = xlsx_response(error_workbook(upload, result), name)
    response.status_code = 400
    return response


def import_page(request, form, *, title, back, template_url, help_text):
    """The upload page of an import; after a POST only when it was refused (400)."""
    return render(request, "payroll/import.html", {
        "form": form, "title": title, "back": back, "template_url": template_url,
        "help": help_text + _("任何一行有错误时不会保存任何数据，系统会返回标红错误行的表格。"),
    }, status=400 if request.method == "POST" else 200)
