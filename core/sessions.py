"""A user's own sign-ins: see where they are signed in and end the others (ASVS V3)."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.clientip import client_ip
from core.models import UserSession

TOUCH_EVERY = 60  # seconds between last-seen updates


def record_login(request, user) -> None:
    if not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "address": client_ip(request),
                  "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300], "last_seen": timezone.now()},
    )


def touch(request, now: float) -> None:
    last = request.session.get("last_seen_at", 0)
    if now - last >= TOUCH_EVERY and request.session.session_key:
        request.session["last_seen_at"] = now
        UserSession.objects.filter(session_key=request.session.session_key).update(last_seen=timezone.now())


def live_sessions(user):
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live).order_by("-last_seen")


def end_session(user, session_key: str) -> bool:
    row = UserSession.objects.filter(user=user, session_key=session_key).first()
    if row is None:
        return False
    Session.objects.filter(session_key=session_key).delete()
    row.delete()
    return True


def end_all_sessions(user, *, keep: str | None = None) -> int:
    """End every browser sign-in of ``user`` except the session ``keep``; returns how many ended.

    Django's own session rows are found through our UserSession records (written at each sign-in)."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    return len(keys)


_BROWSERS = (  # the first match wins: many browsers also name the engine they are built on
    ("MicroMessenger", _("微信")), ("DingTalk", _("钉钉")), ("Edg", _("Edge 浏览器")), ("QQBrowser", _("QQ 浏览器")),
    ("360SE", _("360 浏览器")), ("Firefox", _("Firefox 浏览器")), ("Chrome", _("Chrome 浏览器")),
    ("Safari", _("Safari 浏览器")), ("python-requests", _("程序接口")), ("curl", _("程序接口")),
)
_SYSTEMS = (
    ("Android", _("安卓手机")), ("iPhone", _("苹果手机")), ("iPad", _("iPad")), ("Windows", _("Windows 电脑")),
    ("Mac OS X", _("苹果电脑")), ("Linux", _("Linux 电脑")),
)


def describe_agent(user_agent: str) -> str:
    """A sign-in's device in words people recognise ("Chrome 浏览器 · Windows 电脑"), not the raw header."""
    ua = user_agent or ""
    browser = next((str(label) for key, label in _BROWSERS if key in ua), "")
    system = next((str(label) for key, label in _SYSTEMS if key in ua), "")
    return " · ".join(p for p in (browser, system) if p) or str(_("未知设备"))
