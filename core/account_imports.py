"""Issue 14 item 3: accounts with their roles loaded from Excel, all or nothing, through the account services
of issue 14 item 4 (``core.accounts.account_create``, ``core.services.role_assign``): the same permission
(county_org any role in the county; a township party committee the secretaries and liaisons of its villages),
username and phone checks as the 新建账号 form. Each new account gets a generated first password, shown once
after the import and changed at the first sign-in. One username on several rows, or several villages in one
row (a liaison), gives the account several roles."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import excel, selectors
from core.accounts import account_create, temporary_password
from core.imports import ImportOutcome, cell_text, each_row
from core.models import County, User
from core.permissions import TOWNSHIP_GRANTS
from core.roles import ROLE_TIER, Role, Tier
from core.scope import get_scope
from core.services import role_assign

COLUMNS = {"username": "用户名", "full_name": "姓名", "phone": "手机号", "role": "角色", "township": "乡（镇）",
           "village": "村（社区）"}
WIDTHS = [18, 10, 14, 16, 12, 30]
SEPARATORS = re.compile(r"[、，,；;/\s]+")


def grantable_roles(by) -> list[str]:
    scope = get_scope(by)
    if scope.is_superuser or scope.counties_holding(Role.COUNTY_ORG):
        return list(ROLE_TIER)
    return list(TOWNSHIP_GRANTS)


def template(by) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("账号")
    excel.write_header(ws, list(COLUMNS.values()), widths=WIDTHS)
    for row in range(2, 1002):
        for col in (1, 3):
            ws.cell(row=row, column=col).number_format = "@"
    village = selectors.village_list(user=by).order_by("township__code", "code").first()
    town, name = (village.township.name, village.name) if village else ("龙津镇", "城东村")
    excel.write_row(ws, 2, ["secretary_example", "王五", "13900000000", str(Role.VILLAGE_SECRETARY.label), town, name])
    excel.write_row(ws, 3, ["liaison_example", "赵六", "13900000001", str(Role.TOWNSHIP_LIAISON.label), town,
                            f"{name}、…"])
    excel.pick_list(ws, [Role(r).label for r in grantable_roles(by)], "D2:D1001")
    excel.notes_sheet(wb, [
        _("账号导入模板填写说明"),
        _("1. 每行一个账号和一个角色；第2、3行是示例，导入前请删除或改成真实数据。"),
        _("2. 用户名：字母、数字和 @ . + - _，不能与已有账号重复。同一用户名写在几行，就给这个账号分配几个角色（姓名、手机只需在第一行填写）。"),
        _("3. 角色填：%(r)s。") % {"r": "、".join(str(Role(r).label) for r in grantable_roles(by))},
        _("4. 单位：县级角色不填乡（镇）和村；乡（镇）党委只填乡（镇）全称；村党组织书记、包村领导填乡（镇）和村（社区）全称。"
          "包村领导联系几个村的，可在“村（社区）”一栏用顿号隔开，如“城东村、城南村”。"),
        _("5. 系统为每个新账号生成初始密码，导入成功后只显示一次（可下载），本人首次登录时须修改密码。"),
        _("6. 文件中任何一行有错，整份文件都不会导入；系统会退回本表，标红出错的行并写明原因。"),
    ])
    return excel.workbook_bytes(wb)


def accounts_import(*, by, result) -> ImportOutcome:
    """Create the accounts and roles of ``result``; a bad row is noted in ``result.errors`` (the caller rolls
    everything back then)."""
    scope = get_scope(by)
    counties = scope.counties_holding(Role.COUNTY_ORG)
    county = County.objects.filter(pk=counties[0]).first() if counties else None
    townships = {t.name: t for t in selectors.township_list(user=by)}
    villages = {(v.township.name, v.name): v for v in selectors.village_list(user=by)}
    roles = {str(Role(r).label): r for r in ROLE_TIER}
    labels = {f.name: str(f.verbose_name) for f in User._meta.fields}
    labels.update({"role": _("角色"), "county": _("单位"), "township": _("乡（镇）"), "village": _("村（社区）"),
                   "password": _("初始密码")})
    created: dict[str, User] = {}
    first_row: dict[str, int] = {}
    passwords: dict[str, str] = {}
    outcome = ImportOutcome(headers=[_("行"), _("用户名"), _("姓名"), _("角色"), _("单位"), _("账号")])
    grants = []

    def handle(number, row):
        problems = {}
        username = cell_text(row["username"])
        if not username:
            problems["username"] = _("请填写用户名。")
        role = roles.get(cell_text(row["role"]))
        if role is None:
            problems["role"] = _("请填写：%(r)s。") % {"r": "、".join(str(Role(r).label) for r in grantable_roles(by))}
        town, names = cell_text(row["township"]), [n for n in SEPARATORS.split(cell_text(row["village"])) if n]
        units = []
        tier = ROLE_TIER.get(role)
        if tier == Tier.COUNTY:
            if county is None:
                problems["role"] = _("您无权分配县级角色“%(r)s”。") % {"r": Role(role).label}
            units = [{"county": county}]
        elif tier == Tier.TOWNSHIP:
            township = townships.get(town)
            if township is None:
                problems["township"] = _("找不到乡（镇）“%(t)s”，或不在您的管辖范围；请填全称。") % {"t": town}
            units = [{"township": township}]
        elif tier == Tier.VILLAGE:
            if not names:
                problems["village"] = _("角色“%(r)s”须填写村（社区）。") % {"r": Role(role).label}
            for n in names:
                village = villages.get((town, n))
                if village is None:
                    problems["village"] = _("找不到“%(t)s %(v)s”，或不在您的管辖范围；请填乡（镇）和村（社区）的全称。") % {
                        "t": town, "v": n}
                units.append({"village": village})
        if problems:
            raise ValidationError(problems)
        user = created.get(username)
        new = user is None
        done = []
        for unit in units:
            if user is None:
                if User.objects.filter(username=username).exists():
                    raise ValidationError({"username": _("用户名“%(u)s”已有账号；给已有账号增加角色请在账号页面操作。") % {
                        "u": username}})
                password = temporary_password()
                user = account_create(username=username, password=password, full_name=cell_text(row["full_name"]),
                                      phone=cell_text(row["phone"]), role=role, issued=True, by=by,
                                      **unit)
                created[username], first_row[username], passwords[username] = user, number, password
            else:
                role_assign(user=user, role=role, by=by, **unit)
            done.append(unit)
            unit_obj = next(iter(unit.values()))
            label = (f"{unit_obj.township.name}{unit_obj}" if "village" in unit else str(unit_obj))
            outcome.rows.append([number, username, user.full_name, Role(role).label, label,
                                 _("新建") if new else _("增加角色（同第 %(r)s 行）") % {"r": first_row[username]}])
            grants.append((username, Role(role).label, label))
            new = False
        return user

    each_row(result, handle, labels)
    outcome.counts = [(_("新建账号"), len(created)), (_("分配角色"), len(grants))]
    if created:
        outcome.warnings.append(_("导入成功后将显示每个新账号的初始密码，只显示一次；本人首次登录时须修改密码。"))
    outcome.secrets_headers = [_("用户名"), _("姓名"), _("角色和单位"), _("初始密码")]
    roles_of: dict[str, list[str]] = {}
    for username, role_label, unit_label in grants:
        roles_of.setdefault(username, []).append(f"{role_label}（{unit_label}）")
    outcome.secrets = [[u, created[u].full_name, "；".join(roles_of[u]), passwords[u]] for u in created]
    outcome.result_file = _secrets_file(outcome) if created else None
    outcome.result_filename = _("导入账号初始密码.xlsx")
    return outcome


def _secrets_file(outcome) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("初始密码")
    excel.write_header(ws, [str(h) for h in outcome.secrets_headers], widths=[18, 10, 50, 16])
    for i, row in enumerate(outcome.secrets, start=2):
        excel.write_row(ws, i, row)
    return excel.workbook_bytes(wb)
