"""R-16: at 初审 the township confirms each basic condition of 第五条 with a note; an unmet one rejects the
application and the refusal names it (web, API and the applicant import)."""

from io import BytesIO

from openpyxl import load_workbook

from selection import exports, policies
from selection.models import Application
from tests.factories import client_for
from tests.selection.test_web import APPLICANT_HEADERS, applicant_row, xlsx


def _form(**overrides):
    data = {f"condition_{k}": "1" for k in policies.CONDITION_KEYS}
    data.update(overrides)
    return data


def test_review_form_asks_each_condition_and_an_unmet_one_rejects_naming_it(party, apply):
    app = apply(name="林一")
    c = client_for(party)
    page = c.get(f"/selection/applications/{app.pk}/review/").content.decode()
    for text in policies.BASIC_CONDITIONS.values():
        assert str(text) in page
    # nothing confirmed: every condition asks to be answered, nothing changes
    r = c.post(f"/selection/applications/{app.pk}/review/", {"passed": "1"})
    assert r.status_code == 200 and r.content.decode().count("请核实此项：符合或不符合。") == 6
    assert Application.objects.get(pk=app.pk).status == "submitted"
    # 不符合 without saying what was found
    r = c.post(f"/selection/applications/{app.pk}/review/", _form(condition_3="0", passed="0"))
    assert "“身心健康”核实为不符合，请写明核实情况。" in r.content.decode()
    assert Application.objects.get(pk=app.pk).status == "submitted"
    # 不符合 cannot pass
    r = c.post(f"/selection/applications/{app.pk}/review/",
               _form(condition_3="0", condition_3_note="长期病休，无法正常履职", passed="1"))
    assert r.status_code == 200 and "不符合第五条基本条件：“身心健康”（长期病休，无法正常履职）" in r.content.decode()
    assert Application.objects.get(pk=app.pk).status == "submitted"
    # 不符合 rejects and names it, without another comment
    r = c.post(f"/selection/applications/{app.pk}/review/",
               _form(condition_3="0", condition_3_note="长期病休，无法正常履职", passed="0"))
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "rejected"
    assert "身心健康" in app.rejection_reason and "长期病休" in app.rejection_reason
    assert app.basic_conditions["3"] == {"met": False, "note": "长期病休，无法正常履职"}
    assert app.basic_conditions["1"] == {"met": True, "note": ""}
    detail = c.get(f"/selection/applications/{app.pk}/").content.decode()
    assert "基本条件核实（第五条）" in detail and "长期病休，无法正常履职" in detail and "不符合" in detail


def test_all_conditions_met_passes_and_the_page_shows_them(party, apply):
    app = apply(name="林二")
    c = client_for(party)
    r = c.post(f"/selection/applications/{app.pk}/review/", _form(condition_6_note="返乡创业，有志于村务", passed="1"))
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "reviewed" and all(v["met"] for v in app.basic_conditions.values())
    assert app.basic_conditions["6"]["note"] == "返乡创业，有志于村务"
    assert "返乡创业，有志于村务" in c.get(f"/selection/applications/{app.pk}/").content.decode()


def test_api_conditions_unmet_rejects_and_are_returned(api, party, apply):
    app = apply(name="林三")
    url = f"/api/v1/applications/{app.pk}/review/"
    conditions = {k: {"met": True, "note": ""} for k in policies.CONDITION_KEYS}
    conditions["2"] = {"met": False, "note": "2025年因赌博受治安处罚"}
    r = api(party).post(url, {"passed": True, "conditions": conditions}, format="json")
    assert r.status_code == 400 and "遵纪守法" in r.json()["passed"][0]
    assert Application.objects.get(pk=app.pk).status == "submitted"
    r = api(party).post(url, {"passed": False, "conditions": conditions}, format="json")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "rejected" and "遵纪守法" in body["rejection_reason"]
    assert body["basic_conditions"]["2"] == {"met": False, "note": "2025年因赌博受治安处罚"}


def test_api_bad_conditions_are_400_and_change_nothing(api, party, apply):
    app = apply(name="林四")
    url = f"/api/v1/applications/{app.pk}/review/"
    some = {"1": {"met": True}}
    r = api(party).post(url, {"passed": True, "conditions": some}, format="json")
    assert r.status_code == 400 and "第2、3、4、5、6项未核实" in r.json()["conditions"][0]
    bad = {k: {"met": True} for k in policies.CONDITION_KEYS} | {"7": {"met": True}}
    r = api(party).post(url, {"passed": True, "conditions": bad}, format="json")
    assert r.status_code == 400 and "不认识：7" in r.json()["conditions"][0]
    r = api(party).post(url, {"passed": True, "conditions": {k: {"met": "yes"} for k in policies.CONDITION_KEYS}},
                        format="json")
    assert r.status_code == 400 and "符合" in r.json()["conditions"][0]
    r = api(party).post(url, {"passed": False, "conditions": {k: {"met": False} for k in policies.CONDITION_KEYS}},
                        format="json")
    assert r.status_code == 400 and "请写明核实情况" in r.json()["conditions"][0]
    assert Application.objects.get(pk=app.pk).status == "submitted"


def test_api_pass_without_conditions_records_all_six_confirmed(api, party, apply):
    # the contract's body {passed, comment} keeps working: passing confirms the six conditions
    app = apply(name="林五")
    r = api(party).post(f"/api/v1/applications/{app.pk}/review/", {"passed": True, "comment": "符合"}, format="json")
    assert r.status_code == 200
    assert r.json()["basic_conditions"] == {k: {"met": True, "note": ""} for k in policies.CONDITION_KEYS}


def test_import_row_with_an_unmet_condition_is_refused_naming_it(world, rnd, org):
    rows = [applicant_row(world, "甲"), applicant_row(world, "乙", unmet_conditions="3"),
            applicant_row(world, "丙", unmet_conditions="9")]
    r = client_for(org).post(f"/selection/{rnd.pk}/import/applicants/", {"file": xlsx(APPLICANT_HEADERS, rows)})
    assert r.status_code == 400 and Application.objects.count() == 0
    ws = load_workbook(BytesIO(r.context["error_file"])).active
    last = ws.max_column
    assert ws.cell(row=2, column=last).value is None
    assert "不符合第五条基本条件：“身心健康”" in ws.cell(row=3, column=last).value
    assert "1至6" in ws.cell(row=4, column=last).value


def test_import_template_explains_the_conditions_and_an_old_template_still_imports(world, rnd, org):
    c = client_for(org)
    wb = load_workbook(BytesIO(c.get(f"/selection/{rnd.pk}/template/applicants.xlsx").content))
    assert "基本条件不符合项" in [cell.value for cell in wb.worksheets[0][1]]
    notes = "\n".join(str(cell.value) for row in wb.worksheets[1].iter_rows() for cell in row if cell.value)
    assert "第五条 村级后备干部资格条件" in notes and "有志于清流农村事业发展" in notes
    # a sheet from the template as it was before the column existed
    old_headers = [t for k, t in exports.APPLICANT_COLUMNS.items() if k != "unmet_conditions"]
    r = c.post(f"/selection/{rnd.pk}/import/applicants/",
               {"file": xlsx(old_headers, [applicant_row(world, "甲")[:-1]])})
    assert r.status_code == 302 and Application.objects.get().name == "甲"
