"""Decision 021: the data migrations fill the scope columns of rows written before them (set-based UPDATEs
with a subquery, the same on SQLite and PostgreSQL)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("cadres", "0007_case_absence_link_and_review"), ("attendance", "0010_duty_rota"),
          ("supervision", "0011_assessment_once_unless_withdrawn"), ("payroll", "0006_yearly_accident_premium")]


# Migrating four apps back and forth rebuilds every later table on SQLite (100 s, a tenth of that suite), so
# the rows are checked on PostgreSQL; SQLite runs the same UPDATE statements in every fresh migrate (the
# newcomer path and each test database), on empty tables.
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_existing_rows_get_the_county_and_township_of_their_cadres_village():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    County, Township, Village = (old.get_model("core", m) for m in ("County", "Township", "Village"))
    county = County.objects.create(name="清流县", code="350423")
    a = Township.objects.create(county=county, name="龙津镇", code="350423100")
    b = Township.objects.create(county=county, name="嵩溪镇", code="350423101")
    v1 = Village.objects.create(township=a, name="城东村", code="350423100201")
    v3 = Village.objects.create(township=b, name="嵩溪村", code="350423101201")
    Cadre = old.get_model("cadres", "Cadre")
    common = {"gender": "M", "birth_date": dt.date(1995, 5, 17), "education": "bachelor", "phone": "13800000000",
              "appointed_on": dt.date(2025, 1, 1)}
    zhang = Cadre.objects.create(name="张三", id_number="350423199505170011", village=v1, **common)
    li = Cadre.objects.create(name="李四", id_number="350423199505170038", village=v3, **common)
    old.get_model("attendance", "AttendanceDay").objects.create(cadre=zhang, date=dt.date(2026, 3, 2), status="absent")
    old.get_model("attendance", "Absence").objects.create(cadre=li, start_date=dt.date(2026, 3, 2),
                                                          end_date=dt.date(2026, 3, 3), days=2)
    old.get_model("supervision", "Talk").objects.create(kind="individual", cadre=zhang, township=a, village=v1,
                                                        held_on=dt.date(2026, 3, 1), interviewer="王书记",
                                                        record="谈话")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from attendance.models import Absence, AttendanceDay
    from cadres.models import Cadre as NewCadre
    from supervision.models import Talk

    assert dict(NewCadre.objects.values_list("name", "township_id")) == {"张三": a.pk, "李四": b.pk}
    assert set(NewCadre.objects.values_list("county_id", flat=True)) == {county.pk}
    assert list(AttendanceDay.objects.values_list("township_id", "county_id")) == [(a.pk, county.pk)]
    assert list(Absence.objects.values_list("township_id", "county_id")) == [(b.pk, county.pk)]
    assert list(Talk.objects.values_list("township_id", "county_id")) == [(a.pk, county.pk)]
