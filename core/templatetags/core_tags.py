from django import template

from core.idcard import mask_id_number, mask_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (keeps filters across pages)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def id_number(context, value, county_id=None):
    """R-03: the ID number in full for county_org, masked for everyone else."""
    scope = context.get("scope")
    return value if scope is not None and scope.sees_personal_data(county_id) else mask_id_number(value)


@register.simple_tag(takes_context=True)
def phone(context, value, county_id=None):
    scope = context.get("scope")
    return value if scope is not None and scope.sees_personal_data(county_id) else mask_phone(value)
