"""Excel and PDF of a round: the ranking, the 公示 list, and the import templates (over selector output)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from cadres.models import Education, PoliticalStatus
from core import excel
from core.pdf import render_pdf
from core.personal import shown
from selection import policies
from selection.models import Application

APPLICANT_COLUMNS = {
    "township": "乡（镇）", "village": "村（社区）", "name": "姓名", "id_number": "身份证号", "phone": "手机号",
    "education": "学历", "political_status": "政治面貌", "previous_round": "上轮后备干部",
    "negative_items": "负面清单情形", "unmet_conditions": "基本条件不符合项",
}
#: columns a template downloaded before they were added may lack
APPLICANT_OPTIONAL = frozenset({"unmet_conditions"})
SCORE_COLUMNS = {"number": "报名编号", "name": "姓名", "written": "笔试成绩", "interview": "面试成绩"}
PUBLICITY_STATUSES = (Application.Status.CO_REVIEWED, Application.Status.APPOINTED)


def ranking_rows(applications):
    """R-15: scored applicants not refused, per village in rank order."""
    return list(applications.filter(composite_score__isnull=False).exclude(status=Application.Status.REJECTED)
                .order_by("village__township__code", "village__code", "rank", "pk"))


def publicity_rows(applications):
    return list(applications.filter(status__in=PUBLICITY_STATUSES)
                .order_by("village__township__code", "village__code", "rank", "pk"))


def ranking_xlsx(rnd, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("综合成绩排名")
    headers = [_("乡（镇）"), _("村（社区）"), _("本村排名"), _("姓名"), _("性别"), _("学历"), _("上轮后备干部"),
               _("笔试成绩"), _("面试成绩"), _("倾斜加分"), _("综合成绩"), _("状态")]
    excel.write_title(ws, _("%(t)s 综合成绩排名") % {"t": rnd.title}, len(headers))
    excel.write_cell(ws, 2, 1, _("综合成绩 = 笔试 × %(w)s + 面试 × %(r)s + 倾斜加分（大专以上 %(c)s 分，上轮后备干部 %(p)s 分）") % {
        "w": rnd.written_weight, "r": 1 - rnd.written_weight, "c": rnd.college_bonus, "p": rnd.previous_round_bonus})
    excel.write_header(ws, headers, row=3)
    for i, a in enumerate(rows, start=4):
        excel.write_row(ws, i, [a.village.township.name, a.village.name, a.rank, a.name, a.get_gender_display(),
                                a.get_education_display(), _("是") if a.previous_round else _("否"),
                                a.written_score, a.interview_score, a.bonus, a.composite_score,
                                a.get_status_display()], money_cols={8, 9, 10, 11})
    return excel.workbook_bytes(wb)


def publicity_xlsx(rnd, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("公示名单")
    headers = [_("序号"), _("乡（镇）"), _("村（社区）"), _("姓名"), _("性别"), _("出生年月"), _("学历"), _("政治面貌"),
               _("综合成绩")]
    excel.write_title(ws, _("%(t)s 拟确定村级后备干部人选公示名单") % {"t": rnd.title}, len(headers))
    excel.write_header(ws, headers, row=2)
    for i, a in enumerate(rows, start=1):
        excel.write_row(ws, i + 2, [i, a.village.township.name, a.village.name, a.name, a.get_gender_display(),
                                    a.birth_date.strftime("%Y.%m"), a.get_education_display(),
                                    a.get_political_status_display(), a.composite_score], money_cols={9})
    return excel.workbook_bytes(wb)


def ranking_pdf(rnd, rows) -> bytes:
    return render_pdf("pdf/selection_ranking.html", {"round": rnd, "rows": rows,
                                                      "interview_weight": 1 - rnd.written_weight})


def publicity_pdf(rnd, rows) -> bytes:
    return render_pdf("pdf/selection_publicity.html", {"round": rnd, "rows": rows})


def _instructions(wb, lines):
    ws = wb.create_sheet(_("填写说明"))
    ws.column_dimensions["A"].width = 110
    for i, line in enumerate(lines, start=1):
        cell = excel.write_cell(ws, i, 1, line)
        cell.alignment = Alignment(wrap_text=True)
        if i == 1:
            cell.font = Font(bold=True, size=13)


def applicant_template(rnd) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("报名人员")
    excel.write_header(ws, list(APPLICANT_COLUMNS.values()), widths=[14, 14, 10, 22, 15, 12, 14, 12, 16, 16])
    for row in range(2, 502):  # ID numbers and phones as text, so Excel keeps all 18 digits
        for col in (4, 5):
            ws.cell(row=row, column=col).number_format = "@"
    edu = DataValidation(type="list", formula1='"%s"' % ",".join(str(label) for _v, label in Education.choices))
    pol = DataValidation(type="list", formula1='"%s"' % ",".join(str(label) for _v, label in PoliticalStatus.choices))
    yes = DataValidation(type="list", formula1='"是,否"')
    for dv, col in ((edu, "F"), (pol, "G"), (yes, "H")):
        dv.add(f"{col}2:{col}1000")
        ws.add_data_validation(dv)
    lines = [_("%(t)s — 报名人员导入模板填写说明") % {"t": rnd.title},
             _("1. 每行一人，每人只能报一个村；乡（镇）和村（社区）填全称，如“嵩溪镇”“嵩溪村”。"),
             _("2. 身份证号填18位，最后一位可以是X；系统会核对5年内是否被取消过后备干部资格（第十一条）。"),
             _("3. 学历填：%(e)s；政治面貌填：%(p)s（可留空，默认群众）。") % {
                 "e": "、".join(str(label) for _v, label in Education.choices),
                 "p": "、".join(str(label) for _v, label in PoliticalStatus.choices)},
             _("4. 上轮后备干部填“是”或“否”。"),
             _("5. 负面清单情形：本人逐项声明第七条十种情形，无则填“无”或留空；有则填项号（如 3,7）——有任何一项不得报名。"),
             _("6. 基本条件不符合项：第五条六项基本条件（见下），经核实均符合的留空；有不符合的填项号（如 3）"
               "——有任何一项不符合不得报名。"),
             _("7. 文件中任何一行有错，整份文件都不会导入；系统会退回本表，标红出错的行并写明原因，改好后重新导入即可。"),
             "", _("第五条 村级后备干部资格条件：")]
    lines += [f"（{k}）{t}" for k, t in policies.BASIC_CONDITIONS.items()]
    lines += ["", _("第七条 有下列情形之一的，不得作村级后备干部：")]
    lines += [f"（{k}）{t}" for k, t in policies.NEGATIVE_LIST.items()]
    _instructions(wb, lines)
    return excel.workbook_bytes(wb)


def score_rows(rnd, applications):
    """The round's applicants waiting for scores, in the order the score template lists them."""
    return applications.filter(round=rnd, status=Application.Status.REVIEWED).order_by(
        "village__township__code", "village__code", "pk")


