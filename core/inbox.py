"""The inbox: notices to users (once per ``key``), sent out by e-mail and group robot after the commit, and
marked read."""

from __future__ import annotations

from django.utils import timezone

from core import jobs, messaging
from core.models import Notification, User


def notify(*, users, kind: str, title: str, body: str = "", url: str = "", key: str = "") -> int:
    """Put a notice in each user's inbox. With ``key``, a user gets that notice once only.

    Returns how many notices were newly created.
    """
    users = list({u.pk: u for u in users}.values())
    if not users:
        return 0
    if key:
        already = set(
            Notification.objects.filter(user__in=users, key=key).values_list("user_id", flat=True)
        )
        users = [u for u in users if u.pk not in already]
    rows = [Notification(user=u, kind=kind, title=title, body=body, url=url, key=key) for u in users]
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    _send_out(rows)
    return len(rows)


def _send_out(rows: list[Notification]) -> None:
    """Issue 14 item 1: the new notices also go out by e-mail and group robot, by Celery once they are
    committed (decision 018). Nothing is queued when no recipient has an e-mail address and no unit has a
    robot: the common case costs two small queries, not a message to the broker."""
    if not rows or not messaging.may_go_out({r.user_id for r in rows}):
        return
    ids = [r.pk for r in rows if r.pk]
    keyed = {(r.user_id, r.key) for r in rows if not r.pk}  # ignore_conflicts leaves the ids unset
    if keyed:
        found = Notification.objects.filter(key__in={k for _u, k in keyed}, user_id__in={u for u, _k in keyed})
        ids += [pk for pk, user_id, key in found.values_list("pk", "user_id", "key") if (user_id, key) in keyed]
    if ids:
        jobs.enqueue("core.tasks.deliver_notices", ids=sorted(ids))


def notify_bulk(notices: list[dict]) -> int:
    """:func:`notify` for many notices at once (a job's batch): each item has ``users``, ``kind``, ``title``
    and optional ``body``, ``url``, ``key``. Two queries whatever their number: the keys already sent, then
    one INSERT. Returns how many notices were newly created."""
    rows = [Notification(user=u, kind=n["kind"], title=n["title"], body=n.get("body", ""), url=n.get("url", ""),
                         key=n.get("key", ""))
            for n in notices for u in {u.pk: u for u in n["users"]}.values()]
    keys = {row.key for row in rows if row.key}
    if keys:
        already = set(Notification.objects.filter(key__in=keys, user__in={row.user_id for row in rows})
                      .values_list("user_id", "key"))
        rows = [row for row in rows if not row.key or (row.user_id, row.key) not in already]
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(keys))
    _send_out(rows)
    return len(rows)


def notifications_settle(*, key: str) -> int:
    """Acting on an object settles the notices that asked for that action (issue 17): every unread notice
    with ``key`` (e.g. "等待您审批" of a leave now decided) is marked read, for whoever received it."""
    return Notification.objects.filter(key=key, read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_read(*, user: User, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
