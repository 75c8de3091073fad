"""The core app's list tables (accounts, the security log) and their filters."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.accounts import locked_usernames, locked_usernames_q
from core.filters import BoundedFilterSet
from core.models import AuditEvent, User
from core.roles import Role
from core.tables import ListTable

#: what the security log's action codes mean to a reader
AUDIT_ACTIONS = {
    "login": _("登录"), "logout": _("退出"), "logout_everywhere": _("结束其他登录"), "denied": _("无权访问"),
    "api_denied": _("接口无权访问"), "not_found": _("访问不存在或无权查看的页面"), "schedule_change": _("调整定时任务"),
    "token_revoke": _("注销接口令牌"), "cadre_link_user": _("关联后备干部账号"),
    "POST": _("提交"), "PUT": _("修改"), "PATCH": _("修改"), "DELETE": _("删除"),
}


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
    outcome = django_filters.ChoiceFilter(label=_("结果"), choices=AuditEvent.Outcome.choices,
                                          empty_label=_("全部结果"))
    date_from = django_filters.DateFilter(label=_("起始日期"), field_name="at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("截止日期"), field_name="at", lookup_expr="date__lte")
    search_hint = _("用户名、路径或地址")

    class Meta:
        model = AuditEvent
        fields = ["q", "outcome", "date_from", "date_to"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(path__icontains=value) | Q(address__startswith=value))


class AuditTable(ListTable):
    at = tables.DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i:s", attrs={"td": {"class": "text-nowrap"}})
    user = tables.Column(verbose_name=_("用户"), accessor="username", order_by=("username",))
    action = tables.Column(verbose_name=_("操作"))
    path = tables.Column(verbose_name=_("路径"), attrs={"td": {"class": "small"}})
    address = tables.Column(verbose_name=_("地址"), default="—")
    outcome = tables.Column(verbose_name=_("结果"))
    detail = tables.Column(verbose_name=_("详情"), orderable=False, attrs={"td": {"class": "small"}})
    always_shown = ("at",)

    class Meta(ListTable.Meta):
        model = AuditEvent
        fields = ("at", "user", "action", "path", "address", "outcome", "detail")

    def render_user(self, record):
        return str(record.user) if record.user_id else (record.username or "—")

    def value_user(self, record):
        return self.render_user(record)

    def render_action(self, value):
        return str(AUDIT_ACTIONS.get(value, value))

    def value_action(self, value):
        return self.render_action(value)

    def render_outcome(self, record):
        css = {"success": "text-bg-success", "denied": "text-bg-warning"}.get(record.outcome, "text-bg-danger")
        return render_to_string("core/_badge.html", {"css": css, "text": record.get_outcome_display()})

    def value_outcome(self, record):
        return record.get_outcome_display()

    def render_detail(self, value):
        return value if len(value) <= 80 else value[:79] + "…"

    def value_detail(self, value):
        return value
