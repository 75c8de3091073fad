"""Issue 14 item 1: a person's own message settings and the units' group robots (the writes behind
core/messaging.py). Every write records who did it (``by``)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils.translation import gettext as _

from core import jobs, messaging
from core.models import Delivery, MessagePreference, UnitWebhook, User
from core.permissions import actor_may, can_manage_webhook, enforce
from core.writes import model_save, model_update


def _clean_groups(kinds, field: str) -> list[str]:
    kinds = [k for k in (kinds or []) if k]
    unknown = [k for k in kinds if k not in messaging.GROUP_KEYS]
    if unknown:
        raise ValidationError({field: [_("不认识的通知类别：%(k)s。请从列出的类别中勾选。") % {"k": "、".join(unknown)}]})
    return [k for k in messaging.GROUP_KEYS if k in kinds]


@transaction.atomic
def message_preference_save(*, user: User, email: str, email_kinds, digest: bool, by) -> MessagePreference:
    """A person's own e-mail address and what they want by e-mail (each kind on/off, or one digest a day)."""
    enforce(by is not None and by.pk == user.pk, _("只能修改自己的消息提醒设置。"))
    email = (email or "").strip()
    errors = {}
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors["email"] = [_("请输入有效的邮箱地址，例如 zhangsan@qingliu.gov.cn。")]
    try:
        kinds = _clean_groups(email_kinds, "email_kinds")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        kinds = []
    if digest and not email and "email" not in errors:
        errors["digest"] = [_("要收每日汇总邮件，请先填写邮箱地址。")]
    if errors:
        raise ValidationError(errors)
    model_update(user, by=by, data={"email": email}, fields=["email"])
    pref = MessagePreference.objects.select_for_update().filter(user=user).first() or MessagePreference(user=user)
    pref.email_kinds, pref.digest = kinds, bool(digest)
    return model_save(pref, by=by)


def _check_webhook_url(platform: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": [_("请粘贴机器人的完整地址，以 https:// 开头。")]})
    if parts.hostname not in settings.MESSAGE_WEBHOOK_HOSTS:
        raise ValidationError({"url": [_("地址须是%(h)s上的机器人地址，请从群设置里复制。") % {
            "h": "、".join(settings.MESSAGE_WEBHOOK_HOSTS)}]})
    need = "key" if platform == UnitWebhook.Platform.WECOM else "access_token"
    if not dict(parse_qsl(parts.query)).get(need):
        raise ValidationError({"url": [_("地址里缺少“%(p)s=”部分，请从群机器人设置里复制完整地址。") % {"p": need}]})


@transaction.atomic
def webhook_save(*, by, county=None, township=None, platform: str, url: str = "", secret: str = "",
                 clear_secret: bool = False, kinds=(), enabled: bool = True) -> UnitWebhook:
    """Set the group robot of one township or county. A blank address or secret keeps the saved one (pages
    never show them in full)."""
    enforce(actor_may(by, can_manage_webhook, county=county, township=township),
            _("只有本乡（镇）党委可以设置本乡（镇）的群机器人，县委组织部设置全县的群机器人。"))
    hook = (UnitWebhook.objects.select_for_update().filter(county=county, township=township).first()
            or UnitWebhook(county=county, township=township))
    if platform not in UnitWebhook.Platform.values:
        raise ValidationError({"platform": [_("请选择企业微信或钉钉。")]})
    url = (url or "").strip() or hook.url
    if not url:
        raise ValidationError({"url": [_("请粘贴群机器人的地址。")]})
    _check_webhook_url(platform, url)
    kinds = _clean_groups(kinds, "kinds")
    secret = (secret or "").strip()
    if platform == UnitWebhook.Platform.WECOM:
        secret = ""
    elif not secret and not clear_secret:
        secret = hook.secret
    hook.platform, hook.url, hook.secret, hook.kinds, hook.enabled = platform, url, secret, kinds, bool(enabled)
    return model_save(hook, by=by)


def webhook_test(*, webhook: UnitWebhook, by) -> None:
    """Send a test message now; raises ``messaging.DeliveryFailed`` with the platform's reason."""
    enforce(actor_may(by, can_manage_webhook, county=webhook.county, township=webhook.township))
    messaging.test_message(webhook)


@transaction.atomic
def webhook_resend_failed(*, webhook: UnitWebhook, by) -> int:
    """Try the robot's failed messages again (the platform is back): they wait again and are sent by Celery."""
    enforce(actor_may(by, can_manage_webhook, county=webhook.county, township=webhook.township))
    ids = list(webhook.deliveries.filter(status=Delivery.Status.FAILED).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.PENDING, attempts=0, next_try_at=None)
    for pk in ids:
        jobs.enqueue("core.tasks.deliver", pk)
    return len(ids)
