"""The core app's list tables (accounts, the security log) and their filters."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.accounts import locked_usernames, locked_usernames_q
from core.audit import PERSONAL_DATA_KINDS
from core.filters import BoundedFilterSet
from core.models import AuditEvent, User
from core.roles import Role
from core.tables import ListTable

#: what the security log's action codes mean to a reader (the personal-data kinds are core.audit's)
AUDIT_ACTIONS = {
    "login": _("登录"), "logout": _("退出"), "logout_everywhere": _("结束其他登录"), "denied": _("无权访问"),
    "api_denied": _("接口无权访问"), "not_found": _("访问不存在或无权查看的页面"), "schedule_change": _("调整定时任务"),
    "token_revoke": _("注销接口令牌"), "cadre_link_user": _("关联后备干部账号"), "cadre_reinstate": _("恢复后备干部资格"),
    "disbursement_download": _("下载代发文件"),
    "attachment_download": _("下载附件"), "attachment_view": _("预览附件"),
    "POST": _("提交"), "PUT": _("修改"), "PATCH": _("修改"), "DELETE": _("删除"),
    **PERSONAL_DATA_KINDS,
}
#: where a request went, by the app whose view answered it (the log shows this, never the path)
AREAS = {"cadres": _("后备干部"), "selection": _("选拔任用"), "attendance": _("请销假与考勤"),
         "payroll": _("报酬发放"), "supervision": _("管理监督")}
PERSONAL_PREFIX = "pd_"
KIND_PERSONAL = "personal"
#: the 类别 filter: one choice may stand for several action codes
KIND_ACTIONS = {
    "writes": ("POST", "PUT", "PATCH", "DELETE"),
    "denials": ("denied", "api_denied", "not_found"),
    "sign_in": ("login", "logout", "logout_everywhere", "token_revoke"),
    "pd_disbursement": ("pd_disbursement", "disbursement_download"),
    "attachments": ("attachment_download", "attachment_view"),
}
KIND_CHOICES = [
    (KIND_PERSONAL, _("个人信息查阅（全部）")),
    *PERSONAL_DATA_KINDS.items(),
    ("writes", _("提交与修改")),
    ("denials", _("无权访问")),
    ("sign_in", _("登录与退出")),
    ("schedule_change", _("调整定时任务")),
    ("cadre_link_user", _("关联后备干部账号")),
    ("cadre_reinstate", _("恢复后备干部资格")),
    ("attachments", _("附件下载与预览")),
]


def page_area(path: str) -> str:
    """The part of the system a logged path belongs to, in words ("报酬发放", "后备干部（接口）")."""
    if not path:
        return ""
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    func = match.func
    module = getattr(getattr(func, "cls", None), "__module__", None) or getattr(func, "__module__", "") or ""
    area = str(AREAS.get(module.split(".")[0], _("系统")))
    return f"{area}（{_('接口')}）" if path.startswith("/api/") else area


def action_label(event) -> str:
    """The entry's action in Chinese words: a personal-data kind, or what was done and where."""
    label = str(AUDIT_ACTIONS.get(event.action, _("其他操作")))
    if event.action.startswith(PERSONAL_PREFIX) or event.action not in {*KIND_ACTIONS["writes"],
                                                                          *KIND_ACTIONS["denials"]}:
        return label
    area = page_area(event.path)
    return f"{label} · {area}" if area else label


def detail_text(event) -> str:
    """The entry's details without raw request lines ("HTTP 403 GET" says nothing to a reader)."""
    text = event.detail or ""
    if text.startswith("HTTP "):
        return ""
    return text


