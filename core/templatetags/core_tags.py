from django import template

from core import attachments as files
from core.audit import note_form_errors
from core.forms import AttachmentForm
from core.personal import shown
from core.saved_filters import control_context

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (keeps filters across pages)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


def _full(context, county_id) -> bool:
    scope = context.get("scope")
    return scope is not None and scope.sees_personal_data(county_id)


@register.simple_tag(takes_context=True)
def id_number(context, value, county_id=None):
    """R-03: the ID number in full for county_org, masked for everyone else."""
    return shown(value, "id_number", full=_full(context, county_id))


@register.simple_tag(takes_context=True)
def phone(context, value, county_id=None):
    return shown(value, "phone", full=_full(context, county_id))


@register.filter
def id_number_shown(value, full):
    """R-03 for templates rendered without a request (PDF): ``{{ n|id_number_shown:full_personal_data }}``."""
    return shown(value, "id_number", full=bool(full))


@register.filter
def phone_shown(value, full):
    return shown(value, "phone", full=bool(full))


@register.simple_tag(takes_context=True)
def audit_form(context, form):
    """In a form template: a POST answered with this form's errors is logged as 失败 (issue 14 item 5)."""
    note_form_errors(context.get("request"), form)
    return ""


@register.inclusion_tag("includes/saved_filters.html", takes_context=True)
def saved_filters(context, filterset=None, skip=None, hidden=None, own_export=None, table=None):
    """Issue 17: the saved-filter control of a list page (its user's saved filters; save the current one) and
    the Excel of the filtered rows — unless the page offers its own (``own_export``, a ListTable's)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"off": True}
    ctx = control_context(request, filterset, skip=skip or (), hidden=hidden or ())
    if not own_export and not table:
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("cursor", None)
        query["export"] = "xlsx"
        ctx["export_url"] = f"?{query.urlencode()}"
    return ctx


@register.inclusion_tag("includes/attachments.html", takes_context=True)
def attachments(context, target, title=None, hint=None):
    """Issue 14 item 2: the attachments block of a record's page — its files (name, size, who, when, a
    preview), their older versions and withdrawn ones, and the upload form for whoever may attach."""
    request = context.get("request")
    entry = files.entry_for(target)
    if request is None or entry is None or not request.user.is_authenticated:
        return {"off": True}
    series = files.attachments_of(target)
    may = files.can_attach(request.user, target)
    return {
        "target": target, "title": title, "hint": hint, "request": request, "csrf_token": context.get("csrf_token"),
        "series": [s for s in series if not s.withdrawn], "withdrawn": [s for s in series if s.withdrawn],
        "can_attach": may, "form": AttachmentForm() if may else None, "next": request.get_full_path(),
        "label": entry.label,
    }
