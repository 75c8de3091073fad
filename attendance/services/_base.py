"""What the attendance services share: enforcing a permission, the leave row lock, who decides a leave, the
confirmed return of a leave or trip."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from attendance import policies
from attendance.models import LeaveRequest
from attendance.services.deputies import running_deputies
from cadres.models import Cadre
from core import calendar
from core.errors import Conflict
from core.models import User
from core.permissions import enforce_for as enforce  # noqa: F401  (the attendance services' helper)
from core.roles import Role
from core.selectors import users_with_role
from core.services import model_save, notify

S = LeaveRequest.Status


def county_id(cadre: Cadre) -> int:
    return cadre.village.township.county_id


def lock_leave(leave) -> LeaveRequest:
    return LeaveRequest.objects.select_for_update().select_related("cadre__village__township").get(pk=leave.pk)


def locked_in_status(record, by, decision, *, denied: str, lock, status: str, conflict: str):
    """A step on a leave or trip: 403 (``denied``) unless ``decision`` allows ``by``, the record locked with
    ``lock``, 409 (``conflict``, %(s)s its status) unless it is in ``status``; returns the locked record."""
    enforce(by, decision, record, message=denied)
    record = lock(record)
    if record.status != status:
        raise Conflict(conflict % {"s": record.get_status_display()})
    return record


def check_return_date(record, returned_on, *, field: str, missing: str, before_start: str, future: str) -> None:
    """The return date of a leave or trip: given (``missing``), not before its start (``before_start``, %(d)s
    the start) and not after today (``future``); field errors of ``field``."""
    if returned_on is None:
        raise ValidationError({field: [missing]})
    if returned_on < record.start_date:
        raise ValidationError({field: [before_start % {"d": record.start_date}]})
    if returned_on > timezone.localdate():
        raise ValidationError({field: [future]})


def record_return_report(record, *, by, returned_on: dt.date, reason: str, late_needs_reason: str) -> int:
    """R-23 / R-27: the cadre's report of the return on a leave or trip (``reason`` stripped): a date more
    working days back than the rule allows needs a reason (``late_needs_reason``, with %(d)s the date, %(n)s
    the lag and %(m)s the allowed days); the report is saved. Returns the lag in working days."""
    today = timezone.localdate()
    lag = policies.report_lag(calendar.working_days(returned_on, today, county=county_id(record.cadre)),
                              returned_on=returned_on, reported_on=today)
    if policies.report_is_late(lag) and not reason:
        raise ValidationError({"reason": [late_needs_reason % {
            "d": returned_on, "n": lag, "m": policies.RETURN_REPORT_LATE_DAYS}]})
    record.return_reported_on = returned_on
    record.return_reported_by = by
    record.return_reported_at = timezone.now()
    record.return_report_reason = reason
    model_save(record, by=by)
    return lag


def require_return_date(record, returned_on, message: str) -> None:
    """Confirming a return nobody reported needs its date (field ``returned_on``)."""
    if returned_on is None and record.return_reported_on is None:
        raise ValidationError({"returned_on": [message]})


def notify_overdue(records, *, as_of: dt.date, others, kind: str, title: str, url, key: str) -> int:
    """R-23 / R-27: each leave or trip a working day past its end and not back: tell the village secretary and
    ``others(record)`` once per record (``title`` with %(n)s the cadre and %(d)s the end; the notice key
    ``<key>:<pk>``). Returns how many records were newly flagged."""
    flagged = 0
    for record in records:
        cadre = record.cadre
        if not calendar.working_days(record.end_date + dt.timedelta(days=1), as_of, county=county_id(cadre)):
            continue
        users = list(users_with_role(Role.VILLAGE_SECRETARY, village=cadre.village)) + others(record)
        created = notify(users=users, kind=kind, title=title % {"n": cadre.name, "d": record.end_date},
                         url=url(record), key=f"{key}:{record.pk}")
        flagged += bool(created)
    return flagged


def leave_url(leave) -> str:
    return reverse("attendance:leave_detail", args=[leave.pk])


def approvers(leave):
    """Who must decide: the fixed approver, or the tier the request was escalated to (issue 12 item 5), and
    a deputy one of them named for today."""
    if leave.escalated_to == Role.TOWNSHIP_PARTY:
        return users_with_role(Role.TOWNSHIP_PARTY, township=leave.cadre.village.township)
    role = leave.escalated_to or leave.approver_role
    deputies = running_deputies(role=role, village_id=leave.cadre.village_id).values("deputy_id")
    holders = users_with_role(role, village=leave.cadre.village).values("pk")
    return User.objects.filter(Q(pk__in=holders) | Q(pk__in=deputies), is_active=True)


def close_on_return(record, *, returned_on, note, status, check_date, correction_needs_note) -> dt.date | None:
    """R-23 / R-27: the approving (recording) side closes a leave or trip on the reported return date (when
    ``returned_on`` is None) or a corrected one, checked by ``check_date``; a correction needs a note
    (``correction_needs_note`` with %(d)s the date and %(r)s the reported one). Sets ``status``, the date
    and the note (the caller records who and when, and saves); returns the reported date a correction
    replaced, else None."""
    note = (note or "").strip()
    if returned_on is None:
        returned_on = record.return_reported_on
    check_date(record, returned_on)
    reported = record.return_reported_on
    corrected = reported is not None and returned_on != reported
    if corrected and not note:
        raise ValidationError({"note": [correction_needs_note % {"d": returned_on, "r": reported}]})
    record.status = status
    record.returned_on = returned_on
    record.return_note = note
    return reported if corrected else None
