"""Helpers for the HTML views."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.permissions import enforce, is_county_org
from core.scope import get_scope


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form, field by field where the field exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def submit(request, form, write, *, done, to):
    """On a valid POST run ``write(cleaned_data)`` (a service: it checks the permission and the rules); on
    success flash ``done`` and redirect to ``to`` (each a value, or a function of the result). Returns the
    redirect, or None to show the form again (field errors from the service are put on it)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = write(dict(form.cleaned_data))
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return redirect(to(result) if callable(to) else to)


def require_county_org(user, message) -> None:
    """403 with ``message`` unless the user is county_org somewhere (county-wide pages)."""
    enforce(is_county_org(get_scope(user)), message)


def safe_next(request, fallback: str, *, source=None) -> str:
    """Where to go after a form: the ``next`` the request names when it stays on this site, else ``fallback``.

    Every view that follows a ``next`` uses this (an open redirect to https://evil.example is a
    penetration-test finding, issue 16). ``source`` defaults to POST then GET.
    """
    candidates = [source] if source is not None else [request.POST, request.GET]
    for params in candidates:
        nxt = params.get("next") or ""
        if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
            return nxt
    return fallback


def int_param(request, name: str, *, source=None) -> int | None:
    """An id or number from the query string (or ``source``): None when absent; when it is not a whole
    number it is ignored with a message instead of failing with 500 (issue 16)."""
    params = source if source is not None else request.GET
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < 0 or value > 2**62:
        if not getattr(request, "htmx", False) and hasattr(request, "_messages"):
            messages.warning(request, _("参数“%(name)s”应为数字，已忽略。") % {"name": name})
        return None
    return value