class AccountFilter(BoundedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    role = django_filters.ChoiceFilter(label=_("角色"), choices=Role.choices, method="filter_role",
                                       empty_label=_("全部角色"))
    state = django_filters.ChoiceFilter(label=_("状态"), method="filter_state", empty_label=_("全部状态"),
                                        choices=[("active", _("启用")), ("inactive", _("已停用")),
                                                 ("locked", _("登录已锁定"))])
    search_hint = _("用户名或姓名")

    class Meta:
        model = User
        fields = ["q", "role", "state"]

    def filter_state(self, queryset, name, value):
        if value == "active":
            return queryset.filter(is_active=True)
        if value == "inactive":
            return queryset.filter(is_active=False)
        if value == "locked":
            return queryset.filter(username__in=locked_usernames_q())
        return queryset

    def search(self, queryset, name, value):
        value = (value or "").strip()
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value)) if value else queryset

    def filter_role(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(role_assignments__role=value, role_assignments__is_active=True).distinct()


class AccountTable(ListTable):
    username = tables.LinkColumn("account", args=[tables.A("pk")], verbose_name=_("用户名"),
                                 attrs={"td": {"class": "font-monospace"}})
    full_name = tables.Column(verbose_name=_("姓名"))
    roles = tables.Column(verbose_name=_("角色与单位"), accessor="pk", orderable=False)
    last_login = tables.DateTimeColumn(verbose_name=_("最近登录"), format="Y-m-d H:i")
    state = tables.Column(verbose_name=_("状态"), accessor="is_active", orderable=False)
    always_shown = ("username",)

    class Meta(ListTable.Meta):
        model = User
        fields = ("username", "full_name", "roles", "last_login", "state")

    def _locked(self) -> set[str]:
        if not hasattr(self, "_locked_names"):
            rows = self.page.object_list if getattr(self, "page", None) is not None else self.data
            self._locked_names = locked_usernames([r.record.username if hasattr(r, "record") else r.username
                                                   for r in rows])
        return self._locked_names

    def value_state(self, record):
        if not record.is_active:
            return str(_("已停用"))
        return str(_("登录已锁定")) if record.username in self._locked() else str(_("启用"))

    def render_state(self, record):
        text = self.value_state(record)
        css = "secondary" if not record.is_active else ("danger" if record.username in self._locked() else "success")
        return format_html('<span class="badge text-bg-{}">{}</span>', css, text)

    def render_roles(self, record):
        return render_to_string("core/_account_roles.html", {"u": record}, request=self.request)

    def value_roles(self, record):
        names = [f"{ra.get_role_display()}·{ra.unit}" for ra in record.active_roles]
        if not names and getattr(record, "cadre", None) is not None:
            names = [str(Role.CADRE.label)]
        return "；".join(names)


class AuditFilter(BoundedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=KIND_CHOICES, method="filter_kind",
                                       empty_label=_("全部类别"))
    outcome = django_filters.ChoiceFilter(label=_("结果"), choices=AuditEvent.Outcome.choices,
                                          empty_label=_("全部结果"))
    date_from = django_filters.DateFilter(label=_("起始日期"), field_name="at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("截止日期"), field_name="at", lookup_expr="date__lte")
    search_hint = _("操作人或涉及人员的姓名、用户名、地址")

    class Meta:
        model = AuditEvent
        fields = ["q", "kind", "outcome", "date_from", "date_to"]

    def search(self, queryset, name, value):
        """By the actor (username, name) or a person whose data the entry touched (issue 14 item 5)."""
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(user__full_name__icontains=value)
                               | Q(subjects__icontains=value) | Q(address__startswith=value))

    def filter_kind(self, queryset, name, value):
        if value == KIND_PERSONAL:
            return queryset.filter(action__startswith=PERSONAL_PREFIX)
        return queryset.filter(action__in=KIND_ACTIONS.get(value, (value,)))


class AuditTable(ListTable):
    at = tables.DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i:s", attrs={"td": {"class": "text-nowrap"}})
    user = tables.Column(verbose_name=_("操作人"), accessor="username", order_by=("username",))
    action = tables.Column(verbose_name=_("操作"), accessor="action", orderable=False)
    detail = tables.Column(verbose_name=_("内容"), orderable=False, attrs={"td": {"class": "small"}})
    scope_label = tables.Column(verbose_name=_("范围"), default="—", attrs={"td": {"class": "small"}})
    people = tables.Column(verbose_name=_("涉及人员"), default="—", attrs={"td": {"class": "small"}})
    personal_fields = tables.Column(verbose_name=_("个人信息项"), default="—", orderable=False)
    address = tables.Column(verbose_name=_("地址"), default="—")
    outcome = tables.Column(verbose_name=_("结果"))
    always_shown = ("at",)

    class Meta(ListTable.Meta):
        model = AuditEvent
        fields = ("at", "user", "action", "detail", "scope_label", "people", "personal_fields", "address", "outcome")

    def render_user(self, record):
        return str(record.user) if record.user_id else (record.username or "—")

    def value_user(self, record):
        return self.render_user(record)

    def render_action(self, record):
        return action_label(record)

    def value_action(self, record):
        return action_label(record)

    def render_outcome(self, record):
        css = {"success": "text-bg-success", "denied": "text-bg-warning"}.get(record.outcome, "text-bg-danger")
        return format_html('<span class="badge {}">{}</span>', css, record.get_outcome_display())

    def value_outcome(self, record):
        return record.get_outcome_display()

    def render_detail(self, record):
        text = detail_text(record)
        return text if len(text) <= 80 else text[:79] + "…"

    def value_detail(self, record):
        return detail_text(record)

    def render_people(self, record):
        text = self.value_people(record)
        return text if len(text) <= 60 else text[:59] + "…"

    def value_people(self, record):
        """"12 人：张三、李四…" — the count and the names kept on the entry."""
        if record.people is None:
            return "—"
        count = _("%(n)s 人") % {"n": record.people}
        return f"{count}：{record.subjects}" if record.subjects else str(count)
