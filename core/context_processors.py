from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.permissions import can_see_nav_item
from core.registry import nav_items
from core.scope import get_scope
from core.selectors import unread_count

#: menu groups by URL namespace: one link when a group has one entry for the user, a dropdown otherwise
GROUPS = {
    "cadres": (_("后备干部"), "people"),
    "selection": (_("选拔"), "megaphone"),
    "attendance": (_("请销假考勤"), "calendar-check"),
    "payroll": (_("报酬待遇"), "cash-coin"),
    "supervision": (_("培养监督"), "clipboard-check"),
    "": (_("系统管理"), "gear"),
}


def _group(items):
    groups: dict[str, dict] = {}
    for item in items:
        key = item["namespace"] if item["namespace"] in GROUPS else ""
        label, icon = GROUPS[key]
        group = groups.setdefault(key, {"label": label, "icon": icon, "items": [], "active": False, "badge": 0})
        group["items"].append(item)
        group["active"] = group["active"] or item["active"]
        group["badge"] += item["badge"] or 0
    order = list(GROUPS)
    return [groups[k] for k in sorted(groups, key=order.index)]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = get_scope(user)
    items = []
    for item in nav_items():
        if not can_see_nav_item(scope, item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        badge = item.badge(request, scope) if item.badge else None
        items.append({"label": item.label, "url": url, "icon": item.icon, "badge": badge,
                      "namespace": item.url_name.split(":")[0] if ":" in item.url_name else "",
                      "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items, "nav_groups": _group(items), "scope": scope, "unread_count": unread_count(user=user)}
