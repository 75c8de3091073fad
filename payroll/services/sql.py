"""The raw SQL of the build: one INSERT … SELECT per kind of line, and the PostgreSQL tuning of the
monthly loop with its SQLite variant (a no-op). Vendor variants are tested in tests/core/test_vendor_variants.py."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction

from core.db import session_setting
from payroll import policies
from payroll.models import FundingSource, PayLine


def insert_lines(qs, columns: list[str]) -> int:
    """INSERT INTO payroll_payline (columns) SELECT … — one statement, rows never leave the database.
    ``qs``: a queryset, or its already compiled ``(sql, params)``."""
    sql, params = qs if isinstance(qs, tuple) else qs.query.sql_with_params()
    table = PayLine._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(PayLine._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({quoted}) {sql}", params)
        return cur.rowcount


def _values_table(rows: list[dict[str, object]]) -> tuple[str, list, dict[str, str]]:
    """``(VALUES (…), (…)) AS p`` of the batch's per-county parameters and, by name, the SQL of each column.
    Both SQLite and PostgreSQL name a VALUES list's columns column1, column2, …; every value is cast, so
    PostgreSQL types them the same whatever the driver sends."""
    names = list(rows[0])
    casts = ["INTEGER" if isinstance(rows[0][n], int) else "NUMERIC(12,2)" for n in names]
    one = "(" + ", ".join(f"CAST(%s AS {cast})" for cast in casts) + ")"
    params = [row[n] for row in rows for n in names]
    return (f"(VALUES {', '.join([one] * len(rows))}) AS p", params,
            {n: f"p.column{i}" for i, n in enumerate(names, start=1)})


def _funds(values: dict[str, str], p: dict[str, str]) -> dict[str, str]:
    """Each funding source's share of a line: the sum of its components times the county's 0/1 factors."""
    return {f"{s}_fund": "(" + " + ".join(f"{values[c]} * {p[f'k_{c}_{s}']}" for c in policies.COMPONENTS) + ")"
            for s in FundingSource.values}


def insert_batch_lines(rows: list[dict[str, object]], regular, adjustments=None) -> int:
    """Issue 19 item 4: the lines of a batch of counties, one INSERT … SELECT per kind of line. ``rows``:
    each county's parameters (``payroll.lines.batch_parameters``); ``regular``/``adjustments``: the SELECTs
    of ``payroll.lines.batch_regular_lines``/``batch_adjustment_lines`` (eligibility stays in
    ``payroll.policies.eligible_q``). A line's column is one entry below: adding a column is one line each."""
    if not rows:
        return 0
    table, table_params, p = _values_table(rows)
    q = connection.ops.quote_name
    e = {name: f"e.{q(name)}" for name in ("x_county", "x_cadre", "x_village", "x_township", "x_bonus",
                                           "x_adjustment", "x_reason", *(f"x_{c}" for c in policies.COMPONENTS))}
    values = {c: p[f"amount_{c}"] for c in policies.FIXED_COMPONENTS} | {
        policies.Component.PERFORMANCE_BONUS: e["x_bonus"]}
    regular_columns = {
        "run": p["run"], "cadre": e["x_cadre"], "village": e["x_village"], "township": e["x_township"],
        "county": e["x_county"], "kind": "%s", "adjustment": "NULL", **values,
        "total": f"({p['fixed_total']} + {e['x_bonus']})",
        **_funds(values, p), "reason": "''",
    }
    count = _insert(regular_columns, regular, table, p["county"], [PayLine.Kind.REGULAR], table_params)
    if adjustments is not None:
        values = {c: e[f"x_{c}"] for c in policies.COMPONENTS}
        adjustment_columns = {
            "run": p["run"], "cadre": e["x_cadre"], "village": e["x_village"], "township": e["x_township"],
            "county": e["x_county"], "kind": "%s", "adjustment": e["x_adjustment"], **values,
            "total": "(" + " + ".join(values.values()) + ")", **_funds(values, p), "reason": e["x_reason"],
        }
        count += _insert(adjustment_columns, adjustments, table, p["county"], [PayLine.Kind.ADJUSTMENT],
                         table_params)
    return count


def _insert(columns: dict[str, str], qs, table: str, county: str, select_params: list, table_params: list) -> int:
    sql, params = qs.query.sql_with_params()
    target = ", ".join(connection.ops.quote_name(PayLine._meta.get_field(c).column) for c in columns)
    statement = (f"INSERT INTO {PayLine._meta.db_table} ({target}) SELECT {', '.join(columns.values())} "
                 f"FROM ({sql}) e INNER JOIN {table} ON {county} = e.{connection.ops.quote_name('x_county')}")
    with connection.cursor() as cur:
        cur.execute(statement, [*select_params, *params, *table_params])
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
    try:
        with session_setting("synchronous_commit", "off"):
            yield
    finally:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT txid_current()")  # a commit record, flushed: and with it every commit before
