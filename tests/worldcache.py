"""The test world, built once per test process and replayed for every later test.

Building the world through the real services (factories, ``role_assign`` with its validation, guardian
permission and history) costs about 275 statements; 1,460 of the suite's tests ask for it. The first build in a
process runs those services inside a savepoint, reads back every row they wrote and rolls them back; every test
then writes the same rows again with one INSERT per table (their primary keys included) and gets model instances
made from them, relations cached as the factories left them.

The replay is only used where it is exact:
- inside a test transaction (a test with ``transactional_db`` builds the world through the services);
- while the rows it refers to that existed before the world (content types, permissions) are the same: a
  transactional test's flush makes them anew with other ids, so a fingerprint of those tables is compared first
  and the world captured again when it differs;
- when the INSERTs do not collide with rows a test's earlier fixture wrote (on SQLite a rolled-back id is handed
  out again): a collision rolls the replay back and the world is built through the services.

``TEST_WORLD_REPLAY=0`` builds every world through the services (to rule the replay out when a test puzzles).
"""

import os
from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

INTEGER_PKS = (models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField)


def _tables():
    """One managed model per database table (m2m tables and history tables included)."""
    seen, out = set(), []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or opts.db_table in seen:
            continue
        seen.add(opts.db_table)
        out.append(model)
    return out


def _high_water(tables):
    """For each table: (rows, highest integer id), in one statement."""
    q = connection.ops.quote_name
    parts = []
    for model in tables:
        pk = model._meta.pk
        highest = f"MAX({q(pk.column)})" if isinstance(pk, INTEGER_PKS) else "0"
        parts.append(f"(SELECT COUNT(*) FROM {q(model._meta.db_table)}), (SELECT {highest} FROM {q(model._meta.db_table)})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return {model: (row[2 * i], row[2 * i + 1] or 0) for i, model in enumerate(tables)}


@dataclass
class Snapshot:
    fingerprint: dict  # the tables that held rows before the world: (rows, highest id)
    rows: list  # (model, attnames, [values, ...]) in the order they were written
    refs: object  # the world's shape: the same structure with (model, pk) in place of each instance


_snapshot: Snapshot | None = None
_disabled = os.environ.get("TEST_WORLD_REPLAY", "1") == "0"  # TEST_WORLD_REPLAY=0: build every world


def _refs(value):
    if isinstance(value, models.Model):
        return (type(value)._meta.concrete_model, value.pk)
    if isinstance(value, dict):
        return {k: _refs(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return (type(value), {name: _refs(getattr(value, name)) for name in value.__dataclass_fields__})
    return value


def _capture(build):
    """Build the world through ``build`` inside a savepoint, read back what it wrote, roll it back."""
    tables = _tables()
    before = _high_water(tables)
    sid = transaction.savepoint()
    try:
        world = build()
        after = _high_water(tables)
        rows = []
        for model in tables:
            (count0, top0), (count1, _) = before[model], after[model]
            if count1 == count0:
                continue
            if not isinstance(model._meta.pk, INTEGER_PKS) or count1 < count0:
                return None  # a row without an integer id, or a deletion: not replayable
            attnames = [f.attname for f in model._meta.concrete_fields]
            values = list(model._base_manager.filter(pk__gt=top0).order_by("pk").values_list(*attnames))
            if len(values) != count1 - count0:
                return None  # a row written below the highest id: not replayable
            rows.append((model, attnames, values))
        fingerprint = {m: before[m] for m in tables if before[m][0]}
        return Snapshot(fingerprint, rows, _refs(world))
    finally:
        transaction.savepoint_rollback(sid)


def _replay(snapshot):
    instances = {}
    for model, attnames, values in snapshot.rows:
        objs = [model.from_db(connection.alias, attnames, list(v)) for v in values]
        model._base_manager.bulk_create(objs)
        for obj in objs:
            obj._state.adding = False
            instances[(model, obj.pk)] = obj
    # relations as the factories left them: each foreign key's instance, and a one-to-one's reverse side
    for (model, _), obj in instances.items():
        for field in model._meta.concrete_fields:
            if field.is_relation and (field.many_to_one or field.one_to_one):
                target = instances.get((field.related_model._meta.concrete_model, getattr(obj, field.attname)))
                if target is not None:
                    field.set_cached_value(obj, target)
                    if field.one_to_one:
                        field.remote_field.set_cached_value(target, obj)

    def make(ref):
        if isinstance(ref, tuple) and len(ref) == 2 and isinstance(ref[0], type):
            if issubclass(ref[0], models.Model):
                return instances[ref]
            return ref[0](**{k: make(v) for k, v in ref[1].items()})
        if isinstance(ref, dict):
            return {k: make(v) for k, v in ref.items()}
        return ref

    return make(snapshot.refs)


def world(build):
    """The world of ``build()``: replayed from the process's snapshot where that is exact, else built."""
    global _snapshot, _disabled
    if _disabled or not connection.in_atomic_block:
        return build()
    if _snapshot is not None and _high_water(list(_snapshot.fingerprint)) != _snapshot.fingerprint:
        _snapshot = None  # a flush made the content types anew
    if _snapshot is None:
        _snapshot = _capture(build)
        if _snapshot is None:
            _disabled = True
            return build()
    try:
        with transaction.atomic():
            return _replay(_snapshot)
    except IntegrityError:  # an earlier fixture of this test holds one of the ids
        return build()
