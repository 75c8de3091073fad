"""Messages out of the app (issue 14 item 1, docs/decisions/018-messages-out-of-the-app.md).

The inbox (``Notification``, written by ``core.services.notify``) stays the record. After the transaction
that wrote notices commits, ``notify`` enqueues ``core.tasks.deliver_notices``, which plans one ``Delivery``
per (notice, channel) — the person's e-mail when their preferences say so, the group robot of each unit a
recipient works for when its officials chose that kind — and hands each to ``core.tasks.deliver``. A
failed attempt is retried by Celery with a growing delay (``retry_delay``); after ``MESSAGE_MAX_ATTEMPTS``
the delivery is "失败" and the officials see it on the robot page. Nothing here ever touches the inbox.

A channel is a class with one method, ``send(message, to=...)``, that raises ``DeliveryFailed`` with a
reason a person can read. ``CHANNELS`` maps ``Delivery.channel`` to an instance; an SMS provider is one
more class and one more ``Delivery.Channel`` choice (see the decision).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Delivery, MessagePreference, Notification, RoleAssignment, UnitWebhook, User

log = logging.getLogger(__name__)

#: The kinds of notice people choose by, in groups (a notice's ``kind`` is matched by prefix).
KIND_GROUPS = [
    ("leave", gettext_lazy("请假、销假与出差"), ("leave_", "trip_")),
    ("attendance", gettext_lazy("旷工、失能与纪律"), ("absence_", "incapacity_")),
    ("supervision", gettext_lazy("谈话、挂职、工作任务与考核"), ("talk_", "attachment", "assignment_")),
    ("notice", gettext_lazy("通报与整改"), ("notice",)),
    ("payroll", gettext_lazy("报酬发放"), ("payroll_",)),
    ("cadres", gettext_lazy("选拔、名额与空缺"), ("selection_", "vacancy", "over_quota")),
    ("other", gettext_lazy("其他通知"), ()),
]
GROUP_KEYS = [key for key, _label, _prefixes in KIND_GROUPS]


def kind_group(kind: str) -> str:
    """The group key of a notice kind ("leave_pending" → "leave"); unknown kinds are "other"."""
    for key, _label, prefixes in KIND_GROUPS:
        if any(kind.startswith(p) for p in prefixes):
            return key
    return "other"


def group_choices():
    return [(key, label) for key, label, _prefixes in KIND_GROUPS]


def absolute_url(path: str) -> str:
    """The link in a message: ``SITE_URL`` + the page's path (a full address is kept as it is)."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


# -- channels --------------------------------------------------------------------------------------------

class DeliveryFailed(Exception):
    """A channel could not deliver; the text says why (kept as the delivery's last error)."""


@dataclass
class Message:
    title: str
    body: str = ""
    url: str = ""  # absolute
    items: list = field(default_factory=list)  # a digest: [(time, title, url)]

    def text(self) -> str:
        lines = [self.title]
        if self.body:
            lines += ["", self.body]
        for when, title, url in self.items:
            lines.append(f"- {when} {title}" + (f"\n  {url}" if url else ""))
        if self.url:
            lines += ["", _("办理：%(u)s") % {"u": self.url}]
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = [f"**{self.title}**"]
        if self.body:
            lines.append(f"> {self.body}")
        if self.url:
            lines.append(f"[{_('点此办理')}]({self.url})")
        return "\n".join(lines)


class Channel:
    """One way out of the app. ``to`` is what the delivery is addressed to (an e-mail address, a robot)."""

    key = ""

    def send(self, message: Message, *, to) -> None:  # pragma: no cover - the interface
        raise NotImplementedError


class EmailChannel(Channel):
    """E-mail through Django's configured backend (SMTP in production: EMAIL_HOST, EMAIL_PORT, …)."""

    key = "email"

    def send(self, message: Message, *, to) -> None:
        if not to:
            raise DeliveryFailed(_("没有邮箱地址。"))
        subject = f"[{_('后备干部管理系统')}] {message.title}"
        try:
            EmailMessage(subject=subject, body=message.text(), to=[to]).send()
        except Exception as exc:  # noqa: BLE001 - smtplib, socket and TLS errors alike
            raise DeliveryFailed(_("邮件服务器未能接收：%(e)s") % {"e": f"{exc.__class__.__name__}: {exc}"}) from exc


class RobotChannel(Channel):
    """A group robot: POST JSON to its address; an HTTP error or ``errcode != 0`` is a failure."""

    def payload(self, message: Message) -> dict:  # pragma: no cover - the interface
        raise NotImplementedError

    def address(self, webhook: UnitWebhook) -> str:
        return webhook.url

    def send(self, message: Message, *, to: UnitWebhook) -> None:
        post_json(self.address(to), self.payload(message))


class WeComChannel(RobotChannel):
    """企业微信群机器人: ``{"msgtype": "markdown", "markdown": {"content": ...}}`` to ``…/webhook/send?key=``."""

    key = Delivery.Channel.WECOM

    def payload(self, message: Message) -> dict:
        return {"msgtype": "markdown", "markdown": {"content": message.markdown()}}


