"""Small helpers shared by the stipend services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_fields(data, allowed) -> None:
    """A programming error, not a user's: keyword arguments a service does not know."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def no_policy_error(county, month) -> ValidationError:
    return ValidationError({"month": [_("%(c)s在%(m)s没有适用的报酬标准，请先在“报酬标准”中设置。") % {
        "c": county, "m": f"{month:%Y-%m}"}]})
