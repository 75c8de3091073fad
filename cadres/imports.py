"""Issue 14 item 3: cadres already in post (the 2022 round) loaded from Excel, all or nothing, through
``cadres.services.cadre_create`` — the same checks as the 登记 form: 身份证号 (R-03), one active record per
person, the five-year ban (R-13), the manager's villages (county_org: the county, township_party: its
villages) — plus the sheet's own duplicates and each village's reserve quota (R-01)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cadres.models import Cadre, Education, PoliticalStatus, Post
from cadres.permissions import manageable_villages_q
from cadres.services import cadre_create
from core import excel, idcard
from core.imports import ImportOutcome, cell_text, choice_cell, each_row
from core.models import Village
from core.scope import get_scope
from core.selectors import village_list

COLUMNS = {
    "township": "乡（镇）", "village": "村（社区）", "village_code": "村代码", "name": "姓名", "id_number": "身份证号",
    "phone": "手机号", "education": "学历", "political_status": "政治面貌", "post": "岗位", "appointed_on": "聘任日期",
    "is_serving_village_cadre": "在职村干部", "previous_round": "上轮后备干部",
}
#: 村代码 may be left out: the village is then found by 乡（镇） and 村（社区）
OPTIONAL = frozenset({"village_code"})
WIDTHS = [12, 14, 16, 10, 22, 14, 12, 14, 18, 13, 11, 13]
YES = ("是", "Y", "y", "1", "True", "TRUE")
NO = ("", "否", "N", "n", "0", "False", "FALSE")


def manageable_villages(by):
    return village_list(user=by).filter(manageable_villages_q(get_scope(by)))


def template(by) -> bytes:
    """The template: Chinese headers, one example row, lists for the choices, instructions on a second sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("在岗后备干部")
    excel.write_header(ws, list(COLUMNS.values()), widths=WIDTHS)
    for row in range(2, 1002):  # codes, ID numbers and phones as text, so Excel keeps every digit
        for col in (3, 5, 6):
            ws.cell(row=row, column=col).number_format = "@"
    example = manageable_villages(by).order_by("township__code", "code").first()
    excel.write_row(ws, 2, [example.township.name if example else "龙津镇", example.name if example else "城东村",
                            example.code if example else "", "张三", "350423199001011234", "13800000000",
                            str(Education.BACHELOR.label), str(PoliticalStatus.PARTY_MEMBER.label),
                            str(Post.SECRETARY_ASSISTANT.label), "2022-06-01", _("否"), _("否")])
    for choices, col in ((Education, "G"), (PoliticalStatus, "H"), (Post, "I")):
        excel.pick_list(ws, choices.labels, f"{col}2:{col}1001")
    excel.pick_list(ws, ["是", "否"], "K2:L1001")
    excel.notes_sheet(wb, [
        _("在岗后备干部导入模板填写说明"),
        _("1. 每行一名已在岗的村级后备干部；第2行是示例，导入前请删除或改成真实数据。"),
        _("2. 村：填乡（镇）和村（社区）的全称，或只填12位村代码（填了村代码以村代码为准）。乡（镇）党委只能导入本乡（镇）的村。"),
        _("3. 身份证号填18位（最后一位可以是X），性别和出生日期由身份证号得出；已在岗的人、5年内被取消资格的人不能导入。"),
        _("4. 学历填：%(e)s；政治面貌填：%(p)s（留空为群众）；岗位填：%(o)s（留空为村党组织书记助理）。") % {
            "e": "、".join(str(label) for _v, label in Education.choices),
            "p": "、".join(str(label) for _v, label in PoliticalStatus.choices),
            "o": "、".join(str(label) for _v, label in Post.choices)},
        _("5. 聘任日期（入库日期）写成 2022-06-01；在职村干部、上轮后备干部填“是”或“否”（留空为否）。"),
        _("6. 每村在岗人数不能超过该村的储备名额；需要增加名额的，请县委组织部先在组织机构中调整。"),
        _("7. 文件中任何一行有错，整份文件都不会导入；系统会退回本表，标红出错的行并写明原因。"),
    ])
    return excel.workbook_bytes(wb)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        y, m, d = (int(x) for x in text.split("-"))
        return dt.date(y, m, d)
    except (TypeError, ValueError):
        return None


def _yes(value) -> bool | None:
    text = cell_text(value)
    return True if text in YES else False if text in NO else None


