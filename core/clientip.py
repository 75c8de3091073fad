"""The client's address behind a reverse proxy (django-axes, the audit log, "我的登录")."""

from __future__ import annotations

import ipaddress

from django.conf import settings


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
