import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.audit import record_event
from core.sessions import touch

_ALLOWED_PREFIXES = ("/static/", "/api/", "/logout", "/health", "/i18n/")
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class PasswordChangeRequiredMiddleware:
    """A user created with a first password (demo or by an administrator) must set their own first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            target = reverse("password_change")
            if request.path != target and not request.path.startswith(_ALLOWED_PREFIXES):
                return redirect(f"{target}?next={request.get_full_path()}")
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Absolute session lifetime (the idle timeout is SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST),
    and the "my sessions" record's last-seen time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            started = request.session.get("signed_in_at")
            now = time.time()
            if started is None:
                request.session["signed_in_at"] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("登录已超过规定时长，请重新登录。"))
                return redirect(f"{reverse('login')}?next={request.path}")
            else:
                touch(request, now)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers of issue 16 that Django does not set itself (the CSP is django-csp's):

    * ``Permissions-Policy``: the browser features the app never uses are off;
    * ``Cache-Control: no-store`` on every answer that reaches Django — pages, API answers, exports and
      PDFs hold personal data (ID numbers, phones, pay) and must not stay in a shared office PC's cache
      or a proxy. Static files are answered by WhiteNoise before this and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers["Cache-Control"] = "no-store"
        return response


class AuditMiddleware:
    """等保/ASVS: every write (POST/PUT/PATCH/DELETE) and every refusal (401/403, and 404 for a signed-in
    user: "not found" is also how an object outside the user's scope answers) is an audit event with
    user, time, address and outcome. The old and new values of each change are in simple-history.

    A POST answered with its form's errors (the form templates call ``core.audit.note_form_errors``) is a
    失败 with the errors summarised; a denial is recorded once per user and path in a short window
    (``core.audit.record_event``), however many times it is retried (issue 14 item 5)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if status == 404 and (signed_in or request.path.startswith("/api/")) and request.method not in _UNSAFE:
            if not request.path.startswith("/static/"):
                record_event(request, "not_found", "denied", user=user if signed_in else None,
                             detail=f"HTTP 404 {request.method}")
            return response
        if request.method in _UNSAFE or status == 401 or (status == 403 and request.path.startswith("/api/")):
            if request.path.startswith(("/static/", "/login/")):
                return response  # login outcomes are recorded by the auth signals
            outcome = "success" if status < 400 else ("denied" if status in (401, 403, 404) else "failure")
            detail = f"HTTP {status}"
            form_errors = getattr(request, "audit_form_errors", None)
            if form_errors and outcome == "success":  # the form came back with errors: nothing was saved
                outcome = "failure"
            if form_errors:
                detail = form_errors
            record_event(request, f"{request.method}", outcome,
                         user=user if user is not None and user.is_authenticated else None,
                         detail=detail)
        return response


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose English (language cookie, set by the switcher).

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show an office PC with an
    English system locale an English UI nobody asked for. The API still honours Accept-Language, for
    integrations that ask for English error messages explicitly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supported = dict(settings.LANGUAGES)
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in supported and request.path.startswith("/api/"):
            lang = translation.get_language_from_request(request)
        if lang not in supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


class NullCharacterMiddleware:
    """A query string with a NUL character is a bad request (400), answered before any view: no database
    text can hold one, and PostgreSQL refuses the query with an error (500) otherwise (issue 17)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            raise SuspiciousOperation("NUL character in the query string")
        return self.get_response(request)
