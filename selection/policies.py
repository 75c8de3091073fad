"""Pure rules of selection (R-12…R-15): the negative list, the ban date, bonuses and the composite score."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.models import Education

TWO = Decimal("0.01")

#: 第七条 (1)–(10): 有下列情形之一的，不得作村级后备干部 (R-12). Keys are the item numbers as strings,
#: as in the API's ``negative_list`` object.
NEGATIVE_LIST = {
    "1": gettext_lazy("违反法律法规，曾受过刑事处罚或劳动教养的"),
    "2": gettext_lazy("违反党规党纪和法律法规，正在被审查调查（侦查）的"),
    "3": gettext_lazy("受到开除党籍处分的，受到党纪政务处分影响期未满的"),
    "4": gettext_lazy("受撤职及以上政务处分的"),
    "5": gettext_lazy("近3年内被评议为不合格党员且被劝退、除名的，或者仍在限期改正的"),
    "6": gettext_lazy("参与邪教、非法宗教组织及其活动，非法组织参与集体上访，影响社会稳定的"),
    "7": gettext_lazy("涉及“村霸”、涉黑涉恶的，或者利用宗族房头势力甚至黑恶势力等干预村务的"),
    "8": gettext_lazy("在换届中存在拉票贿选等违反换届纪律行为，利用各种方式操纵、干扰、破坏选举工作的"),
    "9": gettext_lazy("政治素质和道德品质差，多数党员、群众不认可的"),
    "10": gettext_lazy("党内法规和法律法规规定的其他不宜情形的"),
}
NEGATIVE_KEYS = list(NEGATIVE_LIST)

#: R-14: 第六条 “向大专以上学历……适当倾斜”
COLLEGE_AND_ABOVE = frozenset({Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE})
#: R-14: below 高中/中专 needs an explicit exception reason at preliminary review
BELOW_STANDARD = frozenset({Education.BELOW_HIGH_SCHOOL})


def q2(value) -> Decimal:
    """Money-style quantisation for scores: Decimal, two places, half up."""
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def normalize_negative_list(value) -> dict[str, bool]:
    """Every one of the ten items answered, as booleans; ValueError names what is wrong."""
    if not isinstance(value, dict):
        raise ValueError(_("负面清单须逐项声明第七条的十种情形（1至10，是/否）。"))
    unknown = [k for k in value if str(k) not in NEGATIVE_LIST]
    if unknown:
        raise ValueError(_("负面清单只有第1至10项，不认识：%(k)s。") % {"k": "、".join(map(str, unknown))})
    out = {}
    missing = []
    for key in NEGATIVE_KEYS:
        raw = value.get(key, value.get(int(key)))
        if raw is None:
            missing.append(key)
        elif not isinstance(raw, bool):
            raise ValueError(_("负面清单第%(k)s项须为“是”或“否”。") % {"k": key})
        else:
            out[key] = raw
    if missing:
        raise ValueError(_("负面清单第%(k)s项未声明，请逐项勾选“是”或“否”。") % {"k": "、".join(missing)})
    return out


#: 第五条: the basic qualifications the township confirms one by one at 初审 (R-16). Keys are numbers as
#: strings, as in the API's ``conditions`` object.
BASIC_CONDITIONS = {
    "1": gettext_lazy("拥护中国共产党领导，贯彻执行党的基本路线和各项方针政策"),
    "2": gettext_lazy("遵纪守法"),
    "3": gettext_lazy("身心健康"),
    "4": gettext_lazy("思想上进"),
    "5": gettext_lazy("有群众观念"),
    "6": gettext_lazy("有志于清流农村事业发展"),
}
CONDITION_KEYS = list(BASIC_CONDITIONS)


def normalize_conditions(value, *, note_limit: int) -> dict[str, dict]:
    """R-16: every condition of 第五条 answered as ``{"met": bool, "note": str}``; an unmet one needs a note
    saying what was found. ValueError names what is wrong."""
    if not isinstance(value, dict):
        raise ValueError(_("请逐项核实第五条的六项基本条件（1至6，符合或不符合）。"))
    unknown = [str(k) for k in value if str(k) not in BASIC_CONDITIONS]
    if unknown:
        raise ValueError(_("第五条基本条件只有第1至6项，不认识：%(k)s。") % {"k": "、".join(unknown)})
    out, missing = {}, []
    for key in CONDITION_KEYS:
        raw = value.get(key, value.get(int(key)))
        if raw is None:
            missing.append(key)
            continue
        if isinstance(raw, bool):
            raw = {"met": raw}
        met = raw.get("met") if isinstance(raw, dict) else None
        if not isinstance(met, bool):
            raise ValueError(_("第五条第%(k)s项“%(t)s”须核实为“符合”或“不符合”。") % {
                "k": key, "t": BASIC_CONDITIONS[key]})
        note = raw.get("note") or ""
        if not isinstance(note, str):
            raise ValueError(_("第五条第%(k)s项的核实说明须为文字。") % {"k": key})
        note = note.strip()
        if len(note) > note_limit:
            raise ValueError(_("第五条第%(k)s项的核实说明不能超过%(n)s字。") % {"k": key, "n": note_limit})
        if not met and not note:
            raise ValueError(_("第五条第%(k)s项“%(t)s”核实为不符合，请写明核实情况。") % {
                "k": key, "t": BASIC_CONDITIONS[key]})
        out[key] = {"met": met, "note": note}
    if missing:
        raise ValueError(_("第五条第%(k)s项未核实，请逐项选择“符合”或“不符合”。") % {"k": "、".join(missing)})
    return out


def unmet_conditions(conditions: dict) -> list[str]:
    return [k for k in CONDITION_KEYS if not (conditions or {}).get(k, {}).get("met", True)]


def conditions_reason(conditions: dict) -> str:
    """R-16: the refusal text naming each unmet condition with what the township found."""
    parts = [_("“%(t)s”（%(n)s）") % {"t": BASIC_CONDITIONS[k], "n": conditions[k]["note"]}
             for k in unmet_conditions(conditions)]
    return _("不符合第五条基本条件：%(items)s。") % {"items": "、".join(parts)}


def negative_list_reason(items) -> str:
    """R-12: the refusal text naming each item present."""
    parts = [_("第七条第（%(k)s）项“%(t)s”") % {"k": k, "t": NEGATIVE_LIST[str(k)]} for k in items]
    return _("存在%(items)s情形，不得作村级后备干部。") % {"items": "、".join(parts)}


def ban_last_day(banned_until: dt.date) -> dt.date:
    """R-13: ``Cadre.banned_until`` is the first day the person may take part again (disqualified on d →
    banned_until = d + 5 years, and cadres.services.active_ban bars while ``banned_until > day``).
    So the ban's last day is the day before: a ban whose last day was yesterday (banned_until = today)
    lets them apply today; a ban whose last day is today (banned_until = tomorrow) does not."""
    return banned_until - dt.timedelta(days=1)


def ban_reason(ban) -> str:
    return _("此人于%(d)s被取消村级后备干部资格，5年内不得参加选拔：禁选期至%(last)s（含当日），"
             "%(free)s起方可报名（第十一条）。") % {
        "d": ban.disqualified_on, "last": ban_last_day(ban.banned_until), "free": ban.banned_until}


def bonus_for(*, education: str, previous_round: bool, college_bonus: Decimal, previous_round_bonus: Decimal) -> Decimal:
    """R-14: preference bonus points set per round (default 0)."""
    bonus = Decimal("0")
    if education in COLLEGE_AND_ABOVE:
        bonus += Decimal(college_bonus)
    if previous_round:
        bonus += Decimal(previous_round_bonus)
    return q2(bonus)


def composite_score(*, written: Decimal, interview: Decimal, weight: Decimal, bonus: Decimal) -> Decimal:
    """R-15: written × w + interview × (1 − w) + bonus, Decimal with two places (half up)."""
    w = Decimal(weight)
    return q2(Decimal(written) * w + Decimal(interview) * (Decimal("1") - w) + Decimal(bonus))


def check_score(value, label: str) -> Decimal:
    """R-15: a score is 0–100 with at most two decimals. ValueError says what to fix."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("请填写%(l)s。") % {"l": label})
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(str(value).strip())
    except Exception as exc:  # noqa: BLE001 - any non-number is the user's to fix
        raise ValueError(_("%(l)s“%(v)s”不是数字。") % {"l": label, "v": value}) from exc
    if not d.is_finite() or d < 0 or d > 100:
        raise ValueError(_("%(l)s须在0至100之间，现为%(v)s。") % {"l": label, "v": value})
    if d != d.quantize(TWO):
        raise ValueError(_("%(l)s最多保留两位小数，现为%(v)s。") % {"l": label, "v": value})
    return d.quantize(TWO)


def rank_key(*, composite: Decimal, education: str, previous_round: bool) -> tuple:
    """R-14/R-15: higher composite first; on a tie 大专以上 first, then previous-round reserve cadres."""
    return (-Decimal(composite), 0 if education in COLLEGE_AND_ABOVE else 1, 0 if previous_round else 1)


def rank_positions(entries) -> dict:
    """R-15: ranks within one village. ``entries`` are (key, composite, education, previous_round);
    returns {key: rank}. Applicants equal on score and on both preferences share a rank (1, 2, 2, 4)."""
    ordered = sorted(entries, key=lambda e: rank_key(composite=e[1], education=e[2], previous_round=e[3]))
    ranks = {}
    previous = None
    for position, (key, composite, education, prev_round) in enumerate(ordered, start=1):
        k = rank_key(composite=composite, education=education, previous_round=prev_round)
        if previous is None or k != previous[0]:
            previous = (k, position)
        ranks[key] = previous[1]
    return ranks
