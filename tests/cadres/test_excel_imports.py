"""Issue 14 item 3: cadres in post and accounts imported from Excel — preview, all or nothing, the marked
sheet back, scope (R-01 quota, R-03 ID numbers, R-13 ban)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from cadres.imports import COLUMNS as CADRE_COLUMNS
from cadres.models import Cadre, Education
from core.account_imports import COLUMNS as ACCOUNT_COLUMNS
from core.models import ImportBatch, RoleAssignment, User
from core.roles import Role
from tests.factories import CadreFactory, VillageFactory, client_for, id_number_for

pytestmark = pytest.mark.django_db

CADRES = "/cadres/import/"
ACCOUNTS = "/org/accounts/import/"


def sheet(columns, rows, name="导入.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(list(columns.values()))
    for row in rows:
        ws.append([row.get(k, "") for k in columns])
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def cadre_row(village, **kw):
    row = {"township": village.township.name, "village": village.name, "name": "王小明", "id_number": id_number_for(),
           "phone": "13800000001", "education": "本科", "political_status": "中共党员", "post": "村党组织书记助理",
           "appointed_on": "2022-06-01", "is_serving_village_cadre": "否", "previous_round": "否"}
    row.update(kw)
    return row


def preview(c, url, upload):
    return c.post(url, {"file": upload})


def confirm(c, url, response):
    batch = response.context["batch"]
    return c.post(url, {"batch": batch.pk, "sha256": batch.sha256})


@pytest.fixture
def villages(world):
    """Fifty more villages of 龙津镇 with two reserve places each: room for 100 cadres."""
    return [VillageFactory(township=world.township, name=f"测试{i}村", code=f"350423100{300 + i}", quota=2)
            for i in range(50)]


def test_county_imports_100_cadres_and_200_users(world, org, villages):
    c = client_for(org)
    cadre_rows = [cadre_row(v, name=f"干部{i}{j}") for i, v in enumerate(villages) for j in range(2)]
    r = preview(c, CADRES, sheet(CADRE_COLUMNS, cadre_rows))
    assert r.status_code == 200
    assert "导入预览" in r.text and "新登记后备干部：100" in r.text and "尚未导入" in r.text
    assert Cadre.objects.count() == 2  # the dry run changed nothing
    r = confirm(c, CADRES, r)
    assert r.status_code == 200 and "导入成功" in r.text
    assert Cadre.objects.filter(village__in=villages, status="active").count() == 100
    account_rows = [{"username": f"sec_{i}", "full_name": f"书记{i}", "phone": "13900000000",
                     "role": "村党组织书记", "township": "龙津镇", "village": v.name} for i, v in enumerate(villages)]
    account_rows += [{"username": f"lia_{i}", "full_name": f"领导{i}", "phone": "13900000000",
                      "role": "乡镇包村领导", "township": "龙津镇", "village": v.name} for i, v in enumerate(villages)]
    account_rows += [{"username": f"other_{i}", "full_name": f"干部{i}", "role": "县财政局"} for i in range(99)]
    account_rows += [{"username": "party_x", "full_name": "党委", "role": "乡（镇）党委", "township": "嵩溪镇"}]
    r = preview(c, ACCOUNTS, sheet(ACCOUNT_COLUMNS, account_rows))
    assert r.status_code == 200 and "新建账号：200" in r.text
    assert not User.objects.filter(username="sec_0").exists()
    r = confirm(c, ACCOUNTS, r)
    assert r.status_code == 200 and "初始密码只显示这一次" in r.text
    secrets = {row[0]: row[3] for row in r.context["outcome"].secrets}
    assert len(secrets) == 200
    user = User.objects.get(username="sec_7")
    assert user.password.startswith("pbkdf2_issued$")  # a generated first password: the light hasher
    assert user.must_change_password and user.check_password(secrets["sec_7"])
    assert RoleAssignment.objects.get(user=user).village == villages[7]
    assert RoleAssignment.objects.get(user__username="party_x").township == world.other_township
    # the result sheet holds the passwords, and the import is on record: who, what, how many
    wb = load_workbook(io.BytesIO(r.context["outcome"].result_file))
    assert [c.value for c in wb.active[1]] == ["用户名", "姓名", "角色和单位", "初始密码"]
    batches = ImportBatch.objects.filter(committed_at__isnull=False, created_by=org)
    assert sorted(b.summary.get("新建账号", b.summary.get("新登记后备干部")) for b in batches) == [100, 200]
    assert all(b.content in (b"", memoryview(b"")) or bytes(b.content) == b"" for b in batches)


def test_one_bad_row_imports_nothing_and_marks_the_row(world, org, villages):
    banned = CadreFactory(village=world.village2, status="disqualified", disqualified_on=dt.date(2024, 3, 1),
                          banned_until=dt.date(2029, 3, 1))
    rows = [cadre_row(villages[0]), cadre_row(villages[1], id_number="350423199001011235"),
            cadre_row(villages[2], id_number=banned.id_number)]
    r = preview(client_for(org), CADRES, sheet(CADRE_COLUMNS, rows))
    assert r.status_code == 400
    assert "整份文件未导入" in r.text and "第 3 行" in r.text and "第 4 行" in r.text
    assert "前不得再任后备干部" in r.text
    assert not Cadre.objects.filter(village__in=villages).exists()
    wb = load_workbook(io.BytesIO(r.context["error_file_b64"] and __import__("base64").b64decode(
        r.context["error_file_b64"])))
    ws = wb.active
    assert ws.cell(1, 13).value == "错误说明"
    assert ws.cell(2, 13).value is None and ws.cell(2, 1).fill.fgColor.rgb != "00FFC7CE"
    assert "身份证号" in ws.cell(3, 13).value and ws.cell(3, 1).fill.fgColor.rgb == "00FFC7CE"
    assert "身份证号" in ws.cell(3, 1).comment.text
    assert "取消资格" in ws.cell(4, 13).value


def test_duplicates_quota_and_existing_cadre(world, org):
    twice = id_number_for()
    rows = [cadre_row(world.village2, id_number=twice), cadre_row(world.village2, id_number=twice),
            cadre_row(world.village2), cadre_row(world.other_village, id_number=world.cadre.id_number)]
    r = preview(client_for(org), CADRES, sheet(CADRE_COLUMNS, rows))
    errors = dict(r.context["error_rows"])
    assert "与第 2 行的身份证号重复" in "".join(errors[3])
    assert "储备名额为 1 名" in "".join(errors[4])
    assert "不能重复登记" in "".join(errors[5]) or "储备名额" in "".join(errors[5])
    assert Cadre.objects.count() == 2


def test_township_cannot_import_into_another_township(world, party):
    rows = [cadre_row(world.village2), cadre_row(world.other_village)]
    r = preview(client_for(party), CADRES, sheet(CADRE_COLUMNS, rows))
    assert r.status_code == 400
    assert "不在您的管辖范围" in "".join(dict(r.context["error_rows"])[3])
    assert Cadre.objects.count() == 2
    accounts = [{"username": "sec_b", "full_name": "乙", "role": "村党组织书记", "township": "嵩溪镇", "village": "嵩溪村"},
                {"username": "fin", "full_name": "丙", "role": "县财政局"}]
    r = preview(client_for(party), ACCOUNTS, sheet(ACCOUNT_COLUMNS, accounts))
    errors = dict(r.context["error_rows"])
    assert "不在您的管辖范围" in "".join(errors[2]) and "无权" in "".join(errors[3])
    assert not User.objects.filter(username__in=["sec_b", "fin"]).exists()
    # in its own villages it may: a liaison of both villages in one row
    ok = [{"username": "lia_a", "full_name": "丁", "role": "乡镇包村领导", "township": "龙津镇", "village": "城东村、城南村"}]
    c = client_for(party)
    r = confirm(c, ACCOUNTS, preview(c, ACCOUNTS, sheet(ACCOUNT_COLUMNS, ok)))
    assert r.status_code == 200
    assert set(RoleAssignment.objects.filter(user__username="lia_a").values_list("village__name", flat=True)) == {
        "城东村", "城南村"}


def test_others_are_refused(world):
    for key in (Role.VILLAGE_SECRETARY, Role.COUNTY_FINANCE, Role.CADRE):
        c = client_for(world.users[key])
        assert c.get(CADRES).status_code == 403
        assert c.get(ACCOUNTS).status_code == 403


def test_bad_file_type_and_empty_sheet(world, org):
    c = client_for(org)
    r = c.post(CADRES, {"file": SimpleUploadedFile("名单.csv", b"a,b\n")})
    assert r.status_code == 400 and "只能导入 .xlsx" in r.text
    r = c.post(CADRES, {"file": sheet(CADRE_COLUMNS, [])})
    assert r.status_code == 400 and "没有数据行" in r.text
    r = c.post(CADRES, {"file": SimpleUploadedFile("坏.xlsx", b"not a zip")})
    assert r.status_code == 400 and "无法读取此文件" in r.text
    assert not ImportBatch.objects.exists()


def test_stale_or_changed_preview_cannot_commit(world, org, villages):
    c = client_for(org)
    r1 = preview(c, CADRES, sheet(CADRE_COLUMNS, [cadre_row(villages[0])]))
    batch = r1.context["batch"]
    r = c.post(CADRES, {"batch": batch.pk, "sha256": "0" * 64})
    assert r.status_code == 400 and "预览已过期" in r.text
    assert other_user_cannot(world, batch)
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=batch.created_at - dt.timedelta(hours=1))
    r = confirm(c, CADRES, r1)
    assert r.status_code == 400 and "预览已过期" in r.text
    assert not Cadre.objects.filter(village__in=villages).exists()
    # committed once only
    r2 = preview(c, CADRES, sheet(CADRE_COLUMNS, [cadre_row(villages[0])]))
    assert confirm(c, CADRES, r2).status_code == 200
    r = confirm(c, CADRES, r2)
    assert r.status_code == 400 and "已经导入过了" in r.text
    assert Cadre.objects.filter(village__in=villages).count() == 1


def other_user_cannot(world, batch):
    c = client_for(world.users["township_party_b"])
    r = c.post(CADRES, {"batch": batch.pk, "sha256": batch.sha256})
    return r.status_code == 400 and not Cadre.objects.filter(name="王小明").exists()


def test_template_downloads(world, org):
    c = client_for(org)
    wb = load_workbook(io.BytesIO(c.get("/cadres/import/template.xlsx").content))
    assert [x.value for x in wb.active[1]] == list(CADRE_COLUMNS.values())
    lists = {str(dv.sqref): dv.formula1 for dv in wb.active.data_validations.dataValidation}
    assert lists["G2:G1001"] == '"%s"' % ",".join(str(label) for _v, label in Education.choices)
    assert lists["K2:L1001"] == '"是,否"'
    assert wb["填写说明"]["A1"].value == "在岗后备干部导入模板填写说明"
    wb = load_workbook(io.BytesIO(c.get("/org/accounts/import/template.xlsx").content))
    assert [x.value for x in wb.active[1]] == list(ACCOUNT_COLUMNS.values())
    assert [str(dv.sqref) for dv in wb.active.data_validations.dataValidation] == ["D2:D1001"]
    assert wb["填写说明"]["A1"].value == "账号导入模板填写说明"
    assert "从Excel导入" in c.get("/cadres/").text and "从Excel导入账号" in c.get("/org/accounts/").text
