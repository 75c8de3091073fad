from django.shortcuts import redirect
from django.urls import reverse

_ALLOWED_PREFIXES = ("/static/", "/api/", "/logout", "/health", "/i18n/")


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
