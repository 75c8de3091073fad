"""Security events of 等保/ASVS: logins, failed logins (the denials are logged where raised)."""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from core.audit import record_event
from core.sessions import end_all_sessions, record_login
from core.tokens import revoke_all


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record_event(request, "login", "success", user=user)
    if request is not None and hasattr(request, "session"):
        request.session["signed_in_at"] = time.time()
        record_login(request, user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(request, "logout", "success", user=user)
        revoke_all(user)  # issue 16: signing out ends the API tokens too


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _deactivated(sender, instance, created, **kwargs):
    """A deactivated account (by any path: service, admin, shell) loses its sessions and API tokens."""
    if not created and not instance.is_active:
        revoke_all(instance)
        end_all_sessions(instance)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record_event(request, "login", "failure", username=credentials.get("username", ""))
