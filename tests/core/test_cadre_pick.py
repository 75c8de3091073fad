"""Issue 19: a record form's cadre choice among more cadres than a select should hold is a search box whose
suggestions are the form's own cadres; the form still refuses an id outside them. Small scopes keep a select."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from cadres.models import Cadre
from core import filters
from core.filters import CHOICES_MAX
from core.roles import Role
from supervision.models import Assessment, Attachment
from tests.factories import (
    CadreFactory,
    CountyFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    client_for,
    id_number_for,
)
from tests.selects import SELECT, largest_select

SELECT = re.compile(r"<select\b.*?</select>", re.S)
#: record forms choosing a cadre, opened by the administrator (who records for every cadre)
FORMS = ["/supervision/assessments/new/", "/supervision/attachments/new/", "/supervision/talks/new/",
         "/supervision/commitments/new/", "/supervision/assignments/new/", "/supervision/cases/new/",
         "/attendance/absences/", "/attendance/trips/new/", "/attendance/incapacity/new/",
         "/payroll/bonuses/", "/payroll/adjustments/"]


@pytest.fixture
def many_cadres(world):
    """CHOICES_MAX more active cadres in 村 1 (the world's county holds 202 in all), and one in another county."""
    v = world.village
    Cadre.objects.bulk_create([
        Cadre(name=f"批量{i:03d}", id_number=id_number_for(), gender="M", birth_date=dt.date(1995, 5, 17),
              education=world.cadre.education, phone=f"139{i:08d}", village=v, county_id=v.township.county_id,
              township_id=v.township_id, appointed_on=dt.date(2023, 1, 1))
        for i in range(CHOICES_MAX)])
    far = VillageFactory(township=TownshipFactory(county=CountyFactory(name="远山县", code="350499"),
                                                  name="远山镇", code="350499100"), name="远山村", code="350499100201")
    CadreFactory(village=far, name="批量外县")
    return world


def test_many_cadres_are_a_search_box_on_every_record_form(many_cadres):
    client = client_for(UserFactory(is_superuser=True, is_staff=True))
    for url in FORMS:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert largest_select(html) <= CHOICES_MAX, url
        assert "批量199" not in html, url
        assert 'data-testid="suggest-cadre"' in html, url
        assert "/lists/choices/cadre/?source=" in html, url
    # leave asked on a cadre's behalf, by the secretary of a village of 201 cadres
    html = client_for(many_cadres.users[Role.VILLAGE_SECRETARY]).get("/attendance/leave/new/", {"for": "other"})
    html = html.content.decode()
    assert largest_select(html) <= CHOICES_MAX and 'data-testid="suggest-cadre"' in html
    assert "source=attendance.leave" in html


def test_cadre_suggestions_are_the_forms_own(many_cadres):
    world = many_cadres
    org = client_for(world.users[Role.TOWNSHIP_PARTY])
    rows = org.get("/lists/choices/cadre/", {"source": "supervision.recordable", "q": "批量19"}).json()["results"]
    assert len(rows) == 10 and all(r["text"].endswith("（龙津镇城东村）") for r in rows)
    assert all(r["text"].startswith("批量19") for r in rows)
    # by village name too, and another county's cadre never appears
    assert org.get("/lists/choices/cadre/", {"source": "supervision.recordable", "q": "嵩溪"}).json()["results"] == []
    assert org.get("/lists/choices/cadre/", {"source": "supervision.recordable",
                                             "q": "外县"}).json()["results"] == []
    # another township's committee is offered its own township's cadres only
    party_b = client_for(world.users["township_party_b"])
    assert party_b.get("/lists/choices/cadre/", {"source": "supervision.recordable",
                                                 "q": "批量"}).json()["results"] == []
    rows = party_b.get("/lists/choices/cadre/", {"source": "supervision.recordable", "q": "嵩溪"}).json()["results"]
    assert [r["text"] for r in rows] == ["李四（嵩溪镇嵩溪村）"]
    stranger = client_for(world.users["stranger"])
    for source in ("supervision.recordable", "supervision.talk", "supervision.case", "attendance.active",
                   "attendance.trip", "payroll.bonus", "payroll.adjustment", "supervision.assignable",
                   "attendance.leave"):
        response = stranger.get("/lists/choices/cadre/", {"source": source, "q": "批量"})
        assert response.status_code == 200 and response.json()["results"] == [], source
    assert org.get("/lists/choices/cadre/", {"source": "cadres.everyone"}).status_code == 404
    assert org.get("/lists/choices/cadre/").status_code == 404
    assert len(org.get("/lists/choices/cadre/", {"source": "supervision.recordable"}).json()["results"]) == 20
    assert Client().get("/lists/choices/cadre/", {"source": "supervision.recordable"}).status_code == 302


def test_the_search_box_posts_the_id_and_an_out_of_scope_id_is_a_form_error(world, monkeypatch):
    monkeypatch.setattr(filters, "CHOICES_MAX", 1)
    CadreFactory(village=world.village2, name="王二")  # 乡 A records for 2 cadres: more than 1
    org = client_for(world.users[Role.TOWNSHIP_PARTY])
    html = org.get("/supervision/attachments/new/", {"cadre": world.cadre.pk}).content.decode()
    assert 'data-testid="suggest-cadre"' in html and 'value="张三（龙津镇城东村）"' in html
    assert f'type="hidden" name="cadre" id="id_cadre-value" value="{world.cadre.pk}"' in html
    stranger_cadre = CadreFactory(village=VillageFactory(township=TownshipFactory(
        county=CountyFactory(name="远山县", code="350499"), code="350499100"), code="350499100201"), name="王五")
    data = {"start_date": "2026-03-02", "end_date": "2026-03-06", "department": "组织部", "note": ""}
    response = org.post("/supervision/attachments/new/", {**data, "cadre": stranger_cadre.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请按下面标红的提示修改后再提交。" in html and "选择一个有效的选项" in html
    assert "王五" not in html and "李四" not in html  # the tampered id names nobody on the page
    assert not Attachment.objects.exists()
    response = org.post("/supervision/attachments/new/", {**data, "cadre": world.cadre.pk})
    assert response.status_code == 302
    assert Attachment.objects.get().cadre == world.cadre


def test_the_assessment_year_chooser_is_a_search_box_too(world, monkeypatch):
    monkeypatch.setattr(filters, "CHOICES_MAX", 1)
    CadreFactory(village=world.village2, name="王二")
    org = client_for(world.users[Role.TOWNSHIP_PARTY])
    html = org.get("/supervision/assessments/new/", {"cadre": world.cadre.pk}).content.decode()
    assert largest_select(html) <= 4  # the result and year choices, never the cadres
    chooser = html[html.index('data-testid="year-chooser"'):]
    assert 'id="id_show_cadre"' in chooser and 'value="张三（龙津镇城东村）"' in chooser
    assert not Assessment.objects.exists()


def test_a_small_scope_keeps_the_select(world):
    html = client_for(world.users[Role.TOWNSHIP_PARTY]).get("/supervision/attachments/new/").content.decode()
    cadre = next(s for s in SELECT.findall(html) if 'name="cadre"' in s)
    assert "张三（龙津镇城东村）" in cadre and "李四" not in cadre
    assert 'data-testid="suggest-cadre"' not in html
