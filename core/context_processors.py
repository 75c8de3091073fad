from django.urls import NoReverseMatch, reverse

from core.registry import nav_items
from core.scope import get_scope


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = get_scope(user)
    items = []
    for item in nav_items():
        if item.roles is not None and not scope.has_any(*item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        badge = item.badge(request, scope) if item.badge else None
        items.append({"label": item.label, "url": url, "icon": item.icon, "badge": badge,
                      "active": request.path.startswith(url) and url != "/"})
    from core.selectors import unread_count

    return {"nav_items": items, "scope": scope, "unread_count": unread_count(user=user)}
