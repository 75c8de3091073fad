"""Helpers for the HTML views."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.permissions import enforce, is_county_org
from core.scope import Scope, get_scope


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


def submit(request, form, write, *, done, to, conflict_on=None, conflict_to=None, then=None):
    """On a valid POST run ``write(cleaned_data)`` (a service: it checks the permission and the rules); on
    success flash ``done`` (then ``then(result)`` flashes what more there is to say) and redirect to ``to``
    (each a value, or a function of the result). Returns the redirect, or None to show the form again (field
    errors from the service are put on it).

    A Conflict from the service (the record changed meanwhile) goes where the view says: with ``conflict_to``
    back to that page with its message as an error; with ``conflict_on`` onto that field of the form
    (NON_FIELD_ERRORS: above the form), shown again; with neither it is not caught."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = write(dict(form.cleaned_data))
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    except Conflict as exc:
        if conflict_to is not None:
            messages.error(request, exc.message)
            return redirect(conflict_to)
        if conflict_on is None:
            raise
        form.add_error(conflict_on, exc.message)
        return None
    messages.success(request, done(result) if callable(done) else done)
    if then is not None:
        then(result)
    return redirect(to(result) if callable(to) else to)


def perform(request, call, *, done) -> None:
    """A step without a form (a POST button): run ``call()`` (the service) and flash ``done`` (a value, or a
    function of the result), or the Conflict's message when the record changed meanwhile."""
    try:
        result = call()
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(result) if callable(done) else done)


def require_scope(request, decision, *args, message) -> Scope:
    """The viewer's scope, after a 403 with ``message`` unless ``decision(scope, *args)`` (a page's gate: the
    app's ``permissions`` function that says who may open it; ``enforce_for`` is the services' twin)."""
    scope = get_scope(request.user)
    enforce(decision(scope, *args), message)
    return scope


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
