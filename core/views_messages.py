"""Messages out of the app (issue 14 item 1): a person's own e-mail settings, and the group robot of a
township or county with its delivery log. Writes go through core.services; permissions are asked of
core.permissions (404 outside the scope, 403 in scope but not allowed)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import messaging, selectors
from core.models import Delivery, MessagePreference, UnitWebhook
from core.permissions import can_manage_webhook, may_have_webhooks
from core.roles import Role
from core.scope import get_scope
from core.services import message_preference_save, webhook_resend_failed, webhook_save, webhook_test
from core.web import apply_errors, require_scope


class PreferenceForm(forms.Form):
    email = forms.CharField(label=gettext_lazy("邮箱地址"), required=False, max_length=254,
                            help_text=gettext_lazy("通知会同时发到这个邮箱；留空则不发邮件。"),
                            widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "email"}))
    email_kinds = forms.MultipleChoiceField(label=gettext_lazy("哪些通知发邮件"), required=False,
                                            choices=messaging.group_choices, widget=forms.CheckboxSelectMultiple)
    digest = forms.BooleanField(label=gettext_lazy("每天只收一封汇总邮件（次日早上7点，列出前一天的全部通知）"),
                                required=False)


class WebhookForm(forms.Form):
    platform = forms.ChoiceField(label=gettext_lazy("平台"), choices=UnitWebhook.Platform.choices,
                                 widget=forms.RadioSelect)
    url = forms.CharField(label=gettext_lazy("机器人地址"), required=False, max_length=500,
                          widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    secret = forms.CharField(label=gettext_lazy("加签密钥（仅钉钉，选填）"), required=False, max_length=200,
                             widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "off"}))
    clear_secret = forms.BooleanField(label=gettext_lazy("清除已保存的加签密钥"), required=False)
    kinds = forms.MultipleChoiceField(label=gettext_lazy("哪些通知推送到群里"), required=False,
                                      choices=messaging.group_choices, widget=forms.CheckboxSelectMultiple)
    enabled = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)


class DeliveryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=gettext_lazy("搜索"))
    status = django_filters.ChoiceFilter(choices=Delivery.Status.choices, label=gettext_lazy("状态"),
                                         empty_label=gettext_lazy("全部"))
    search_hint = gettext_lazy("标题")

    class Meta:
        model = Delivery
        fields = ["q", "status"]


@login_required
def my_messages(request):
    """The person's own page: e-mail address, which kinds by e-mail, the daily digest, what was sent."""
    user = request.user
    pref = MessagePreference.objects.filter(user=user).first()
    initial = {"email": user.email, "email_kinds": sorted(messaging.email_groups(pref)),
               "digest": bool(pref and pref.digest)}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            message_preference_save(user=user, by=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("消息提醒设置已保存。"))
            return redirect("my_messages")
    page = Paginator(Delivery.objects.filter(user=user), 20).get_page(request.GET.get("page"))
    return render(request, "core/my_messages.html", {"form": form, "page_obj": page})


def _units(user):
    """The townships and counties whose robot this user sets (direct holdings)."""
    scope = get_scope(user)
    townships = list(selectors.township_list(user=user).filter(pk__in=scope.townships_holding(Role.TOWNSHIP_PARTY)))
    counties = list(selectors.county_list(user=user).filter(pk__in=scope.counties_holding(Role.COUNTY_ORG)))
    return counties, townships


@login_required
def webhooks(request):
    require_scope(request, may_have_webhooks, message=_("只有乡（镇）党委和县委组织部可以设置群机器人。"))
    counties, townships = _units(request.user)
    if len(counties) + len(townships) == 1:
        return redirect(*(("webhook_county", counties[0].pk) if counties else ("webhook_township", townships[0].pk)))
    hooks = {(h.county_id, h.township_id): h for h in UnitWebhook.objects.filter(
        county__in=counties) | UnitWebhook.objects.filter(township__in=townships)}
    rows = [(c, hooks.get((c.pk, None)), reverse("webhook_county", args=[c.pk])) for c in counties]
    rows += [(t, hooks.get((None, t.pk)), reverse("webhook_township", args=[t.pk])) for t in townships]
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "core/webhooks.html", {"page_obj": page})


@login_required
def webhook_county(request, pk):
    county = get_object_or_404(selectors.county_list(user=request.user), pk=pk)
    return _webhook_page(request, county=county)


@login_required
def webhook_township(request, pk):
    township = get_object_or_404(selectors.township_list(user=request.user), pk=pk)
    return _webhook_page(request, township=township)


def _webhook_page(request, *, county=None, township=None):
    if not can_manage_webhook(get_scope(request.user), county=county, township=township):
        raise PermissionDenied(_("只有本乡（镇）党委可以设置本乡（镇）的群机器人，县委组织部设置全县的群机器人。"))
    unit = township or county
    hook = UnitWebhook.objects.filter(county=county, township=township).first()
    initial = ({"platform": hook.platform, "kinds": hook.kinds, "enabled": hook.enabled} if hook else
               {"platform": UnitWebhook.Platform.WECOM, "kinds": ["leave", "notice"], "enabled": True})
    action = request.POST.get("action", "save")
    form = WebhookForm(request.POST if request.method == "POST" and action == "save" else None, initial=initial)
    if request.method == "POST":
        if action == "save" and form.is_valid():
            try:
                webhook_save(by=request.user, county=county, township=township, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("群机器人设置已保存。可以点“发送测试消息”确认群里能收到。"))
                return redirect(request.path)
        elif action == "test" and hook:
            try:
                webhook_test(webhook=hook, by=request.user)
            except messaging.DeliveryFailed as exc:
                messages.error(request, _("测试消息未发出：%(e)s 请检查机器人地址和加签密钥。") % {"e": exc})
            else:
                messages.success(request, _("测试消息已发送，请到群里查看。"))
            return redirect(request.path)
        elif action == "resend" and hook:
            n = webhook_resend_failed(webhook=hook, by=request.user)
            messages.success(request, _("已重新排队发送 %(n)s 条失败的消息。") % {"n": n})
            return redirect(request.path)
    deliveries = hook.deliveries.select_related("notification") if hook else Delivery.objects.none()
    flt = DeliveryFilter(request.GET, queryset=deliveries)
    page = Paginator(flt.qs, 20).get_page(request.GET.get("page"))
    failed = hook.deliveries.filter(status=Delivery.Status.FAILED).count() if hook else 0
    return render(request, "core/webhook.html", {
        "unit": unit, "hook": hook, "form": form, "filter": flt, "page_obj": page, "failed": failed,
        "masked_url": messaging.mask(hook.url) if hook else "",
        "masked_secret": messaging.mask(hook.secret) if hook else ""})
