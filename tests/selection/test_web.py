"""Pages, Excel imports (all or nothing, marked sheet back), exports (Excel, PDF with embedded CJK font)."""

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from cadres.models import Cadre
from core.dates import today
from core.roles import Role
from selection import exports, policies
from selection.models import Application
from tests.factories import client_for, id_number_for

pytestmark = pytest.mark.django_db


def xlsx(headers, rows, name="upload.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


APPLICANT_HEADERS = list(exports.APPLICANT_COLUMNS.values())


def _wrong_check_digit():
    good = id_number_for()
    return good[:17] + ("1" if good[17] != "1" else "2")


def applicant_row(world, name, village=None, **kw):
    village = village or world.village2
    row = {"township": village.township.name, "village": village.name, "name": name, "id_number": id_number_for(),
           "phone": "13900002222", "education": "大专", "political_status": "中共党员", "previous_round": "否",
           "negative_items": "无", "unmet_conditions": ""}
    row.update(kw)
    return [row[k] for k in exports.APPLICANT_COLUMNS]


def test_round_page_shows_progress_vacancies_and_applicants(world, rnd, apply, org):
    # R-10 + R-01: where every applicant stands, villages without a cadre
    apply(name="王五")
    r = client_for(org).get(f"/selection/{rnd.pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "王五" in html and "待初审" in html
    vac = html[html.index('id="vacancies"'):html.index("报名人员</h2>")]
    assert "城南村" in vac and "城东村" not in vac  # 村1 has its cadre; 村2 is vacant


def test_round_page_outside_scope_404(world, rnd):
    assert client_for(world.users["stranger"]).get(f"/selection/{rnd.pk}/").status_code == 404


def test_round_create_page_refuses_second_supplement(world, rnd, org):
    # the error is on the field, in Chinese
    r = client_for(org).post("/selection/new/", {
        "county": world.county.pk, "year": rnd.year, "kind": "supplement", "title": "又一次",
        "announced_on": rnd.announced_on, "apply_until": rnd.apply_until, "written_weight": "0.50",
        "college_bonus": "0", "previous_round_bonus": "0"})
    assert r.status_code == 200
    assert "每年只增补一次" in " ".join(r.context["form"].errors["kind"])
    assert client_for(world.users[Role.TOWNSHIP_PARTY]).get("/selection/new/").status_code == 403


def test_application_form_refuses_negative_item_with_its_text(world, rnd, party):
    # R-12 on the form: the ten items with full text, the refusal naming the item
    c = client_for(party)
    page = c.get(f"/selection/{rnd.pk}/apply/").content.decode()
    assert "利用宗族房头势力甚至黑恶势力等干预村务的" in page and "（10）党内法规和法律法规规定的其他不宜情形的" in page
    r = c.post(f"/selection/{rnd.pk}/apply/", {
        "village": world.village2.pk, "name": "钱七", "id_number": id_number_for(), "phone": "13900003333",
        "education": "college", "political_status": "masses", "neg_4": "on"})
    assert r.status_code == 200
    assert "第七条第（4）项“受撤职及以上政务处分的”" in r.content.decode()
    assert Application.objects.count() == 0
    r = c.post(f"/selection/{rnd.pk}/apply/", {
        "village": world.village2.pk, "name": "钱七", "id_number": id_number_for(), "phone": "13900003333",
        "education": "college", "political_status": "masses"})
    assert r.status_code == 302 and Application.objects.get().name == "钱七"


#: R-16: the review form's answer "符合" for each basic condition of 第五条
ALL_CONDITIONS_MET = {f"condition_{k}": "1" for k in policies.CONDITION_KEYS}


def test_review_page_by_township_and_decision_page_by_county(world, apply, advance, party, org):
    app = apply(education="below_high_school")
    r = client_for(party).post(f"/selection/applications/{app.pk}/review/", {"passed": "1", "comment": "好"})
    assert r.status_code == 200 and "破格理由" in r.content.decode()
    r = client_for(party).post(f"/selection/applications/{app.pk}/review/",
                               {"passed": "1", "education_exception": "群众公认", **ALL_CONDITIONS_MET})
    assert r.status_code == 302
    assert client_for(org).get(f"/selection/applications/{app.pk}/review/").status_code == 403
    app = advance(Application.objects.get(pk=app.pk), "co_reviewed")
    r = client_for(org).post(f"/selection/applications/{app.pk}/decide/",
                             {"appointed": "1", "decided_on": today().isoformat(), "document_no": "清委〔2026〕9号"})
    assert r.status_code == 302
    detail = client_for(org).get(f"/selection/applications/{app.pk}/").content.decode()
    assert "已聘任为村级后备干部" in detail and "变更记录" in detail
    assert "待初审 → 初审通过" in detail and "群众公认" in detail  # the history says what each step changed
    # a repeated decision is refused with the reason shown
    r = client_for(org).post(f"/selection/applications/{app.pk}/decide/",
                             {"appointed": "1", "decided_on": today().isoformat(), "document_no": "x"}, follow=True)
    assert "已办结" in r.content.decode()


def test_applicant_import_all_good(world, rnd, org):
    upload = xlsx(APPLICANT_HEADERS, [applicant_row(world, "甲"), applicant_row(world, "乙", village=world.village)])
    r = client_for(org).post(f"/selection/{rnd.pk}/import/applicants/", {"file": upload})
    assert r.status_code == 302
    assert sorted(Application.objects.values_list("name", flat=True)) == ["乙", "甲"]


def test_applicant_import_with_a_bad_row_changes_nothing_and_marks_it(world, rnd, org):
    # a file with any bad row changes nothing; the sheet comes back with each bad row marked and why
    rows = [applicant_row(world, "甲"), applicant_row(world, "乙", negative_items="3"),
            applicant_row(world, "丙", id_number=_wrong_check_digit()), applicant_row(world, "丁", village=None)]
    rows[3][1] = "不存在村"
    r = client_for(org).post(f"/selection/{rnd.pk}/import/applicants/", {"file": xlsx(APPLICANT_HEADERS, rows)})
    assert r.status_code == 400
    assert Application.objects.count() == 0
    html = r.content.decode()
    assert "整份文件未导入" in html and "第 3 行" in html
    ws = load_workbook(io.BytesIO(r.context["error_file"])).active
    last = ws.max_column
    assert ws.cell(row=1, column=last).value == "错误说明"
    assert ws.cell(row=2, column=last).value is None  # the good row is not marked
    assert "第七条第（3）项" in ws.cell(row=3, column=last).value
    assert "身份证号" in ws.cell(row=4, column=last).value
    assert "找不到" in ws.cell(row=5, column=last).value
    assert ws.cell(row=3, column=1).fill.fgColor.rgb.endswith("FFC7CE")


def test_applicant_import_refuses_other_township_villages(world, rnd, party):
    rows = [applicant_row(world, "甲"), applicant_row(world, "乙", village=world.other_village)]
    r = client_for(party).post(f"/selection/{rnd.pk}/import/applicants/", {"file": xlsx(APPLICANT_HEADERS, rows)})
    assert r.status_code == 400 and Application.objects.count() == 0
    assert "不在您的管辖范围" in r.content.decode()


def test_score_template_and_import(world, rnd, apply, advance, org):
    a = advance(apply(name="甲"), "reviewed")
    b = advance(apply(name="乙"), "reviewed")
    c = client_for(org)
    template = load_workbook(io.BytesIO(c.get(f"/selection/{rnd.pk}/template/scores.xlsx").content)).active
    rows = list(template.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [(a.pk, "甲"), (b.pk, "乙")]
    headers = list(exports.SCORE_COLUMNS.values())
    # one bad row → nothing changes
    bad = xlsx(headers, [[a.pk, "甲", 88, 90], [b.pk, "乙", 101, 80]])
    r = c.post(f"/selection/{rnd.pk}/import/scores/", {"file": bad})
    assert r.status_code == 400
    assert not Application.objects.filter(composite_score__isnull=False).exists()
    ws = load_workbook(io.BytesIO(r.context["error_file"])).active
    assert "0至100" in ws.cell(row=3, column=ws.max_column).value
    good = xlsx(headers, [[a.pk, "甲", 88, 90], [b.pk, "乙", "79.5", 80.25]])
    r = c.post(f"/selection/{rnd.pk}/import/scores/", {"file": good})
    assert r.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.composite_score, a.rank) == (Decimal("89.00"), 1)
    assert (b.composite_score, b.rank) == (Decimal("79.88"), 2)
    # a second import of the same sheet is refused: scores are entered once
    again = c.post(f"/selection/{rnd.pk}/import/scores/", {"file": xlsx(headers, [[a.pk, "甲", 50, 50]])})
    assert again.status_code == 400 and "已录入成绩" in again.content.decode()


def test_score_import_name_mismatch(world, rnd, apply, advance, org):
    a = advance(apply(name="甲"), "reviewed")
    r = client_for(org).post(f"/selection/{rnd.pk}/import/scores/",
                             {"file": xlsx(list(exports.SCORE_COLUMNS.values()), [[a.pk, "乙", 80, 80]])})
    assert r.status_code == 400 and "不一致" in r.content.decode()


def test_applicant_template_has_the_columns_and_the_ten_items(world, rnd, org):
    wb = load_workbook(io.BytesIO(client_for(org).get(f"/selection/{rnd.pk}/template/applicants.xlsx").content))
    assert [c.value for c in wb.worksheets[0][1]] == APPLICANT_HEADERS
    text = "\n".join(str(r[0]) for r in wb.worksheets[1].iter_rows(values_only=True) if r[0])
    assert "（7）涉及“村霸”" in text


def _scored_round(world, apply, advance, org):
    advance(apply(name="欧阳娜娜", village=world.village2), "co_reviewed", written=Decimal("90"))
    advance(apply(name="第二名", village=world.village2), "scored", written=Decimal("70"))


def test_ranking_and_publicity_excel(world, rnd, apply, advance, org):
    _scored_round(world, apply, advance, org)
    c = client_for(org)
    ws = load_workbook(io.BytesIO(c.get(f"/selection/{rnd.pk}/export/ranking.xlsx").content)).active
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True)]
    assert [(r[2], r[3]) for r in rows] == [(1, "欧阳娜娜"), (2, "第二名")]
    ws = load_workbook(io.BytesIO(c.get(f"/selection/{rnd.pk}/export/publicity.xlsx").content)).active
    names = [r[3] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert names == ["欧阳娜娜"]  # only those through co-review


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
@pytest.mark.parametrize("what", ["ranking", "publicity"])
def test_pdf_exports_embed_the_cjk_font(world, rnd, apply, advance, org, tmp_path, what):
    _scored_round(world, apply, advance, org)
    r = client_for(org).get(f"/selection/{rnd.pk}/export/{what}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    path = tmp_path / f"{what}.pdf"
    path.write_bytes(r.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert any("SourceHanSans" in line and " yes " in line for line in fonts.splitlines())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "欧阳娜娜" in text and "城南村" in text


def test_round_page_query_count_does_not_grow(world, rnd, apply, advance, org, django_assert_max_num_queries):
    c = client_for(org)
    advance(apply(name="a0"), "scored")
    with django_assert_max_num_queries(40) as few:
        c.get(f"/selection/{rnd.pk}/")
    for i in range(10):
        advance(apply(name=f"b{i}", village=world.other_village if i % 2 else world.village2), "scored")
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get(f"/selection/{rnd.pk}/")
    assert r.context["page_obj"].paginator.count == 11
    with django_assert_max_num_queries(30) as few_list:
        c.get("/selection/applications/")
    apply(name="c0")
    with django_assert_max_num_queries(len(few_list.captured_queries)):
        c.get("/selection/applications/")
    with django_assert_max_num_queries(25) as few_rounds:
        c.get("/selection/")
    import datetime as dt

    from selection import services

    for year in range(2015, 2020):
        services.round_create(by=org, county=world.county, year=year, kind="main", title=f"{year}集中选拔",
                              announced_on=dt.date(year, 3, 1), apply_until=dt.date(year, 3, 20))
    with django_assert_max_num_queries(len(few_rounds.captured_queries)):
        r = c.get("/selection/")
    assert r.context["page_obj"].paginator.count == 6


def test_home_panels(world, rnd, apply, advance, party, org):
    apply(name="等初审")
    advance(apply(name="等决定"), "co_reviewed")
    home = client_for(party).get("/").content.decode()
    assert "待初审的报名" in home and "等初审" in home
    home = client_for(org).get("/").content.decode()
    assert "待县级办理的选拔" in home and rnd.title in home and "待决定 1 人" in home


def test_cadre_list_after_appointment(world, rnd, apply, advance, org):
    app = advance(apply(name="新人"), "appointed")
    assert Cadre.objects.get(pk=app.cadre_id).village == world.village2


def test_edit_page_only_while_waiting_for_review(world, apply, advance, party):
    app = apply(name="错字")
    c = client_for(party)
    assert "修改报名信息" in c.get(f"/selection/applications/{app.pk}/").content.decode()
    data = {"village": world.village2.pk, "name": "正字", "id_number": app.id_number, "phone": app.phone,
            "education": app.education, "political_status": "masses", "applied_on": app.applied_on.isoformat()}
    assert c.post(f"/selection/applications/{app.pk}/edit/", data).status_code == 302
    assert Application.objects.get(pk=app.pk).name == "正字"
    assert client_for(world.users[Role.COUNTY_FINANCE]).get(f"/selection/applications/{app.pk}/edit/").status_code == 403
    advance(Application.objects.get(pk=app.pk), "reviewed")
    r = c.get(f"/selection/applications/{app.pk}/edit/", follow=True)
    assert "不能再修改" in r.content.decode()


def test_vacancies_of_the_round_count_cadres_right_with_many_applicants(world, rnd, apply, org):
    # a village with quota 2 and one active cadre stays a vacancy however many people apply
    from core.services import village_update

    village_update(village=world.village, quota=2)
    for i in range(3):
        apply(name=f"报名{i}", village=world.village)
    from selection.selectors import round_vacancies

    rows = {v.name: (v.active, v.quota, v.n_applicants) for v in round_vacancies(user=org, rnd=rnd)}
    assert rows["城东村"] == (1, 2, 3)
    assert rows["城南村"] == (0, 1, 0)
