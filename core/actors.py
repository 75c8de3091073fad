"""The system actor: who scheduled jobs act as.

A job (the overdue check, the absence check) reuses the scoped selectors that requests use. It acts as
``SystemActor(county_ids)``, whose scope is county_org on those counties (``core.scope.system_scope``);
history records such writes with no user (``by=None``), as the jobs always did.
"""

from __future__ import annotations


class SystemActor:
    """A user-like object for jobs. Never saved, never signs in, holds no password."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_system = True
    pk = None
    id = None
    username = "system"

    def __init__(self, county_ids):
        self.county_ids = frozenset(county_ids)

    @classmethod
    def for_county(cls, county) -> "SystemActor":
        return cls([county.pk])

    def __str__(self) -> str:
        return "系统"
