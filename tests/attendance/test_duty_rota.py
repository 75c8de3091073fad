"""R-28 duty rota (值班表, 第四条(1), 第十五条): the township's schedule decides the duty days (on the R-20
working-day calendar), the village draws its month from a pattern and edits it by day, the township sees its
villages' rota (page, PDF with an embedded CJK font, Excel), and a missed duty can count as absence (an
AttendanceDay 旷工, undone with history)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from attendance import policies
from attendance.models import AttendanceDay, DutyMiss, DutyRota, DutySchedule, DutyShift
from attendance.services import rota as svc
from core.roles import Role
from tests.factories import CadreFactory, client_for
from tests.pdfpages import cjk_text, needs_poppler

pytestmark = pytest.mark.django_db
D = dt.date
OCT = D(2026, 10, 1)
#: October 2026 by the official calendar: 国庆 1–7 October off (Thu–Wed), Saturday 10 October a 调休 working day
OCT_WORKDAYS = [D(2026, 10, d) for d in (8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30)]


@pytest.fixture
def wang(world):
    return CadreFactory(village=world.village, name="王五")


@pytest.fixture
def schedule(world, party):
    return svc.duty_schedule_save(township=world.township, valid_from=D(2026, 1, 1), days=DutySchedule.Days.WORKDAYS,
                                  holidays=False, per_day=1, note="工作日轮流值班", by=party)


@pytest.fixture
def october(world, schedule, secretary, wang):
    rota = svc.rota_for(village=world.village, year=2026, month=10, by=secretary)
    svc.rota_generate(rota=rota, cadres=[world.cadre, wang], names=["赵村委"], by=secretary)
    return rota


def on_duty(rota):
    return [(s.date, s.person) for s in DutyShift.objects.filter(rota=rota).select_related("cadre").order_by("date", "slot")]


# -- the schedule (pure rule and the township's write) -----------------------------------------

@pytest.mark.parametrize(("days", "holidays", "expected"), [
    ("workdays", False, 18), ("mon_fri", False, 17), ("mon_fri", True, 22), ("every_day", False, 26),
    ("workdays", True, 23),
])
def test_r28_duty_days_follow_the_schedule_and_the_working_day_calendar(world, party, days, holidays, expected):
    from attendance.rota_selectors import duty_days
    svc.duty_schedule_save(township=world.township, valid_from=D(2026, 9, 1), days=days, holidays=holidays,
                           per_day=1, by=party)
    got = [d for d, _s in duty_days(world.township, 2026, 10)]
    assert len(got) == expected
    if days == "workdays":
        assert D(2026, 10, 10) in got  # the 调休 Saturday is a working day
    if days == "mon_fri":
        assert D(2026, 10, 10) not in got
    assert (D(2026, 10, 1) in got) == holidays  # 国庆 only when the schedule keeps duty on holidays


def test_r28_round_robin_takes_people_in_turn():
    days = [D(2026, 10, d) for d in (8, 9, 12)]
    assert policies.round_robin(days, ["甲", "乙", "丙"], 2) == [
        (days[0], 1, "甲"), (days[0], 2, "乙"), (days[1], 1, "丙"), (days[1], 2, "甲"),
        (days[2], 1, "乙"), (days[2], 2, "丙")]


def test_r28_only_the_township_sets_its_schedule(world, secretary, party):
    with pytest.raises(PermissionDenied):
        svc.duty_schedule_save(township=world.township, valid_from=D(2026, 1, 1), days="workdays", holidays=False,
                               per_day=1, by=secretary)
    with pytest.raises(PermissionDenied):  # another township's committee
        svc.duty_schedule_save(township=world.township, valid_from=D(2026, 1, 1), days="workdays", holidays=False,
                               per_day=1, by=world.users["township_party_b"])
    with pytest.raises(ValidationError) as exc:
        svc.duty_schedule_save(township=world.township, valid_from=D(2026, 1, 1), days="sometimes", holidays=False,
                               per_day=9, by=party)
    assert set(exc.value.message_dict) == {"days", "per_day"}
    assert not DutySchedule.objects.exists()
    # the liaison of one of its villages may set it too (R-28: township_party or liaison)
    row = svc.duty_schedule_save(township=world.township, valid_from=D(2026, 1, 1), days="mon_fri", holidays=True,
                                 per_day=2, by=world.users[Role.TOWNSHIP_LIAISON])
    assert row.history.count() == 1


def test_r28_schedule_page_sets_the_schedule(world, party):
    c = client_for(party)
    r = c.post("/attendance/rota/schedules/", {"township": world.township.pk, "valid_from": "2026-11-01",
                                                "days": "mon_fri", "holidays": "on", "per_day": "2", "note": "冬季"})
    assert r.status_code == 302
    page = c.get("/attendance/rota/schedules/").content.decode()
    assert "周一至周五" in page and "2026-11-01" in page and "须值班" in page
    # a village secretary reads it, without the form
    page = client_for(world.users[Role.VILLAGE_SECRETARY]).get("/attendance/rota/schedules/").content.decode()
    assert "周一至周五" in page and "制定值班安排" not in page


# -- generating and editing a month -------------------------------------------------------------

def test_r28_generate_follows_the_schedule_and_the_calendar(world, october, wang):
    rows = on_duty(october)
    assert [d for d, _p in rows] == OCT_WORKDAYS  # one a working day, the 调休 Saturday in, 国庆 out
    assert [p for _d, p in rows][:4] == ["张三", "王五", "赵村委", "张三"]
    counts = {p: sum(1 for _d, q in rows if q == p) for p in ("张三", "王五", "赵村委")}
    assert counts == {"张三": 6, "王五": 6, "赵村委": 6}


def test_r28_generate_two_a_day_when_the_schedule_asks(world, party, secretary, wang):
    svc.duty_schedule_save(township=world.township, valid_from=D(2026, 10, 1), days="workdays", holidays=False,
                           per_day=2, by=party)
    rota = svc.rota_for(village=world.village, year=2026, month=10, by=secretary)
    assert svc.rota_generate(rota=rota, cadres=[world.cadre, wang], by=secretary) == 36
    first = [p for d, p in on_duty(rota) if d == D(2026, 10, 8)]
    assert first == ["张三", "王五"]


def test_r28_generate_without_a_schedule_says_so(world, secretary):
    rota = svc.rota_for(village=world.village, year=2026, month=10, by=secretary)
    with pytest.raises(ValidationError) as exc:
        svc.rota_generate(rota=rota, cadres=[world.cadre], by=secretary)
    assert "尚未制定" in str(exc.value)


def test_r28_a_person_of_another_village_is_refused(world, schedule, secretary):
    rota = svc.rota_for(village=world.village, year=2026, month=10, by=secretary)
    with pytest.raises(ValidationError) as exc:
        svc.rota_generate(rota=rota, cadres=[world.cadre, world.other_cadre], by=secretary)
    assert "李四不是城东村的后备干部" in str(exc.value)
    with pytest.raises(ValidationError):
        svc.rota_set_day(rota=rota, date=D(2026, 10, 9), people=[(world.other_cadre, "")], by=secretary)
    assert not DutyShift.objects.exists()


def test_r28_edit_a_day_and_a_day_outside_the_month_is_refused(world, october, secretary, wang):
    svc.rota_set_day(rota=october, date=D(2026, 10, 8), people=[(wang, ""), (None, "钱会计")], by=secretary)
    assert [p for d, p in on_duty(october) if d == D(2026, 10, 8)] == ["王五", "钱会计"]
    # a Sunday not in the schedule may still be given someone (a flood watch)
    svc.rota_set_day(rota=october, date=D(2026, 10, 11), people=[(world.cadre, "")], by=secretary)
    assert (D(2026, 10, 11), "张三") in on_duty(october)
    with pytest.raises(ValidationError) as exc:
        svc.rota_set_day(rota=october, date=D(2026, 11, 2), people=[(wang, "")], by=secretary)
    assert "日期须在2026-10内" in exc.value.message_dict["date"][0]
    # clearing a day keeps the old rows in the history
    svc.rota_set_day(rota=october, date=D(2026, 10, 8), people=[], by=secretary)
    assert not [1 for d, _p in on_duty(october) if d == D(2026, 10, 8)]
    assert DutyShift.history.filter(date=D(2026, 10, 8), history_type="-").count() == 3  # generated one + 2 edited


def test_r28_the_secretary_generates_and_edits_on_the_pages(world, schedule, secretary, wang):
    c = client_for(secretary)
    r = c.post(f"/attendance/rota/{world.village.pk}/2026-10/", {"cadres": [world.cadre.pk, wang.pk], "names": "赵村委"})
    assert r.status_code == 302
    page = c.get(f"/attendance/rota/{world.village.pk}/2026-10/").content.decode()
    assert "城东村 2026年10月值班表" in page and "赵村委" in page
    r = c.post(f"/attendance/rota/{world.village.pk}/day/2026-10-09/",
               {"action": "day", "cadre_1": wang.pk, "name_1": "", "cadre_2": "", "name_2": "钱会计"})
    assert r.status_code == 302
    rota = DutyRota.objects.get(village=world.village)
    assert [p for d, p in on_duty(rota) if d == D(2026, 10, 9)] == ["王五", "钱会计"]
    # a cadre of another village posted by hand is not a choice of the form: nothing changes
    r = c.post(f"/attendance/rota/{world.village.pk}/day/2026-10-09/",
               {"action": "day", "cadre_1": world.other_cadre.pk})
    assert r.status_code == 400
    assert [p for d, p in on_duty(rota) if d == D(2026, 10, 9)] == ["王五", "钱会计"]


# -- scope and the township's view ----------------------------------------------------------------

def test_r28_other_township_gets_404(world, october):
    c = client_for(world.users["township_party_b"])
    assert c.get(f"/attendance/rota/{world.village.pk}/2026-10/").status_code == 404
    assert c.get(f"/attendance/rota/{world.village.pk}/day/2026-10-09/").status_code == 404
    page = c.get("/attendance/rota/?month=2026-10").content.decode()
    assert "城东村" not in page and "张三" not in page
    # the village's own secretary cannot edit 城南村
    assert client_for(world.users[Role.VILLAGE_SECRETARY]).get(
        f"/attendance/rota/{world.village2.pk}/2026-10/").status_code == 404
    # a cadre may not open the rota pages
    assert client_for(world.users[Role.CADRE]).get("/attendance/rota/").status_code == 403


def test_r28_township_sees_its_villages_rota(world, october, party, wang):
    r = client_for(party).get("/attendance/rota/", {"month": "2026-10"})
    page = r.content.decode()
    assert r.status_code == 200
    assert "2026年10月值班表" in page and "城东村" in page and "城南村" in page and "嵩溪村" not in page
    row = page.split('data-date="2026-10-08"')[1].split("</tr>")[0]
    assert "张三" in row
    row = page.split('data-date="2026-10-09"')[1].split("</tr>")[0]
    assert "王五" in row
    # junk parameters answer the normal page
    assert client_for(party).get("/attendance/rota/", {"month": "2026-13", "page": "x", "township": "abc",
                                                      "format": "doc"}).status_code == 200
    assert client_for(party).get("/attendance/rota/", {"month": "2100-01"}).status_code == 200
    for path in (f"/attendance/rota/{world.village.pk}/2100-01/", f"/attendance/rota/{world.village.pk}/2026-1x/",
                 f"/attendance/rota/{world.village.pk}/day/2100-01-04/", f"/attendance/rota/{world.village.pk}/day/x/"):
        assert client_for(party).get(path).status_code == 404, path


@needs_poppler
def test_r28_rota_pdf_embeds_a_cjk_font(world, october, party):
    r = client_for(party).get("/attendance/rota/", {"month": "2026-10", "format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = cjk_text(r.content)
    for words in ["2026年10月村级值班表", "城东村", "张三", "王五"]:
        assert words in text, words


def test_r28_rota_excel_lists_days_by_village(world, october, party):
    r = client_for(party).get("/attendance/rota/", {"month": "2026-10", "format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[2]]
    assert header[:2] == ["日期", "星期"] and any("城东村" in (h or "") for h in header)
    col = next(i for i, h in enumerate(header) if "城东村" in (h or ""))
    by_day = {row[0].value: row[col].value for row in ws.iter_rows(min_row=3)}
    assert by_day["2026-10-08"] == "张三" and by_day["2026-10-09"] == "王五" and not by_day["2026-10-01"]


# -- missed duty ----------------------------------------------------------------------------------

def test_r28_missed_duty_counts_as_absence_and_undo_clears_it(world, october, secretary):
    miss = svc.duty_miss_record(village=world.village, date=D(2026, 10, 8), cadre=world.cadre, note="未到岗",
                                counts_as_absence=True, by=secretary)
    day = AttendanceDay.objects.get(cadre=world.cadre, date=D(2026, 10, 8))
    assert day.status == AttendanceDay.Status.ABSENT and "值班缺岗" in day.note
    # the absence rules see it: the absences page counts one day for 张三
    page = client_for(secretary).get("/attendance/absences/").content.decode()
    assert 'data-summary="张三"' in page and "2026-10-08～2026-10-08" in page
    svc.duty_miss_undo(miss=miss, by=secretary, note="记错了，当天在岗")
    assert not AttendanceDay.objects.filter(cadre=world.cadre, date=D(2026, 10, 8)).exists()
    assert AttendanceDay.history.filter(cadre_id=world.cadre.pk, date=D(2026, 10, 8), history_type="-").exists()
    miss.refresh_from_db()
    assert miss.undone and miss.history.count() == 2


def test_r28_missed_duty_not_counted_leaves_attendance_alone(world, october, secretary):
    svc.duty_miss_record(village=world.village, date=D(2026, 10, 10), name="赵村委", note="没来", by=secretary)
    assert not AttendanceDay.objects.exists()
    with pytest.raises(ValidationError) as exc:  # a free-text name is nobody's attendance
        svc.duty_miss_record(village=world.village, date=D(2026, 10, 14), name="赵村委", note="没来",
                             counts_as_absence=True, by=secretary)
    assert "counts_as_absence" in exc.value.message_dict


def test_r28_missed_duty_refusals(world, october, secretary, wang):
    cases = [
        ({"date": D(2026, 10, 8), "cadre": wang, "note": "没来"}, "cadre"),  # 王五 was not on duty that day
        ({"date": D(2026, 10, 8), "cadre": world.other_cadre, "note": "没来"}, "cadre"),  # another village
        ({"date": D(2026, 10, 8), "cadre": world.cadre, "note": " "}, "note"),
        ({"date": D(2099, 10, 8), "cadre": world.cadre, "note": "没来"}, "date"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            svc.duty_miss_record(village=world.village, by=secretary, **kwargs)
        assert field in exc.value.message_dict, kwargs
    with pytest.raises(PermissionDenied):  # the liaison keeps the rota but does not mark attendance
        svc.duty_miss_record(village=world.village, date=D(2026, 10, 8), cadre=world.cadre, note="没来",
                             by=world.users[Role.TOWNSHIP_LIAISON])
    assert not DutyMiss.objects.exists() and not AttendanceDay.objects.exists()


def test_r28_missed_duty_on_the_day_page_and_undo(world, october, secretary):
    c = client_for(secretary)
    r = c.post(f"/attendance/rota/{world.village.pk}/day/2026-10-08/",
               {"action": "miss", "person": "1", "note": "未到岗，电话联系不上", "counts_as_absence": "on"})
    assert r.status_code == 302
    assert AttendanceDay.objects.get(cadre=world.cadre, date=D(2026, 10, 8)).status == "absent"
    page = c.get("/attendance/rota/misses/").content.decode()
    assert "未到岗，电话联系不上" in page and "张三" in page
    miss = DutyMiss.objects.get()
    assert c.post(f"/attendance/rota/misses/{miss.pk}/undo/").status_code == 302
    assert not AttendanceDay.objects.filter(cadre=world.cadre).exists()
    assert "已撤销" in c.get("/attendance/rota/misses/").content.decode()
    # the other township cannot undo it (404)
    assert client_for(world.users["township_party_b"]).post(f"/attendance/rota/misses/{miss.pk}/undo/").status_code == 404


# -- API ----------------------------------------------------------------------------------------------

def test_r28_api_rotas(world, schedule, secretary, wang, api):
    client = api(secretary)
    r = client.post("/api/v1/duty-rotas/", {"village": world.village.pk, "month": "2026-10", "days": [
        {"date": "2026-10-08", "cadre": world.cadre.pk}, {"date": "2026-10-09", "name": "赵村委"}]}, format="json")
    assert r.status_code == 201, r.content
    rota_id = r.json()["id"]
    assert [(d["date"], d["person"]) for d in r.json()["days"]] == [("2026-10-08", "张三"), ("2026-10-09", "赵村委")]
    r = client.post(f"/api/v1/duty-rotas/{rota_id}/generate/", {"cadres": [world.cadre.pk, wang.pk]}, format="json")
    assert r.status_code == 200 and len(r.json()["days"]) == 18
    r = client.post("/api/v1/duty-rotas/", {"village": world.village.pk, "month": "2026-10", "days": [
        {"date": "2026-11-01", "cadre": world.cadre.pk}]}, format="json")
    assert r.status_code == 400 and "2026-10" in str(r.json())
    r = client.post("/api/v1/duty-rotas/", {"village": world.village.pk, "month": "2026-10", "days": [
        {"date": "2026-10-08", "cadre": world.other_cadre.pk}]}, format="json")
    assert r.status_code == 400
    r = client.get("/api/v1/duty-rotas/", {"month": "2026-10"})
    assert r.json()["count"] == 1 and r.json()["results"][0]["month"] == "2026-10"
    # another township sees nothing and cannot generate
    other = api(world.users["township_party_b"])
    assert other.get("/api/v1/duty-rotas/").json()["count"] == 0
    assert other.post(f"/api/v1/duty-rotas/{rota_id}/generate/", {"cadres": []}, format="json").status_code == 404
    # the county reads but does not edit
    assert api(world.users[Role.COUNTY_ORG]).post(
        "/api/v1/duty-rotas/", {"village": world.village.pk, "month": "2026-10"}, format="json").status_code == 403


def test_r28_api_misses_and_schedules(world, october, secretary, party, api):
    r = api(party).post("/api/v1/duty-schedules/", {"township": world.township.pk, "valid_from": "2026-11-01",
                                                     "days": "every_day", "per_day": 1}, format="json")
    assert r.status_code == 201
    r = api(world.users["township_party_b"]).post("/api/v1/duty-schedules/", {
        "township": world.township.pk, "valid_from": "2026-11-01"}, format="json")
    assert r.status_code == 400
    client = api(secretary)
    r = client.post("/api/v1/duty-misses/", {"village": world.village.pk, "date": "2026-10-08", "cadre": world.cadre.pk,
                                              "note": "未到岗", "counts_as_absence": True}, format="json")
    assert r.status_code == 201, r.content
    assert AttendanceDay.objects.get(cadre=world.cadre, date=D(2026, 10, 8)).status == "absent"
    r2 = api(secretary).get("/api/v1/attendance-days/", {"cadre": world.cadre.pk, "month": "2026-10"})
    assert [d["status"] for d in r2.json()] == ["absent"]
    miss_id = r.json()["id"]
    assert client.get("/api/v1/duty-misses/", {"counts_as_absence": "true"}).json()["count"] == 1
    r = client.post(f"/api/v1/duty-misses/{miss_id}/undo/", {"note": "记错"}, format="json")
    assert r.status_code == 200 and r.json()["undone"] is True
    assert client.post(f"/api/v1/duty-misses/{miss_id}/undo/", {}, format="json").status_code == 409
    assert not AttendanceDay.objects.filter(cadre=world.cadre).exists()
    assert api(world.users["township_party_b"]).get("/api/v1/duty-misses/").json()["count"] == 0


def test_r28_api_in_the_schema(client, org):
    client.force_login(org)
    schema = client.get("/api/schema/").content.decode()
    for p in ("/api/v1/duty-rotas/", "/api/v1/duty-rotas/{id}/generate/", "/api/v1/duty-misses/",
              "/api/v1/duty-schedules/"):
        assert p in schema, p


# -- demo ------------------------------------------------------------------------------------------

def r28_demo_facts() -> list:
    """R-28 in the demo county: a schedule per township, this month's rota for every village with serving
    cadres, missed duties counted as absence days. Checked by tests/core/test_demo.py (one demo build for every
    app; the rebuild must give the same shifts)."""
    from cadres.models import Cadre
    from core.dates import today

    first = today().replace(day=1)
    assert DutySchedule.objects.count() == 13  # one per township of 清流县
    with_cadres = len(set(Cadre.objects.filter(status=Cadre.Status.ACTIVE).values_list("village_id", flat=True)))
    assert DutyRota.objects.filter(month=first).count() == with_cadres
    for m in DutyMiss.objects.all():
        if m.counts_as_absence:
            assert AttendanceDay.objects.get(cadre=m.cadre, date=m.date).status == "absent"
    return sorted(DutyShift.objects.filter(rota__month=first).values_list("rota__village__code", "date", "slot", "name"))


# -- no N+1 -------------------------------------------------------------------------------------------

def test_r28_lists_do_not_grow_queries_with_rows(world, october, party, secretary, api, django_assert_max_num_queries):
    c = client_for(party)
    svc.duty_miss_record(village=world.village, date=D(2026, 10, 8), cadre=world.cadre, note="未到岗", by=secretary)
    with django_assert_max_num_queries(25):
        assert c.get("/attendance/rota/", {"month": "2026-10"}).status_code == 200
    with django_assert_max_num_queries(25):
        assert c.get("/attendance/rota/misses/").status_code == 200
    client = api(party)
    with django_assert_max_num_queries(15):
        assert client.get("/api/v1/duty-rotas/").status_code == 200
    # more villages with rotas, more rows: the same bounds
    for i in range(3):
        from tests.factories import VillageFactory
        v = VillageFactory(township=world.township, name=f"新村{i}", code=f"35042310030{i}")
        cadre = CadreFactory(village=v, name=f"新{i}")
        rota = svc.rota_for(village=v, year=2026, month=10, by=party)
        svc.rota_generate(rota=rota, cadres=[cadre], by=party)
        svc.duty_miss_record(village=v, date=D(2026, 10, 9), cadre=cadre, note="没来", by=party)
    with django_assert_max_num_queries(25):
        assert c.get("/attendance/rota/", {"month": "2026-10"}).status_code == 200
    with django_assert_max_num_queries(25):
        assert c.get("/attendance/rota/misses/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/api/v1/duty-rotas/").json()["count"] == 4
