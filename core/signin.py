"""Who may sign in (browser and API token), and the client address behind the TLS proxy (issue 16)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def refusal(user) -> str:
    """Why ``user`` may not sign in, or "" when they may.

    An inactive account, and an account whose every role was revoked (no role assignment left, no linked
    cadre): such a user could see nothing, and a revoked account must not keep a way in.
    """
    if not user.is_active:
        return _("该账号已停用，请联系县委组织部。")
    if user.is_superuser:
        return ""
    from core.scope import get_scope

    if get_scope(user).is_empty:
        return _("该账号没有任何有效角色（角色可能已被撤销），不能登录。如需继续使用，请联系县委组织部分配角色。")
    return ""


class SignInForm(AuthenticationForm):
    """The login form: the per-username/per-address delay first, then the password, then ``refusal``."""

    def clean(self):
        from core.lockout import wait_seconds

        username = self.cleaned_data.get("username")
        if username:
            wait = wait_seconds(self.request, username)
            if wait:
                raise ValidationError(
                    _("该账号或本机近期登录失败次数过多，请 %(s)s 秒后再试。") % {"s": wait}, code="throttled")
        return super().clean()

    def confirm_login_allowed(self, user):
        reason = refusal(user)
        if reason:
            raise ValidationError(reason, code="inactive")


def _trusted_networks():
    nets = []
    for entry in settings.TRUSTED_PROXIES:
        try:
            nets.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return nets


def _is_trusted(addr: str, nets) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless the request comes from a proxy in ``TRUSTED_PROXIES``;
    then the right-most X-Forwarded-For entry that is not itself a trusted proxy (entries further left
    are written by the client and cannot be believed). Used by django-axes, the audit log and "我的登录"."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    nets = _trusted_networks()
    if not remote or not nets or not _is_trusted(remote, nets):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for addr in reversed(forwarded):
        try:
            ipaddress.ip_address(addr)
        except ValueError:
            return remote  # a malformed chain: trust nothing in it
        if not _is_trusted(addr, nets):
            return addr
    return forwarded[0] if forwarded else remote