class DingTalkChannel(RobotChannel):
    """钉钉自定义机器人: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``; with a secret the address
    carries ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")))."""

    key = Delivery.Channel.DINGTALK

    def payload(self, message: Message) -> dict:
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.markdown()}}

    def address(self, webhook: UnitWebhook) -> str:
        if not webhook.secret:
            return webhook.url
        timestamp, sign = dingtalk_sign(webhook.secret)
        joiner = "&" if "?" in webhook.url else "?"
        return f"{webhook.url}{joiner}timestamp={timestamp}&sign={sign}"


def dingtalk_sign(secret: str, timestamp: int | None = None) -> tuple[int, str]:
    timestamp = timestamp if timestamp is not None else int(time.time() * 1000)
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return timestamp, urllib.parse.quote_plus(base64.b64encode(digest))


def post_json(url: str, payload: dict) -> dict:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=settings.MESSAGE_HTTP_TIMEOUT) as response:  # noqa: S310
            text = response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(_("平台返回 HTTP %(s)s。") % {"s": exc.code}) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryFailed(_("无法连接平台：%(e)s") % {"e": reason}) from exc
    try:
        answer = json.loads(text)
    except ValueError as exc:
        raise DeliveryFailed(_("平台的回答无法识别：%(t)s") % {"t": text[:100]}) from exc
    if not isinstance(answer, dict) or answer.get("errcode", 0) != 0:
        errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise DeliveryFailed(_("平台拒绝：errcode %(c)s %(m)s") % {
            "c": answer.get("errcode") if isinstance(answer, dict) else "?", "m": errmsg})
    return answer


CHANNELS: dict[str, Channel] = {
    Delivery.Channel.EMAIL: EmailChannel(),
    Delivery.Channel.DIGEST: EmailChannel(),
    Delivery.Channel.WECOM: WeComChannel(),
    Delivery.Channel.DINGTALK: DingTalkChannel(),
}


# -- who gets what -----------------------------------------------------------------------------------------

def email_groups(pref: MessagePreference | None) -> set[str]:
    return set(GROUP_KEYS) if pref is None else set(pref.email_kinds)


def plan(notification_ids) -> list[int]:
    """Create the deliveries of these notices (once: the unique constraints) and return the ids of those
    still waiting to be sent."""
    notices = list(Notification.objects.filter(pk__in=notification_ids).select_related("user").order_by("pk"))
    if not notices:
        return []
    user_ids = {n.user_id for n in notices}
    prefs = {p.user_id: p for p in MessagePreference.objects.filter(user_id__in=user_ids)}
    rows = []
    for n in notices:
        pref = prefs.get(n.user_id)
        if (n.user.email and n.user.is_active and not (pref and pref.digest)
                and kind_group(n.kind) in email_groups(pref)):
            rows.append(Delivery(channel=Delivery.Channel.EMAIL, notification=n, user=n.user, title=n.title[:200]))
    rows += _robot_rows(notices)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(Delivery.objects.filter(notification__in=notices, status=Delivery.Status.PENDING)
                .values_list("pk", flat=True))


def _robot_rows(notices) -> list[Delivery]:
    """One robot message per unit: the first notice of a unit's recipients goes to that unit's robot."""
    user_ids = {n.user_id for n in notices}
    townships, counties = {}, {}
    for a in RoleAssignment.objects.filter(user_id__in=user_ids, is_active=True).select_related("village"):
        if a.village_id:
            townships.setdefault(a.user_id, set()).add(a.village.township_id)
        elif a.township_id:
            townships.setdefault(a.user_id, set()).add(a.township_id)
        elif a.county_id:
            counties.setdefault(a.user_id, set()).add(a.county_id)
    all_t = set().union(*townships.values()) if townships else set()
    all_c = set().union(*counties.values()) if counties else set()
    if not all_t and not all_c:
        return []
    hooks = UnitWebhook.objects.filter(Q(township_id__in=all_t) | Q(county_id__in=all_c), enabled=True).exclude(url="")
    by_township = {h.township_id: h for h in hooks if h.township_id}
    by_county = {h.county_id: h for h in hooks if h.county_id}
    rows, done = [], set()
    for n in notices:
        group = kind_group(n.kind)
        units = [by_township.get(t) for t in townships.get(n.user_id, ())]
        units += [by_county.get(c) for c in counties.get(n.user_id, ())]
        for hook in units:
            if hook is None or hook.pk in done or group not in hook.kinds:
                continue
            done.add(hook.pk)
            rows.append(Delivery(channel=hook.platform, notification=n, webhook=hook, title=n.title[:200]))
    return rows


def may_go_out(user_ids) -> bool:
    """Could a notice to these people leave the app at all: one of them has an e-mail address, or some unit
    has a robot switched on. (``plan`` decides exactly; this only spares the broker the certain no.)"""
    return (User.objects.filter(pk__in=user_ids, is_active=True).exclude(email="").exists()
            or UnitWebhook.objects.filter(enabled=True).exclude(url="").exists())


def notices_for_key(key: str, user_ids) -> list[int]:
    return list(Notification.objects.filter(key=key, user_id__in=user_ids).values_list("pk", flat=True))


