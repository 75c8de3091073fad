"""Audit: security events, and the readable per-object history of django-simple-history."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.clientip import client_ip
from core.models import AuditEvent
from core.personal import MASKERS, shown


def client_address(request) -> str | None:
    return client_ip(request)


def record_event(request, action: str, outcome: str, *, user=None, username: str = "", detail: str = "") -> None:
    if user is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            user = request.user
    AuditEvent.objects.create(
        user=user,
        username=username or (user.get_username() if user else ""),
        action=action,
        path=(request.path[:300] if request is not None else ""),
        address=client_address(request),
        outcome=outcome,
        detail=detail[:2000],
    )


def history_rows(obj, limit: int = 50, *, full_personal: bool = False) -> list[dict]:
    """Each recorded change of ``obj``: who, when, what kind, and old → new per field.

    ID numbers and phones (R-03) appear masked unless ``full_personal`` (the caller's
    ``Scope.sees_personal_data`` for the record's county)."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    for i, rec in enumerate(records[:limit]):
        prev = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if prev is not None and rec.history_type == "~":
            # every tracked field, also the non-editable ones set by services (status, banned_until …)
            for field in prev.tracked_fields:
                if field.primary_key:
                    continue
                old, new = getattr(prev, field.attname), getattr(rec, field.attname)
                if old != new:
                    model_field = obj._meta.get_field(field.name)
                    if field.name in MASKERS:
                        old, new = (shown(old, field.name, full=full_personal),
                                    shown(new, field.name, full=full_personal))
                    changes.append({
                        "field": str(getattr(model_field, "verbose_name", field.name)),
                        "old": _display(model_field, old),
                        "new": _display(model_field, new),
                    })
        rows.append({
            "when": rec.history_date,
            "who": rec.history_user or _("系统"),
            "kind": {"+": _("创建"), "~": _("修改"), "-": _("删除")}[rec.history_type],
            "changes": changes,
            "reason": rec.history_change_reason or "",
        })
    return rows


def _display(field, value):
    if value in (None, ""):
        return "—"
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if getattr(field, "is_relation", False):
        model = field.related_model
        obj = model._default_manager.filter(pk=value).first()
        return str(obj) if obj else value
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value
