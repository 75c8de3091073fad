"""Talks (R-53): the list, recording one, its page and its correction (issue 13), who is due or overdue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.dates import today
from core.filters import TownshipPick, cadre_pick
from core.scope import get_scope
from supervision import forms, policies, selectors, services
from supervision import permissions as perms
from supervision.filters import TalkFilter
from supervision.models import Talk
from supervision.views.common import (
    as_of,
    correction_history,
    form_page,
    int_or_none,
    managed_townships,
    record_list_view,
    record_page,
    submit,
    talk_cadres,
)

talk_index = record_list_view(lambda user: selectors.talk_list(user=user).order_by("-held_on", "-pk"),
                              "supervision/talk_list.html", TalkFilter, may_create=perms.can_record_talks)


@login_required
def talk_create(request):
    kinds = perms.talk_kinds(get_scope(request.user))
    perms.require(bool(kinds), _("谈话考察、集体谈话由乡（镇）党委登记，谈心谈话由村党组织书记登记。"))
    initial = {"held_on": today(), "kind": request.GET.get("kind") or kinds[0],
               "cadre": request.GET.get("cadre"), "township": request.GET.get("township")}
    form = forms.TalkForm(request.POST or None, cadres=talk_cadres(request), townships=managed_townships(request),
                          kinds=kinds, initial=initial)
    cadre_pick(form, "supervision.talk")

    def write(d):
        return services.talk_record(
            kind=d["kind"], cadre=d.get("cadre") if d["kind"] != Talk.Kind.COLLECTIVE else None,
            township=d.get("township"), held_on=d["held_on"], interviewer=d["interviewer"], record=d["record"],
            mood_swing=d.get("mood_swing", False), by=request.user)

    done = submit(request, form, write, to="supervision:talk_list",
                  done=lambda t: _("已登记%(k)s（%(d)s）。") % {"k": t.get_kind_display(), "d": t.held_on})
    return done or form_page(request, form, _("登记谈话"), "supervision:talk_list")


@login_required
def talk_due(request):
    """R-53: who still needs a talk (due soon) and who was missed (overdue)."""
    day = as_of(request)
    stage = request.GET.get("stage") or policies.OVERDUE
    township_id = int_or_none(request.GET.get("township"))
    flags = [f for f in selectors.talk_flags(user=request.user, as_of=day) if f.stage == stage]
    sections = []
    for f in flags:
        rows = f.rows
        if township_id:
            rows = rows.filter(village__township_id=township_id) if f.kind == "individual" else rows.filter(
                pk=township_id)
        sections.append({"flag": f, "rows": list(rows[:500]), "count": rows.count()})
    moods = [t for t in selectors.mood_follow_ups(user=request.user, as_of=day)
             if (t.overdue == (stage == policies.OVERDUE)) and (not township_id or t.township_id == township_id)]
    return render(request, "supervision/talk_due.html", {
        "moods": moods, "can_record_heart": perms.can_record_talks(get_scope(request.user)),
        "sections": sections, "stage": stage, "as_of": day, "township_id": township_id,
        "townships": TownshipPick(user=request.user, data=request.GET),
        "can_record": perms.can_record_somewhere(get_scope(request.user)),
    })


def _talk(request, pk) -> Talk:
    return get_object_or_404(selectors.talk_list(user=request.user).select_related("recorded_by", "township__county"),
                             pk=pk)


@login_required
def talk_detail(request, pk):
    """R-53: one talk, with its corrections (issue 13)."""
    talk = _talk(request, pk)
    may = perms.can_correct_talk(get_scope(request.user), talk)
    who = (f"{talk.cadre.name}（{talk.township.name}{talk.village.name if talk.village_id else ''}）" if talk.cadre_id
           else _("%(t)s 全体后备干部") % {"t": talk.township.name})
    rows = [(_("谈话类别"), talk.get_kind_display()), (_("对象"), who), (_("谈话日期"), talk.held_on),
            (_("谈话人"), talk.interviewer), (_("谈话记录"), talk.record), (_("登记人"), talk.recorded_by or "")]
    return record_page(request, title=_("谈话记录：%(d)s %(k)s") % {"d": talk.held_on, "k": talk.get_kind_display()},
                       rows=rows, back="supervision:talk_list",
                       edit_url=reverse("supervision:talk_edit", args=[talk.pk]) if may else None,
                       attach_to=talk, attach_hint=_("谈话记录表（签字页）等，可拍照或扫描后上传。"),
                       history=correction_history(request, talk, may_correct=may, village=talk.village,
                                                  county=talk.township.county))


@login_required
def talk_edit(request, pk):
    """R-53 (issue 13): correct the date, the interviewer or the record, saying why."""
    talk = _talk(request, pk)
    perms.require(perms.can_correct_talk(get_scope(request.user), talk), perms.talk_denied_message(talk.kind))
    form = forms.TalkCorrectForm(request.POST or None, initial={
        "held_on": talk.held_on, "interviewer": talk.interviewer, "record": talk.record})
    here = reverse("supervision:talk_detail", args=[talk.pk])
    done = submit(request, form, lambda d: services.talk_correct(talk=talk, by=request.user, **d),
                  done=_("已修改谈话记录，修改原因已记入变更记录。"), to=here)
    if done:
        return done
    return render(request, "supervision/form.html", {
        "form": form, "title": _("修改谈话记录：%(d)s %(k)s") % {"d": talk.held_on, "k": talk.get_kind_display()},
        "back": here})
