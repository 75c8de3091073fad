from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.models import Notification
from core.registry import home_panels
from core.scope import get_scope
from core.services import notification_mark_read, user_set_password


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
        nxt = request.GET.get("next") or ""
        if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            return redirect(nxt)
        return redirect("home")
    return render(request, "registration/password_change.html", {"form": form})


@login_required
def notifications(request):
    qs = Notification.objects.filter(user=request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page_obj": page})


@login_required
@require_POST
def notifications_read(request):
    ids = request.POST.getlist("id") or None
    notification_mark_read(user=request.user, ids=ids)
    return redirect(request.POST.get("next") or "notifications")


def health(request):
    """Liveness for the load balancer: the database answers, and the broker when it is Redis."""
    checks = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure
        checks["database"] = f"error: {exc.__class__.__name__}"
    from django.conf import settings

    broker = settings.CELERY_BROKER_URL
    if broker.startswith("redis"):
        try:
            import redis

            redis.Redis.from_url(broker, socket_connect_timeout=1, socket_timeout=1).ping()
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"error: {exc.__class__.__name__}"
    else:
        checks["broker"] = "ok"
    healthy = checks["database"] == "ok"
    return JsonResponse({"status": "ok" if healthy and checks["broker"] == "ok" else "degraded", **checks},
                        status=200 if healthy else 503)
