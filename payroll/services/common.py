"""Small helpers shared by the stipend services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history


def check_fields(data, allowed) -> None:
    """A programming error, not a user's: keyword arguments a service does not know."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def no_policy_error(county, month) -> ValidationError:
    return ValidationError({"month": [_("%(c)s在%(m)s没有适用的报酬标准，请先在“报酬标准”中设置。") % {
        "c": county, "m": f"{month:%Y-%m}"}]})


def bulk_write(model, new: list, changed: list, fields: list[str], *, by) -> int:
    """Insert ``new`` and update ``fields`` of ``changed`` rows with their history (a fixed number of
    queries). Returns how many rows were written."""
    if new:
        bulk_create_with_history(new, model, default_user=by)
    if changed:
        bulk_update_with_history(changed, model, fields, default_user=by)
    return len(new) + len(changed)


def bulk_upsert(model, existing: dict, wanted: dict, *, keys: tuple[str, ...], fields: list[str], by) -> int:
    """Create or update many rows with one :func:`bulk_write`: ``wanted`` maps a key (the values of the
    fields ``keys``) to the values of ``fields`` the row should have; ``existing``, the rows already there
    (locked) by the same key. Returns how many rows were written."""
    new, changed = [], []
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            new.append(model(**dict(zip(keys, key, strict=True)), **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
    return bulk_write(model, new, changed, fields, by=by)
