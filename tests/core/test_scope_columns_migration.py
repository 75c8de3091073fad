"""Decision 021: the data migrations fill the scope columns of rows written before them (set-based UPDATEs
with a subquery, the same on SQLite and PostgreSQL).

The suite's databases are built from the models (``--no-migrations``, decision 027), so this test migrates a
database of its own with the real migrations: from nothing to just before the scope columns, rows written,
then forward to the last migration. It is also the suite's proof that every migration applies on PostgreSQL;
the newcomer path proves them on SQLite.
"""

import datetime as dt

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

BEFORE = [("cadres", "0007_case_absence_link_and_review"), ("attendance", "0010_duty_rota"),
          ("supervision", "0011_assessment_once_unless_withdrawn"), ("payroll", "0006_yearly_accident_premium")]
ALIAS = "migrations"


@pytest.fixture
def migrating(transactional_db):
    """A connection to a new, empty PostgreSQL database, with the project's real migrations switched on."""
    base = connections["default"].settings_dict
    name = f"{base['NAME']}_migrations"
    with connections["default"]._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    # Not in settings.DATABASES: Django's test case allows such a connection made during the test.
    connections[ALIAS] = connections["default"].__class__({**base, "NAME": name}, ALIAS)
    try:
        with override_settings(MIGRATION_MODULES={}):
            yield connections[ALIAS]
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.services
@pytest.mark.starts_no_worker
@pytest.mark.django_db  # the migration runs on a database of its own; the test database is only read for its settings
def test_existing_rows_get_the_county_and_township_of_their_cadres_village(migrating):
    executor = MigrationExecutor(migrating)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps

    def make(model, **fields):
        app, name = model.split(".")
        return old.get_model(app, name).objects.db_manager(ALIAS).create(**fields)

    county = make("core.County", name="清流县", code="350423")
    a = make("core.Township", county=county, name="龙津镇", code="350423100")
    b = make("core.Township", county=county, name="嵩溪镇", code="350423101")
    v1 = make("core.Village", township=a, name="城东村", code="350423100201")
    v3 = make("core.Village", township=b, name="嵩溪村", code="350423101201")
    common = {"gender": "M", "birth_date": dt.date(1995, 5, 17), "education": "bachelor", "phone": "13800000000",
              "appointed_on": dt.date(2025, 1, 1)}
    zhang = make("cadres.Cadre", name="张三", id_number="350423199505170011", village=v1, **common)
    li = make("cadres.Cadre", name="李四", id_number="350423199505170038", village=v3, **common)
    make("attendance.AttendanceDay", cadre=zhang, date=dt.date(2026, 3, 2), status="absent")
    make("attendance.Absence", cadre=li, start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 3), days=2)
    make("supervision.Talk", kind="individual", cadre=zhang, township=a, village=v1, held_on=dt.date(2026, 3, 1),
         interviewer="王书记", record="谈话")

    executor = MigrationExecutor(migrating)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from attendance.models import Absence, AttendanceDay
    from cadres.models import Cadre as NewCadre
    from supervision.models import Talk

    assert dict(NewCadre.objects.using(ALIAS).values_list("name", "township_id")) == {"张三": a.pk, "李四": b.pk}
    assert set(NewCadre.objects.using(ALIAS).values_list("county_id", flat=True)) == {county.pk}
    assert list(AttendanceDay.objects.using(ALIAS).values_list("township_id", "county_id")) == [(a.pk, county.pk)]
    assert list(Absence.objects.using(ALIAS).values_list("township_id", "county_id")) == [(b.pk, county.pk)]
    assert list(Talk.objects.using(ALIAS).values_list("township_id", "county_id")) == [(a.pk, county.pk)]
