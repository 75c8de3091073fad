"""Login lockout (等保2.0, issue 16).

* django-axes locks a (username, client address) pair after ``AXES_FAILURE_LIMIT`` failures for
  ``AXES_COOLOFF_HOURS``. Not the username alone — anyone could lock ``org`` out — and not the address
  alone — behind one NAT or proxy that would lock a whole office. The address is the real client's
  (``core.clientip.client_ip``: X-Forwarded-For only from a ``TRUSTED_PROXIES`` proxy).
* A username attacked from several addresses, or an address trying several usernames, gets a growing delay
  instead of a hard lock: after ``AXES_FAILURE_LIMIT`` failures in the cool-off window the next attempt
  is refused (without checking the password, and without counting as a failure) until
  ``2 ** (failures - limit)`` seconds, at most ``LOGIN_DELAY_MAX_SECONDS``, have passed since the last
  failure. The owner can still sign in after a short wait; a guesser gets one try per delay. Failures
  of the caller's own pair are left out (axes locks that pair).
* The lockout answer is the HTML page for the browser and JSON 429 with a Chinese ``detail`` for /api/.
"""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clientip import client_ip


def _delay(failures: int) -> int:
    limit = settings.AXES_FAILURE_LIMIT
    if failures < limit:
        return 0
    return min(2 ** min(failures - limit, 30), settings.LOGIN_DELAY_MAX_SECONDS)


def wait_seconds(request, username: str) -> int:
    """Seconds the caller must wait before the next attempt for ``username`` from this address (0: go)."""

    now = timezone.now()
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - get_cool_off(request))
    wait = 0.0
    address = client_ip(request)
    # the caller's own (username, address) pair is axes' business (a hard lock); here: the others
    others = (recent.filter(username=username).exclude(ip_address=address),
              recent.filter(ip_address=address).exclude(username=username) if address else None)
    for attempts in others:
        if attempts is None:
            continue
        agg = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"),
                                 places=Count("ip_address", distinct=True), names=Count("username", distinct=True))
        if min(agg["places"], agg["names"]) < 1 or max(agg["places"], agg["names"]) < 2:
            continue  # one other pair only: axes has locked it, nobody else is affected
        delay = _delay(agg["n"] or 0)
        if delay and agg["last"] is not None:
            wait = max(wait, (agg["last"] - now).total_seconds() + delay)
    return math.ceil(wait) if wait > 0 else 0


def throttled_api_response(wait: int) -> JsonResponse:
    return JsonResponse({"detail": _("该账号或本机近期登录失败次数过多，请 %(s)s 秒后再试。") % {"s": wait}},
                        status=429, headers={"Retry-After": str(wait)})


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: JSON 429 on /api/, the lockout page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("该账号在本机登录失败次数过多，已临时锁定 %(m)s 分钟，请稍后再试或联系县委组织部。")
                                       % {"m": int(settings.AXES_COOLOFF_TIME * 60)}}, status=429)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, {"cooloff_minutes": int(settings.AXES_COOLOFF_TIME * 60)},
                  status=429)