# -- the daily digest ----------------------------------------------------------------------------------------

def digest_window(run_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The digest sent on ``run_day`` lists the notices of the day before (local time)."""
    day = run_day - dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _digest_notices(user_id: int, run_day: dt.date, pref):
    start, end = digest_window(run_day)
    notices = Notification.objects.filter(user_id=user_id, created_at__gte=start, created_at__lt=end).order_by("pk")
    groups = email_groups(pref)
    return [n for n in notices if kind_group(n.kind) in groups]


def plan_digests(run_day: dt.date) -> list[int]:
    """One digest delivery per person who chose it and had notices the day before; ids still to send."""
    prefs = MessagePreference.objects.filter(digest=True, user__is_active=True).exclude(user__email="")
    start, end = digest_window(run_day)
    with_notices = set(Notification.objects.filter(created_at__gte=start, created_at__lt=end,
                                                   user_id__in=prefs.values("user_id"))
                       .values_list("user_id", flat=True).distinct())
    rows = []
    for pref in prefs.filter(user_id__in=with_notices):
        count = len(_digest_notices(pref.user_id, run_day, pref))
        if count:
            rows.append(Delivery(channel=Delivery.Channel.DIGEST, user_id=pref.user_id, day=run_day - dt.timedelta(days=1),
                                 title=_("%(d)s的通知汇总（%(n)s条）") % {"d": run_day - dt.timedelta(days=1), "n": count}))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(Delivery.objects.filter(channel=Delivery.Channel.DIGEST, day=run_day - dt.timedelta(days=1),
                                        status=Delivery.Status.PENDING).values_list("pk", flat=True))


# -- one attempt ------------------------------------------------------------------------------------------------

def retry_delay(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` failures: 1, 2, 4, 8 … minutes, at most an hour."""
    return min(settings.MESSAGE_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 3600)


def message_of(delivery: Delivery) -> Message:
    if delivery.channel == Delivery.Channel.DIGEST:
        pref = MessagePreference.objects.filter(user_id=delivery.user_id).first()
        run_day = delivery.day + dt.timedelta(days=1)
        items = [(timezone.localtime(n.created_at).strftime("%H:%M"), n.title, absolute_url(n.url))
                 for n in _digest_notices(delivery.user_id, run_day, pref)]
        return Message(title=delivery.title, items=items, url=absolute_url("/notifications/"))
    n = delivery.notification
    if n is None:  # a test message of the robot page
        return Message(title=delivery.title)
    return Message(title=n.title, body=n.body, url=absolute_url(n.url))


def recipient_of(delivery: Delivery):
    if delivery.webhook_id:
        return delivery.webhook
    return delivery.user.email if delivery.user_id else ""


def attempt(delivery_id: int) -> int | None:
    """Send one pending delivery once. Returns the seconds to wait before the next try, or None when it is
    done (sent, failed for good, or not pending any more)."""
    delivery = (Delivery.objects.select_related("notification", "user", "webhook")
                .filter(pk=delivery_id, status=Delivery.Status.PENDING).first())
    if delivery is None:
        return None
    now = timezone.now()
    try:
        CHANNELS[delivery.channel].send(message_of(delivery), to=recipient_of(delivery))
    except DeliveryFailed as exc:
        attempts = delivery.attempts + 1
        final = attempts >= settings.MESSAGE_MAX_ATTEMPTS
        wait = None if final else retry_delay(attempts)
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts, last_error=str(exc)[:500],
            status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
            next_try_at=None if final else now + dt.timedelta(seconds=wait))
        log.warning("delivery %s (%s) attempt %s failed: %s", delivery.pk, delivery.channel, attempts, exc)
        return wait
    Delivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts + 1, status=Delivery.Status.SENT,
                                                   sent_at=now, next_try_at=None, last_error="")
    return None


def lost_deliveries(now=None) -> list[int]:
    """Pending deliveries whose retry is long overdue (a worker died holding it, the broker lost it)."""
    now = now or timezone.now()
    grace = dt.timedelta(minutes=10)
    return list(Delivery.objects.filter(status=Delivery.Status.PENDING).filter(
        Q(next_try_at__lt=now - grace) | Q(next_try_at__isnull=True, created_at__lt=now - grace))
        .values_list("pk", flat=True)[:500])


def test_message(webhook: UnitWebhook) -> None:
    """The robot page's "发送测试消息": one message now (the official waits for the answer); raises
    ``DeliveryFailed`` with the platform's reason."""
    message = Message(title=_("测试消息：%(u)s的群机器人已接通") % {"u": webhook.unit},
                      body=_("这是后备干部管理系统发送的测试消息。"), url=absolute_url("/"))
    CHANNELS[webhook.platform].send(message, to=webhook)


def mask(value: str) -> str:
    """A credential shown after saving: its query values (key, access_token) cut to their last 4 characters."""
    if not value:
        return ""
    if "://" not in value:
        return "****" + value[-4:] if len(value) > 4 else "****"
    parts = urllib.parse.urlsplit(value)
    query = "&".join(f"{k}=****{v[-4:]}" for k, v in urllib.parse.parse_qsl(parts.query))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