def cadres_import(*, by, result) -> ImportOutcome:
    """Create every row of ``result`` as an active cadre; a bad row is noted in ``result.errors`` (the caller
    rolls everything back then). Villages are locked (R-01: two imports cannot both fill the last place)."""
    villages = list(manageable_villages(by).select_related("township"))
    by_name = {(v.township.name, v.name): v for v in villages}
    by_code = {v.code: v for v in villages}
    labels = {f.name: str(f.verbose_name) for f in Cadre._meta.fields}
    wanted = {v.pk for v in villages}
    list(Village.objects.select_for_update().filter(pk__in=wanted).order_by("pk").values_list("pk", flat=True))
    active = dict(Cadre.objects.filter(village_id__in=wanted, status=Cadre.Status.ACTIVE)
                  .values_list("village_id").annotate(n=Count("pk")).values_list("village_id", "n"))
    seen: dict[str, int] = {}
    outcome = ImportOutcome(headers=[_("行"), _("乡（镇）"), _("村（社区）"), _("姓名"), _("身份证号"), _("学历"),
                                     _("岗位"), _("聘任日期")])
    per_village: dict[int, int] = {}

    def handle(number, row):
        problems = {}
        code, town, name = cell_text(row.get("village_code")), cell_text(row["township"]), cell_text(row["village"])
        village = by_code.get(code) if code else by_name.get((town, name))
        if village is None:
            problems["village"] = (_("找不到村代码“%(c)s”，或该村不在您的管辖范围。") % {"c": code} if code else
                                   _("找不到“%(t)s %(v)s”，或不在您的管辖范围；请填乡（镇）和村（社区）的全称，或填村代码。")
                                   % {"t": town, "v": name})
        id_number = idcard.normalize(cell_text(row["id_number"]))
        if id_number in seen:
            problems["id_number"] = _("与第 %(r)s 行的身份证号重复，同一人只能登记一次。") % {"r": seen[id_number]}
        elif id_number:
            seen[id_number] = number
        education = choice_cell(problems, row, "education", Education.choices, _("请填写：%(c)s。"))
        political = choice_cell(problems, row, "political_status", PoliticalStatus.choices, _("请填写：%(c)s。"),
                                default=PoliticalStatus.MASSES)
        post = choice_cell(problems, row, "post", Post.choices, _("请填写：%(c)s。"), default=Post.SECRETARY_ASSISTANT)
        appointed = _date(row["appointed_on"])
        if appointed is None:
            problems["appointed_on"] = _("请填写日期，如 2022-06-01。")
        serving, previous = _yes(row["is_serving_village_cadre"]), _yes(row["previous_round"])
        if serving is None:
            problems["is_serving_village_cadre"] = _("请填“是”或“否”。")
        if previous is None:
            problems["previous_round"] = _("请填“是”或“否”。")
        if village is not None:  # not more active cadres than the village's reserve places
            held = active.get(village.pk, 0) + per_village.get(village.pk, 0)
            if held >= village.quota:
                problems.setdefault("village", _(
                    "%(v)s储备名额为 %(q)s 名，已有在岗后备干部 %(a)s 名（含本表前面的行），本行超出名额；"
                    "确需增加的，请县委组织部先调整该村名额。") % {"v": village, "q": village.quota, "a": held})
        if problems:
            raise ValidationError(problems)
        cadre = cadre_create(by=by, name=cell_text(row["name"]), id_number=id_number, phone=cell_text(row["phone"]),
                             education=education, political_status=political, village=village, post=post,
                             appointed_on=appointed, is_serving_village_cadre=serving, previous_round=previous)
        per_village[village.pk] = per_village.get(village.pk, 0) + 1
        outcome.rows.append([number, village.township.name, village.name, cadre.name,
                             idcard.mask_id_number(cadre.id_number), cadre.get_education_display(),
                             cadre.get_post_display(), cadre.appointed_on])
        return cadre

    labels["village"] = _("村")
    done = each_row(result, handle, labels)
    outcome.counts = [(_("新登记后备干部"), len(done)), (_("涉及村"), len(per_village))]
    serving = sum(1 for c in done if c.is_serving_village_cadre)
    if serving:
        outcome.warnings.append(_("其中 %(n)s 人标为在职村干部，不发放后备干部报酬。") % {"n": serving})
    full = [v for v in villages if v.pk in per_village and active.get(v.pk, 0) + per_village[v.pk] >= v.quota]
    if done and len(full) < len(per_village):
        outcome.warnings.append(_("导入后仍有 %(n)s 个村未满储备名额。") % {"n": len(per_village) - len(full)})
    return outcome
