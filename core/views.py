import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import record_event
from core.keyset import page_of
from core.lists import AuditFilter, AuditTable
from core.models import AuditEvent, Notification
from core.permissions import enforce, is_county_org
from core.registry import home_panels
from core.scope import get_scope
from core.selectors import user_list
from core.services import notification_mark_read, user_set_password
from core.sessions import describe_agent, end_all_sessions, end_session, live_sessions
from core.tables import save_hidden_columns, table_page
from core.tokens import revoke_all
from core.web import safe_next


@login_required
def home(request):
    scope = get_scope(request.user)
    panels = [p for p in (fn(request, scope) for fn in home_panels()) if p is not None]
    return render(request, "core/home.html", {"panels": panels})


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_set_password(user=request.user, password=form.cleaned_data["new_password1"], by=request.user)
        update_session_auth_hash(request, request.user)
        messages.success(request, _("密码已修改。"))
        return redirect(safe_next(request, reverse("home"), source=request.GET))
    return render(request, "registration/password_change.html", {"form": form})


@login_required
def notifications(request):
    qs = Notification.objects.filter(user=request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = page_of(request, qs, 30)
    return render(request, "core/notifications.html", {"page_obj": page})


@login_required
@require_POST
def notifications_read(request):
    ids = request.POST.getlist("id") or None
    notification_mark_read(user=request.user, ids=ids)
    return redirect(safe_next(request, reverse("notifications")))


def health(request):
    """Liveness for the load balancer: the database answers, and the broker when it is Redis."""
    checks = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure
        checks["database"] = f"error: {exc.__class__.__name__}"
    broker = settings.CELERY_BROKER_URL
    if broker.startswith("redis"):
        try:
            redis.Redis.from_url(broker, socket_connect_timeout=1, socket_timeout=1).ping()
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"error: {exc.__class__.__name__}"
    else:
        checks["broker"] = "ok"
    healthy = checks["database"] == "ok"
    return JsonResponse({"status": "ok" if healthy and checks["broker"] == "ok" else "degraded", **checks},
                        status=200 if healthy else 503)


@login_required
def my_sessions(request):
    if request.method == "POST":
        key = request.POST.get("session_key", "")
        if request.POST.get("all"):
            ended = end_all_sessions(request.user, keep=request.session.session_key)
            revoke_all(request.user)
            record_event(request, "logout_everywhere", "success", detail=_("结束了 %(n)s 个其他登录") % {"n": ended})
            messages.success(request, _("已结束其他所有登录，并作废了您的全部 API 令牌。"))
        elif key == request.session.session_key:
            messages.error(request, _("这是您当前使用的登录，请用“退出登录”结束。"))
        elif end_session(request.user, key):
            messages.success(request, _("已结束该登录。"))
        return redirect("my_sessions")
    sessions = list(live_sessions(request.user))
    for s in sessions:
        s.device = describe_agent(s.user_agent)
    return render(request, "core/sessions.html", {"sessions": sessions,
                                                  "current": request.session.session_key})


@login_required
def audit_log(request):
    """County_org searches security events of the users of their county."""

    scope = get_scope(request.user)
    enforce(is_county_org(scope), _("只有县委组织部可以查看审计日志。"))
    qs = AuditEvent.objects.select_related("user")
    if not scope.is_superuser:
        users = user_list(user=request.user)
        qs = qs.filter(Q(user__in=users) | Q(user__isnull=True, username__in=users.values("username")))
    filterset = AuditFilter(request.GET or None, queryset=qs)
    # no request= here: that would paginate by page numbers (a COUNT) before table_page pages it by keys
    table = AuditTable(filterset.qs if filterset.is_bound and filterset.is_valid() else qs.none()
                       if filterset.is_bound else qs, order_by="-at")
    export = table_page(request, table, key="audit", filename=_("审计日志"), per_page=50)
    if export is not None:
        return export
    return render(request, "core/audit_log.html", {"table": table, "filter": filterset})


def permission_denied(request, exception=None):
    record_event(request, "denied", "denied", detail=str(exception or ""))
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


@login_required
@require_POST
def list_columns(request):
    """The column chooser of a list (includes/table.html): remember the columns this user shows."""
    key = request.POST.get("table", "")
    if key.replace("-", "_").isidentifier():
        save_hidden_columns(user=request.user, key=key, offered=request.POST.getlist("offered"),
                            shown=request.POST.getlist("shown"))
        messages.success(request, _("已保存显示的列。"))
    return redirect(safe_next(request, reverse("home"), source=request.POST))
