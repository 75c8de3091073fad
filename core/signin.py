"""Who may sign in (browser and API token), and the client address behind the TLS proxy (issue 16)."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.lockout import wait_seconds
from core.scope import get_scope


def refusal(user) -> str:
    """Why ``user`` may not sign in, or "" when they may.

    An inactive account, and an account whose every role was revoked (no role assignment left, no linked
    cadre): such a user could see nothing, and a revoked account must not keep a way in.
    """
    if not user.is_active:
        return _("该账号已停用，请联系县委组织部。")
    if user.is_superuser:
        return ""
    if get_scope(user).is_empty:
        return _("该账号没有任何有效角色（角色可能已被撤销），不能登录。如需继续使用，请联系县委组织部分配角色。")
    return ""


class SignInForm(AuthenticationForm):
    """The login form: the per-username/per-address delay first, then the password, then ``refusal``."""

    def clean(self):
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
