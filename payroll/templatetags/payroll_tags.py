"""Template questions of the stipend pages, answered by ``payroll.permissions`` (templates only ask)."""

from django import template

from core.scope import get_scope
from payroll import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def reads_premiums(context) -> bool:
    """R-45: show the 意外保险 tab only to who may open it (county_org, county_finance)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and permissions.reads_premiums(get_scope(user)))
