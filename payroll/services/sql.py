"""The raw SQL of the build: one INSERT … SELECT per kind of line, and the PostgreSQL tuning of the
monthly loop with its SQLite variant (a no-op). Vendor variants are tested in tests/core/test_vendor_variants.py."""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.db import connection, transaction

from core.db import session_setting
from payroll import policies
from payroll.models import FundingSource, PayLine, PayRun


def insert_lines(qs, columns: list[str]) -> int:
    """INSERT INTO payroll_payline (columns) SELECT … — one statement, rows never leave the database.
    ``qs``: a queryset, or its already compiled ``(sql, params)``."""
    sql, params = qs if isinstance(qs, tuple) else qs.query.sql_with_params()
    table = PayLine._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(PayLine._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({quoted}) {sql}", params)
        return cur.rowcount


def _values_list(rows: list[dict[str, object]]) -> tuple[str, list, list[str]]:
    """``VALUES (…), (…)`` of the batch's per-county parameters, its parameters and the names of its columns
    (in order). Both SQLite and PostgreSQL name a VALUES list's columns column1, column2, …; every value is
    cast, so PostgreSQL types them the same whatever the driver sends."""
    names = list(rows[0])
    casts = ["INTEGER" if isinstance(rows[0][n], int) else "NUMERIC(12,2)" for n in names]
    one = "(" + ", ".join(f"CAST(%s AS {cast})" for cast in casts) + ")"
    params = [row[n] for row in rows for n in names]
    return f"VALUES {', '.join([one] * len(rows))}", params, names


def _values_table(rows: list[dict[str, object]]) -> tuple[str, list, dict[str, str]]:
    """``(VALUES (…), (…)) AS p`` (:func:`_values_list`) and, by name, the SQL of each column."""
    values, params, names = _values_list(rows)
    return f"({values}) AS p", params, {n: f"p.column{i}" for i, n in enumerate(names, start=1)}


def _funds(values: dict[str, str], p: dict[str, str]) -> dict[str, str]:
    """Each funding source's share of a line: the sum of its components times the county's 0/1 factors."""
    return {f"{s}_fund": "(" + " + ".join(f"{values[c]} * {p[f'k_{c}_{s}']}" for c in policies.COMPONENTS) + ")"
            for s in FundingSource.values}


def _line_selects(p: dict[str, str], regular, adjustments) -> list[tuple[dict[str, str], object, str, str]]:
    """Each kind of line of a batch: its columns (field name → SQL over ``e``, the line's row, and ``p``, its
    county's parameters), its SELECT (``regular``/``adjustments``), its kind, and the column that tells two
    lines of a run of that kind apart (the cadre; the adjustment). A line's column is one entry below: adding
    a column is one line each."""
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
    out = [(regular_columns, regular, PayLine.Kind.REGULAR, e["x_cadre"])]
    if adjustments is not None:
        values = {c: e[f"x_{c}"] for c in policies.COMPONENTS}
        adjustment_columns = {
            "run": p["run"], "cadre": e["x_cadre"], "village": e["x_village"], "township": e["x_township"],
            "county": e["x_county"], "kind": "%s", "adjustment": e["x_adjustment"], **values,
            "total": "(" + " + ".join(values.values()) + ")", **_funds(values, p), "reason": e["x_reason"],
        }
        out.append((adjustment_columns, adjustments, PayLine.Kind.ADJUSTMENT, e["x_adjustment"]))
    return out


def insert_batch_lines(rows: list[dict[str, object]], regular, adjustments=None) -> int:
    """Issue 19 item 4, the portable path (SQLite): the lines of a batch of counties, one INSERT … SELECT per
    kind of line (the caller has deleted the drafts' lines). ``rows``: each county's parameters
    (``payroll.lines.batch_parameters``); ``regular``/``adjustments``: the SELECTs of
    ``payroll.lines.batch_regular_lines``/``batch_adjustment_lines`` (eligibility stays in
    ``payroll.policies.eligible_q``)."""
    if not rows:
        return 0
    table, table_params, p = _values_table(rows)
    return sum(_insert(columns, qs, table, p["county"], [kind], table_params)
               for columns, qs, kind, _key in _line_selects(p, regular, adjustments))


def _insert(columns: dict[str, str], qs, table: str, county: str, select_params: list, table_params: list) -> int:
    sql, params = qs.query.sql_with_params()
    target = ", ".join(connection.ops.quote_name(PayLine._meta.get_field(c).column) for c in columns)
    statement = (f"INSERT INTO {PayLine._meta.db_table} ({target}) SELECT {', '.join(columns.values())} "
                 f"FROM ({sql}) e INNER JOIN {table} ON {county} = e.{connection.ops.quote_name('x_county')}")
    with connection.cursor() as cur:
        cur.execute(statement, [*select_params, *params, *table_params])
        return cur.rowcount


#: the columns of a run the build writes, by the name of its value in the statement below
_RUN_SUMS = {"lines_count": "n", "total": "total", "county_fund_total": "county_fund",
             "township_fund_total": "township_fund", "village_fund_total": "village_fund"}


def write_batch_postgresql(rows: list[dict[str, object]], regular, adjustments, *, built_at, built_by_id,
                           build_state: str, message: str, run_columns: dict[str, str], history_user_id,
                           fresh: bool = False) -> dict[int, dict]:
    """Issue 19 item 4, the PostgreSQL variant of the batch's writes: ONE statement (data-modifying CTEs)
    that computes the batch's lines, compares them with the drafts' current lines by key (run, kind, cadre
    or adjustment) and deletes the lines no longer due, updates the lines whose amounts changed and inserts
    the new ones — an unchanged line is not written again (a rebuild of unchanged data writes no line) —
    then sums the new lines per run, updates the runs and writes one history row each (``~``, as
    ``bulk_update_with_history``). Every row is written by at most one part of the statement, and a
    deleted line and an inserted one never share a key, so the parts' order does not matter. Returns, by
    run id, the columns written. ``rows``: each county's parameters (with ``run``, ``county``, ``policy``,
    ``yearly``); ``message``: the run's message with ``%(n)s`` (lines) and ``%(t)s`` (total);
    ``run_columns``: further columns of the run row → their SQL over ``p`` (the county's parameters).
    ``fresh``: no draft of the batch has a line yet (the first build of the month): the lines are inserted
    without the comparison (a third cheaper on a national first build) and summed from the INSERT's
    ``RETURNING``. If a draft did have lines after all, a line would repeat its run's (cadre) or (adjustment)
    key and the unique constraints refuse the INSERT: the batch fails and is built again county by county."""
    q = connection.ops.quote_name
    values, values_params, names = _values_list(rows)
    p = {n: f"p.column{i}" for i, n in enumerate(names, start=1)}
    selects = _line_selects(p, regular, adjustments)
    fields = list(selects[0][0])
    columns = [PayLine._meta.get_field(c).column for c in fields]
    types = {f: PayLine._meta.get_field(f).db_type(connection) for f in fields}  # as the table's columns
    key, run = q("k"), q("run_id")
    new_parts, new_params = [], []
    for line_columns, qs, kind, key_sql in selects:
        sql, params = qs.query.sql_with_params()
        new_parts.append(
            "SELECT " + ", ".join(f"CAST({line_columns[f]} AS {types[f]}) AS {q(col)}"
                                  for f, col in zip(fields, columns, strict=True))
            + f", {key_sql} AS {key} FROM ({sql}) e INNER JOIN p ON {p['county']} = e.{q('x_county')}")
        new_params += [kind, *params]
    compared = [c for c in columns if c not in ("run_id", "kind")]
    line = PayLine._meta.db_table
    old_columns = ", ".join(q(c) for c in ["id", *columns])
    history = PayRun.history.model
    tracked = [f.column for f in history.tracked_fields]
    message_sql, message_params = _concat_sql(message, {"n": "CAST(COALESCE(s.n, 0) AS TEXT)",
                                                        "t": "CAST(CAST(COALESCE(s.total, 0) AS NUMERIC(12,2)) AS TEXT)"})
    run_set = {"lines_count": "COALESCE(s.n, 0)",
               **{col: f"CAST(COALESCE(s.{q(name)}, 0) AS NUMERIC(12,2))" for col, name in _RUN_SUMS.items()
                  if col != "lines_count"},
               **{col: sql_.format(**p) for col, sql_ in run_columns.items()},
               "built_at": "%s", "built_by_id": "%s", "build_state": "%s", "build_message": message_sql}
    run_set_params = [built_at, built_by_id, build_state, *message_params]
    sum_columns = list(_RUN_SUMS.values())[1:]
    sums = f"{run}, count(*) AS n, {', '.join(f'sum({q(c)}) AS {q(c)}' for c in sum_columns)}"
    if fresh:  # no draft of the batch has lines yet: insert them all, and sum what was inserted
        lines_sql = f"""
added AS (
  INSERT INTO {line} ({", ".join(q(c) for c in columns)})
  SELECT {", ".join(q(c) for c in columns)} FROM new
  RETURNING {run}, {", ".join(q(c) for c in sum_columns)}),
s AS (SELECT {sums} FROM added GROUP BY {run}),"""
        diff_params = []
    else:
        lines_sql = f"""
old AS MATERIALIZED (
  SELECT {old_columns}, CASE WHEN {q("kind")} = %s THEN {q("cadre_id")} ELSE {q("adjustment_id")} END AS {key}
  FROM {line} WHERE {run} = ANY(%s)),
pair AS MATERIALIZED (
  SELECT {", ".join(f"n.{q(c)}" for c in columns)}, o.{q("id")} AS old_id,
         ({", ".join(f"n.{q(c)}" for c in compared)}) IS DISTINCT FROM ({", ".join(f"o.{q(c)}" for c in compared)})
           AS differs
  FROM new n FULL JOIN old o ON o.{run} = n.{run} AND o.{q("kind")} = n.{q("kind")} AND o.{key} = n.{key}),
gone AS (DELETE FROM {line} WHERE {q("id")} = ANY(ARRAY(SELECT old_id FROM pair WHERE {run} IS NULL))),
changed AS (
  UPDATE {line} l SET {", ".join(f"{q(c)} = pair.{q(c)}" for c in compared)}
  FROM pair WHERE l.{q("id")} = ANY(ARRAY(SELECT old_id FROM pair WHERE {run} IS NOT NULL AND differs))
    AND l.{q("id")} = pair.old_id),
added AS (
  INSERT INTO {line} ({", ".join(q(c) for c in columns)})
  SELECT {", ".join(f"pair.{q(c)}" for c in columns)} FROM pair WHERE pair.old_id IS NULL),
s AS (SELECT {sums} FROM new GROUP BY {run}),"""
        diff_params = [PayLine.Kind.REGULAR, [row["run"] for row in rows]]
    statement = f"""
WITH p AS ({values}),
new AS {"" if fresh else "MATERIALIZED "}({" UNION ALL ".join(new_parts)}),{lines_sql}
runs AS (
  UPDATE {PayRun._meta.db_table} r SET {", ".join(f"{q(col)} = {sql_}" for col, sql_ in run_set.items())}
  FROM p LEFT JOIN s ON s.{run} = {p["run"]} WHERE r.{q("id")} = {p["run"]}
  RETURNING r.*),
hist AS (
  INSERT INTO {history._meta.db_table} ({", ".join(q(c) for c in tracked)}, {q("history_date")},
    {q("history_user_id")}, {q("history_change_reason")}, {q("history_type")})
  SELECT {", ".join(f"runs.{q(c)}" for c in tracked)}, %s, %s, NULL, '~' FROM runs)
SELECT {q("id")}, {", ".join(q(col) for col in run_set)} FROM runs"""
    params = [*values_params, *new_params, *diff_params, *run_set_params, built_at, history_user_id]
    with connection.cursor() as cur:
        cur.execute(statement, params)
        out_names = ["id", *run_set]
        return {row[0]: dict(zip(out_names, row, strict=True)) for row in cur.fetchall()}


def _concat_sql(template: str, parts: dict[str, str]) -> tuple[str, list]:
    """``template`` (``%(name)s`` placeholders, ``%%`` for ``%``) as an SQL ``CONCAT`` of its text (parameters)
    and ``parts`` (SQL)."""
    pieces = re.split(r"%\((\w+)\)s", template)
    sql, params = [], []
    for i, piece in enumerate(pieces):
        if i % 2:
            sql.append(parts[piece])
        elif piece:
            sql.append("CAST(%s AS TEXT)")
            params.append(piece.replace("%%", "%"))
    return "CONCAT(" + ", ".join(sql) + ")", params


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
