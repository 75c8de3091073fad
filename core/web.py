"""Helpers for the HTML views."""

from django.core.exceptions import PermissionDenied, ValidationError


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


def require_county_org(user, message) -> None:
    """403 with ``message`` unless the user is county_org somewhere (county-wide pages)."""
    from core.roles import Role
    from core.scope import get_scope

    if not get_scope(user).has_any(Role.COUNTY_ORG):
        raise PermissionDenied(message)
