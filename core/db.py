"""Database session helpers."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def session_setting(name: str, value: str):
    """PostgreSQL ``SET name = value`` for this connection's session while the block runs, then ``RESET``
    (also when it raises). Nothing to do on another database. ``name`` and ``value`` are code, never input."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute(f"SET {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"RESET {name}")