def score_template(rnd, applications, *, full_id: bool) -> bytes:
    """The round's applicants waiting for scores, one row each, ready to fill in."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("成绩录入")
    headers = list(SCORE_COLUMNS.values()) + [_("乡（镇）"), _("村（社区）"), _("身份证号")]
    excel.write_header(ws, headers, widths=[10, 10, 12, 12, 14, 14, 22])
    for i, a in enumerate(score_rows(rnd, applications), start=2):
        excel.write_row(ws, i, [a.pk, a.name, None, None, a.village.township.name, a.village.name,
                                shown(a.id_number, "id_number", full=full_id)])
    _instructions(wb, [
        _("%(t)s — 笔试、面试成绩导入模板填写说明") % {"t": rnd.title},
        _("1. 表中已列出初审通过、待录入成绩的人员，请勿修改“报名编号”和“姓名”。"),
        _("2. 笔试成绩、面试成绩填0至100之间的数字，最多两位小数。"),
        _("3. 综合成绩 = 笔试 × %(w)s + 面试 × %(r)s + 倾斜加分，由系统计算并按村排名。") % {
            "w": rnd.written_weight, "r": 1 - rnd.written_weight},
        _("4. 文件中任何一行有错，整份文件都不会导入；系统会退回本表，标红出错的行并写明原因。"),
    ])
    return excel.workbook_bytes(wb)
