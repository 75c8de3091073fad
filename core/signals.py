"""Security events of 等保/ASVS: logins, failed logins (the denials are logged where raised)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from core.audit import record_event


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    from core.sessions import record_login

    record_event(request, "login", "success", user=user)
    if request is not None and hasattr(request, "session"):
        import time

        request.session["signed_in_at"] = time.time()
        record_login(request, user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(request, "logout", "success", user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record_event(request, "login", "failure", username=credentials.get("username", ""))
