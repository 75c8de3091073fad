"""R-56 notices: the county issues one to a township or a village with a deadline, the recipient answers
(late when after the deadline), the county sends the answer back for rework or closes it (销号); every
answer, send-back and closing is kept as a ``NoticeEvent``. Each write checks first that ``by`` may do it (``supervision.permissions``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import dates
from core.dates import today
from core.errors import Conflict
from core.selectors import users_with_role
from core.services import model_save, notify
from supervision import permissions as perms
from supervision.models import Notice, NoticeEvent


def recipients(notice: Notice) -> list:
    """The users who answer ``notice`` (R-56)."""
    roles, unit = perms.notice_recipient_roles(notice)
    return [u for r in roles for u in users_with_role(r, **unit)]


def county_township(county, township, village, *, missing: str, elsewhere: str):
    """The township a county's notice or visit goes to: the village's when a village is named; a field error
    (``township``) when there is none (``missing``) or it lies in another county (``elsewhere``)."""
    if village is not None:
        township = village.township
    if township is None:
        raise ValidationError({"township": missing})
    if township.county_id != county.pk:
        raise ValidationError({"township": elsewhere})
    return township


def _answered_notice(notice: Notice, by, *, decision, denied: str, on, field: str, closed: str,
                     unanswered: str) -> Notice:
    """The county's step on an answered notice (send back, close): 403 unless ``decision`` allows ``by``, the
    date checked, the notice locked; 409 when it is already closed or not answered yet."""
    perms.enforce(by, decision, notice, message=denied)
    dates.check(dates.event_errors(on, field=field))
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == Notice.Status.CLOSED:
        raise Conflict(closed)
    if notice.status != Notice.Status.ANSWERED:
        raise Conflict(unanswered)
    return notice


@transaction.atomic
def notice_issue(*, county, title: str, body: str, due_on: dt.date, by, township=None, village=None,
                 issued_on: dt.date | None = None) -> Notice:
    """R-56: the county issues a notice to one township or one village, with a rectification deadline."""
    perms.enforce(by, perms.can_issue_notice, county, message=_("只有县委组织部可以发出通报。"))
    issued_on = issued_on or today()
    dates.check(dates.event_errors(issued_on, field="issued_on"), dates.deadline_errors(due_on, field="due_on"))
    township = county_township(county, township, village, missing=_("请选择通报的乡（镇）或村。"),
                               elsewhere=_("只能通报本县的乡（镇）或村。"))
    if due_on and due_on < issued_on:
        raise ValidationError({"due_on": _("整改期限不能早于通报日期 %(d)s。") % {"d": issued_on}})
    notice = Notice(county=county, township=township, village=village, title=(title or "").strip(),
                    body=(body or "").strip(), issued_on=issued_on, due_on=due_on, issued_by=by)
    model_save(notice, by=by)
    notify(users=recipients(notice), kind="notice", key=f"sup:notice:{notice.pk}",
           title=_("县委组织部通报：%(t)s") % {"t": notice.title},
           body=_("请于%(d)s前完成整改并反馈。") % {"d": notice.due_on},
           url=reverse("supervision:notice_detail", args=[notice.pk]))
    return notice


@transaction.atomic
def notice_answer(*, notice: Notice, answer: str, by, answered_on: dt.date | None = None) -> Notice:
    """R-56: the recipient reports its rectification."""
    perms.enforce(by, perms.can_answer_notice, notice, message=_("只有被通报的单位可以反馈整改情况。"))
    dates.check(dates.event_errors(answered_on, field="answered_on"))
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == Notice.Status.CLOSED:
        raise Conflict(_("此通报已销号，不能再反馈。"))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("请填写整改情况。")})
    notice.answer = answer.strip()
    notice.answered_on = answered_on or today()
    notice.answered_by = by
    notice.status = Notice.Status.ANSWERED
    notice.late = notice.answered_on > notice.due_on  # issue 13: recorded when the answer is given
    notice.sent_back = False
    model_save(notice, by=by)
    _event(notice, NoticeEvent.Kind.ANSWERED, on=notice.answered_on, text=notice.answer, late=notice.late, by=by)
    return notice


def _event(notice: Notice, kind: str, *, on: dt.date, text: str, by, late: bool = False) -> NoticeEvent:
    return model_save(NoticeEvent(notice=notice, kind=kind, on=on, text=text, late=late, by=by), by=by)


@transaction.atomic
def notice_send_back(*, notice: Notice, comment: str, by, on: dt.date | None = None) -> Notice:
    """R-56 (issue 13): the county sends an answer back for rework with a comment: the notice is open again
    (``sent_back``) and the recipients are told, with the comment and the link."""
    notice = _answered_notice(notice, by, decision=perms.can_send_back_notice,
                              denied=_("只有县委组织部可以退回整改反馈。"), on=on, field="on",
                              closed=_("此通报已销号，不能退回。"),
                              unanswered=_("被通报单位尚未反馈整改情况，没有可退回的反馈。"))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写退回意见：哪些方面整改不到位、需要补充什么。")})
    notice.status = Notice.Status.OPEN
    notice.sent_back = True
    notice.returned_count += 1
    notice.send_back_comment = comment
    model_save(notice, by=by)
    _event(notice, NoticeEvent.Kind.SENT_BACK, on=on or today(), text=comment, by=by)
    notify(users=recipients(notice), kind="notice_sent_back",
           key=f"sup:notice-sent-back:{notice.pk}:{notice.returned_count}",
           title=_("整改反馈被退回：%(t)s") % {"t": notice.title},
           body=_("县委组织部退回了整改反馈，请重新整改后再反馈。退回意见：%(c)s") % {"c": comment},
           url=reverse("supervision:notice_detail", args=[notice.pk]))
    return notice


@transaction.atomic
def notice_close(*, notice: Notice, by, note: str = "", closed_on: dt.date | None = None) -> Notice:
    """R-56: the county closes (销号) an answered notice."""
    notice = _answered_notice(notice, by, decision=perms.can_close_notice, denied=_("只有县委组织部可以销号。"),
                              on=closed_on, field="closed_on", closed=_("此通报已销号。"),
                              unanswered=_("被通报单位尚未反馈整改情况，不能销号。"))
    notice.status = Notice.Status.CLOSED
    notice.closed_on = closed_on or today()
    notice.close_note = (note or "").strip()
    model_save(notice, by=by)
    _event(notice, NoticeEvent.Kind.CLOSED, on=notice.closed_on, text=notice.close_note, by=by)
    return notice
