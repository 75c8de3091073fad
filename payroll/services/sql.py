"""The raw SQL of the build: one INSERT … SELECT per kind of line, and the PostgreSQL tuning of the
monthly loop with its SQLite variant (a no-op). Vendor variants are tested in tests/core/test_vendor_variants.py."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction

from payroll.models import PayLine


def insert_lines(qs, columns: list[str]) -> int:
    """INSERT INTO payroll_payline (columns) SELECT … — one statement, rows never leave the database.
    ``qs``: a queryset, or its already compiled ``(sql, params)``."""
    sql, params = qs if isinstance(qs, tuple) else qs.query.sql_with_params()
    table = PayLine._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(PayLine._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({quoted}) {sql}", params)
        return cur.rowcount



@contextmanager
def commits_without_flush_wait():
    """The monthly job commits each county's transaction without waiting for the WAL flush (PostgreSQL
    ``synchronous_commit = off`` for this connection while the loop runs: about 1 ms less per county,
    seconds for a national run). Each county stays atomic (a crash loses whole counties, never half of
    one), and the job ends with one normal commit — WAL is flushed in order, so when the job returns
    every county it built is durable. A database crash before that leaves the job's record "running"
    and the catch-up builds the month again (idempotent, R-42). Not used inside an outer transaction
    (a test's), where it would change nothing."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET synchronous_commit")
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT txid_current()")  # a commit record, flushed: and with it every commit before
