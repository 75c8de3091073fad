"""Notices (R-56): the county issues, the township or village answers, the county sends the answer back for
rework (issue 13) or closes it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.audit import history_rows
from core.dates import today
from core.errors import Conflict
from core.listexport import visible_list_export
from core.scope import get_scope
from core.selectors import county_list, township_list, village_list
from core.web import apply_errors
from supervision import forms, policies, selectors, services
from supervision import permissions as perms
from supervision.filters import NoticeFilter
from supervision.models import Notice, VisitFinding
from supervision.services import visits as visit_services
from supervision.views.common import form_page, int_or_none, record_list, submit


@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def notice_index(request):
    return record_list(request, "supervision/notice_list.html",
                       selectors.notice_list(user=request.user).order_by("-issued_on", "-pk"), NoticeFilter,
                       skip=("village", "overdue"), may_create=perms.can_issue_notices, today=today(),
                       can_view_visits=perms.can_view_visits(get_scope(request.user)))


@login_required
def notice_create(request):
    """R-56. Accepts initial values from GET: township, village (ids), title, body, due_on (the payroll
    app links here to draft a notice about unpaid stipends)."""
    scope = get_scope(request.user)
    county_ids = [c.pk for c in county_list(user=request.user) if perms.can_issue_notice(scope, c)]
    perms.require(bool(county_ids), _("只有县委组织部可以发出通报。"))
    townships = township_list(user=request.user).filter(county_id__in=county_ids).order_by("code")
    villages = village_list(user=request.user).filter(township__county_id__in=county_ids).order_by("code")
    initial = {k: request.GET.get(k) for k in ("township", "village", "title", "body", "due_on") if request.GET.get(k)}
    if initial.get("village") and not initial.get("township"):
        v = villages.filter(pk=int_or_none(initial["village"])).first()
        if v:
            initial["township"] = v.township_id
    initial.setdefault("due_on", today() + dt.timedelta(days=15))
    form = forms.NoticeForm(request.POST or None, townships=townships, villages=villages, initial=initial)

    # opened from a finding of a county visit, the notice is linked back to it once issued
    finding = VisitFinding.objects.filter(
        pk=int_or_none(request.GET.get("finding")) or 0,
        visit__in=selectors.visit_list(user=request.user)).select_related("visit", "notice").first()

    def write(d):
        unit = d.get("village") or d.get("township")
        county = unit.township.county if d.get("village") else unit.county
        notice = services.notice_issue(county=county, township=d.get("township"), village=d.get("village"),
                                       title=d["title"], body=d["body"], due_on=d["due_on"], by=request.user)
        if finding is not None:
            visit_services.finding_link_notice(finding=finding, notice=notice, by=request.user)
        return notice

    done = submit(request, form, write, done=_("通报已发出，被通报单位已收到通知。"),
                  to=lambda n: reverse("supervision:notice_detail", args=[n.pk]))
    return done or form_page(request, form, _("发出通报"), "supervision:notice_list")


@login_required
def notice_detail(request, pk):
    notice = get_object_or_404(selectors.notice_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    may = {"answer": perms.can_answer_notice(scope, notice), "close": perms.can_close_notice(scope, notice),
           "send_back": perms.can_send_back_notice(scope, notice)}
    action = request.POST.get("action")
    answer_form = forms.NoticeAnswerForm(request.POST if action == "answer" else None,
                                         initial={"answer": "" if notice.sent_back else notice.answer})
    close_form = forms.NoticeCloseForm(request.POST if action == "close" else None)
    send_back_form = forms.NoticeSendBackForm(request.POST if action == "send_back" else None)
    here = reverse("supervision:notice_detail", args=[notice.pk])
    steps = {  # action: (form, service, refusal, done)
        "answer": (answer_form, lambda d: services.notice_answer(notice=notice, answer=d["answer"], by=request.user),
                   _("只有被通报的单位可以反馈整改情况。"), _("已反馈整改情况，等待县委组织部销号。")),
        "close": (close_form, lambda d: services.notice_close(notice=notice, note=d["note"], by=request.user),
                  _("只有县委组织部可以销号。"), _("已销号。")),
        "send_back": (send_back_form,
                      lambda d: services.notice_send_back(notice=notice, comment=d["comment"], by=request.user),
                      _("只有县委组织部可以退回整改反馈。"), _("已退回重改，被通报单位已收到退回意见。")),
    }
    if request.method == "POST" and action in steps:
        form, write, refusal, done = steps[action]
        perms.require(may[action], refusal)
        if form.is_valid():
            try:
                write(form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(here)
            else:
                messages.success(request, done)
                return redirect(here)
    ctx = {"notice": notice, "can_answer": may["answer"] and notice.status != Notice.Status.CLOSED,
           "can_close": may["close"] and notice.status == Notice.Status.ANSWERED,
           "can_send_back": may["send_back"] and notice.status == Notice.Status.ANSWERED,
           "answer_form": answer_form, "close_form": close_form, "send_back_form": send_back_form,
           "events": notice.events.select_related("by"),
           "overdue": notice.status == Notice.Status.OPEN and policies.notice_overdue(due_on=notice.due_on,
                                                                                      as_of=today())}
    if perms.can_see_history(scope, county=notice.county):
        ctx["history"] = history_rows(notice)
    return render(request, "supervision/notice_detail.html", ctx)
