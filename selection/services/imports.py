"""Bulk imports of a round: applicants and scores from the downloadable templates, all or nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cadres.models import Education, PoliticalStatus
from core.errors import Conflict
from core.imports import cell_text, choice_cell, error_lines
from selection import policies
from selection.models import Application, Round
from selection.services.applications import application_submit
from selection.services.steps import application_score


def error_messages(exc) -> list[str]:
    """A service error as lines a clerk can read, each prefixed with the field's Chinese name."""
    labels = {f.name: str(f.verbose_name) for f in Application._meta.fields}
    labels.update({"written": str(_("笔试成绩")), "interview": str(_("面试成绩")), "number": str(_("报名编号"))})
    return error_lines(exc, labels)


def _run_all_or_nothing(result, handle) -> list:
    """Apply ``handle(row)`` to every row in savepoints; any bad row → everything rolled back."""
    done = []
    with transaction.atomic():
        for number, row in result.rows:
            try:
                with transaction.atomic():
                    done.append(handle(number, row))
            except (ValidationError, Conflict) as exc:
                for message in error_messages(exc):
                    result.error(number, message)
        if not result.rows:
            result.error(2, _("文件中没有数据行。"))
        if result.errors:
            transaction.set_rollback(True)
            return []
    return done


def _yes(value) -> bool | None:
    text = cell_text(value)
    if text in ("", "否", "无", "N", "n", "0", "False", "FALSE"):
        return False
    if text in ("是", "有", "Y", "y", "1", "True", "TRUE"):
        return True
    return None


def _items(value) -> list[str]:
    """Item numbers written as "3,7", "3、7" or "3，7"; "无"/"否"/blank is none."""
    text = cell_text(value).replace("，", ",").replace("、", ",").replace(" ", "")
    return [x for x in text.split(",") if x and x not in ("无", "否")]


def applications_import(*, round: Round, by, result, villages) -> list[Application]:
    """Bulk 个人申请 from the applicant template; ``villages``: the villages ``by`` may enter for.
    A file with any bad row changes nothing (result.errors says why, row by row)."""
    by_name = {(v.township.name, v.name): v for v in villages.select_related("township")}

    def handle(number, row):
        problems = {}
        village = by_name.get((cell_text(row["township"]), cell_text(row["village"])))
        if village is None:
            problems["village"] = _("找不到“%(t)s %(v)s”，或不在您的管辖范围；请按模板填写乡（镇）和村的全称。") % {
                "t": cell_text(row["township"]), "v": cell_text(row["village"])}
        education = choice_cell(problems, row, "education", Education.choices, _("学历须为：%(c)s。"))
        political = choice_cell(problems, row, "political_status", PoliticalStatus.choices, _("政治面貌须为：%(c)s。"),
                                default=PoliticalStatus.MASSES)
        previous = _yes(row["previous_round"])
        if previous is None:
            problems["previous_round"] = _("“上轮后备干部”请填“是”或“否”。")
        items = _items(row["negative_items"])
        if any(x not in policies.NEGATIVE_LIST for x in items):
            problems["negative_list"] = _("“负面清单情形”填写第七条的项号（1至10，多项用逗号隔开），无则填“无”或留空。")
            items = []
        unmet = _items(row.get("unmet_conditions"))
        if any(x not in policies.BASIC_CONDITIONS for x in unmet):
            problems["unmet_conditions"] = _("“基本条件不符合项”填写第五条的项号（1至6，多项用逗号隔开），均符合则留空。")
        elif unmet:  # an unmet basic condition refuses the applicant and names it
            problems["unmet_conditions"] = _("不符合第五条基本条件：%(c)s，不得报名。") % {
                "c": "、".join("“%s”" % policies.BASIC_CONDITIONS[x] for x in unmet)}
        if problems:
            raise ValidationError(problems)
        return application_submit(
            round=round, by=by, village=village, name=cell_text(row["name"]), id_number=cell_text(row["id_number"]),
            education=education, phone=cell_text(row["phone"]), previous_round=previous, political_status=political,
            negative_list={k: (k in items) for k in policies.NEGATIVE_KEYS})

    return _run_all_or_nothing(result, handle)


def scores_import(*, round: Round, by, result, applications) -> list[Application]:
    """Bulk 笔试、面试 scores; ``applications``: the round's applications ``by`` may score.
    Rows are matched by 报名编号 (and the name must agree). Any bad row → nothing changes."""
    apps = {a.pk: a for a in applications.filter(round=round)}

    def handle(number, row):
        raw = cell_text(row["number"])
        app = apps.get(int(raw)) if raw.isdigit() else None
        if app is None:
            raise ValidationError({"number": _("本批次没有报名编号为“%(i)s”的报名，或不在您的管辖范围。请使用下载的成绩模板。") % {
                "i": raw}})
        if cell_text(row["name"]) != app.name:
            raise ValidationError({"name": _("姓名“%(a)s”与报名编号%(i)s登记的“%(b)s”不一致，请核对。") % {
                "a": cell_text(row["name"]), "i": app.pk, "b": app.name}})
        return application_score(application=app, by=by, written=row["written"], interview=row["interview"])

    return _run_all_or_nothing(result, handle)

