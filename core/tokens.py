"""API tokens (issue 16): a lifetime, revocation, and the same sign-in rules as the browser.

A token lives ``API_TOKEN_HOURS`` (default 12, like a browser sign-in's absolute limit) from the moment it
was issued — an absolute lifetime, not a sliding one: a token copied from a log or a phone stops working
at a known time however often it is used. After that the client asks for a new one with the password.
All of a user's tokens end when the password changes, the account is deactivated, the user signs out
(of the browser too) or ends every other sign-in on "我的登录", and with ``DELETE /api/v1/auth/token/``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from core.signin import refusal


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.API_TOKEN_HOURS)


def is_expired(token: Token, now=None) -> bool:
    return token.created <= (now or timezone.now()) - lifetime()


def issue(user) -> Token:
    """The user's token, a new one when the old one has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and is_expired(token):
        token.delete()
        token = None
    if token is None:
        token, _created = Token.objects.get_or_create(user=user)
    return token


def revoke_all(user) -> int:
    """End every API token of ``user``; returns how many were deleted."""
    deleted, _detail = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token …`` that refuses expired tokens and users who may not sign in (401)."""

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related("user").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("令牌无效，请重新获取令牌。")) from None
        if is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("令牌已过期，请用用户名和密码重新获取令牌。"))
        reason = refusal(token.user)
        if reason:
            raise exceptions.AuthenticationFailed(reason)
        return token.user, token
