"""Validated writes with history, for every app's services: ``model_save`` and ``model_update``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


def model_save(obj, *, by, unique_error: dict | None = None, update_fields=None, validate_constraints=True):
    """Validate ``obj`` (``full_clean``) and save it, recording ``by`` as the author in its history.

    ``unique_error``: the field error to raise when the database refuses the row as a duplicate (a unique
    constraint that ``full_clean`` cannot see, e.g. a partial index raced by a second request; or one it is
    told not to check, ``validate_constraints=False``, so that the duplicate is refused in these words).
    """
    obj._history_user = by
    obj.full_clean(validate_constraints=validate_constraints)
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        if unique_error:
            raise ValidationError(unique_error) from exc
        raise
    return obj


def model_update(obj, *, by, data: dict, fields, unique_error: dict | None = None):
    """Set the keys of ``data`` that are in ``fields`` on ``obj`` and save it validated with history.
    Returns ``(obj, changed)``: the names of the fields whose value changed (nothing saved when none)."""
    changed = []
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    if changed:
        model_save(obj, by=by, unique_error=unique_error)
    return obj, changed
