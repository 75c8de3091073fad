"""Audit: security events, the personal-data log (issue 14 item 5, decision 017), and the readable per-object
history of django-simple-history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.clientip import client_ip
from core.models import AuditEvent
from core.personal import MASKERS, shown


def client_address(request) -> str | None:
    return client_ip(request)


#: personal-data kinds (the audit page's 类别 filter and labels): what was shown or downloaded in full
PERSONAL_DATA_KINDS = {
    "pd_ledger_export": gettext_lazy("导出台账"),
    "pd_dossier": gettext_lazy("查看一人一档"),
    "pd_pay_sheet": gettext_lazy("下载发放表"),
    "pd_pay_slip": gettext_lazy("下载工资条"),
    "pd_disbursement": gettext_lazy("下载代发文件"),
    "pd_cadre_view": gettext_lazy("查看干部信息"),
    "pd_application_view": gettext_lazy("查看报名信息"),
    "pd_score_template": gettext_lazy("下载成绩导入模板"),
    "pd_payee_view": gettext_lazy("查看收款账户"),
    "pd_payee_export": gettext_lazy("导出收款账户"),
    "pd_api_detail": gettext_lazy("接口读取详情"),
    "pd_api_list": gettext_lazy("接口读取列表"),
}
#: the personal numbers a log entry names (``fields=``)
PERSONAL_FIELDS = {"id_number": gettext_lazy("身份证号"), "phone": gettext_lazy("手机号"),
                   "account": gettext_lazy("收款账号")}
#: at most this many names (and ids) are kept on one entry; ``people`` keeps the full count
MAX_SUBJECTS = 100


def record_event(request, action: str, outcome: str, *, user=None, username: str = "", detail: str = "",
                 **extra) -> None:
    """One audit event. A denial (``outcome="denied"``) of the same user (or, signed out, address) on the same
    path within ``AUDIT_DENIAL_WINDOW_SECONDS`` (default 600) is recorded once: ten retries are one row."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            user = request.user
    path = request.path[:300] if request is not None else ""
    address = client_address(request)
    if outcome == AuditEvent.Outcome.DENIED and _denied_recently(user, username, address, path):
        return
    AuditEvent.objects.create(
        user=user,
        username=username or (user.get_username() if user else ""),
        action=action,
        path=path,
        address=address,
        outcome=outcome,
        detail=detail[:2000],
        **extra,
    )


def _denied_recently(user, username: str, address: str | None, path: str) -> bool:
    window = dt.timedelta(seconds=getattr(settings, "AUDIT_DENIAL_WINDOW_SECONDS", 600))
    recent = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.DENIED, path=path, at__gte=timezone.now() - window)
    if user is not None:
        recent = recent.filter(user=user)
    elif username:
        recent = recent.filter(user__isnull=True, username=username)
    else:
        recent = recent.filter(user__isnull=True, username="", address=address)
    return recent.exists()


def log_personal_data(request_or_user, *, kind: str, what: str, scope_label: str, people: int,
                      fields: Iterable[str], subjects: Iterable[tuple[int, str]] = ()) -> None:
    """Issue 14 item 5 (PIPL): record that the user was shown, or downloaded, personal numbers in full.

    Called only where the output is unmasked for that user (``Scope.sees_personal_data`` /
    ``sees_payee_accounts``); a masked output logs nothing, and so does one that shows nobody (``people`` 0).
    ``kind`` is a key of ``PERSONAL_DATA_KINDS``; ``what`` says which file or record in words; ``scope_label``
    the township/county/filters it covered; ``fields`` the numbers shown (keys of ``PERSONAL_FIELDS``);
    ``subjects`` (cadre or applicant id, name) pairs of the people, of which the first ``MAX_SUBJECTS`` are kept
    so the page can be searched by a person's name."""
    if not people:
        return
    if kind not in PERSONAL_DATA_KINDS:
        raise ValueError(f"unknown personal-data kind {kind!r}")
    request = None if _is_user(request_or_user) else request_or_user
    user = request_or_user if request is None else None
    kept = []
    for pair in subjects:
        if len(kept) >= MAX_SUBJECTS:
            break
        kept.append(pair)
    record_event(request, kind, AuditEvent.Outcome.SUCCESS, user=user, detail=what,
                 people=people, scope_label=scope_label[:200],
                 personal_fields="、".join(str(PERSONAL_FIELDS[f]) for f in fields)[:100],
                 subjects="、".join(name for _pk, name in kept)[:2000],
                 subject_ids=[pk for pk, _name in kept])


#: form fields whose submitted values never reach the log (personal numbers, passwords)
SECRET_FORM_FIELDS = ("id_number", "phone", "number", "account", "password", "password1", "password2",
                      "old_password", "new_password1", "new_password2")


def form_error_summary(form) -> str:
    """A failed form in words for the log: each field's label and its messages; the submitted values of
    personal numbers and passwords are cut out of any message that repeats them."""
    secrets = [str(form.data.get(name) or "").strip() for name in SECRET_FORM_FIELDS if name in form.fields]
    secrets = [v for v in secrets if len(v) >= 3]
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else (_("表单") if name == "__all__" else name)
        text = "；".join(str(e) for e in errors)
        for value in secrets:
            text = text.replace(value, "***")
        parts.append(f"{label}：{text}")
    return _("表单有误：%(e)s") % {"e": "｜".join(parts)}


def note_form_errors(request, form) -> None:
    """Remember on the request that the form it answers with has errors (``AuditMiddleware`` logs 失败)."""
    if request is not None and request.method == "POST" and form is not None and form.errors:
        request.audit_form_errors = form_error_summary(form)


def _is_user(obj) -> bool:
    return hasattr(obj, "get_username") and not hasattr(obj, "method")


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
