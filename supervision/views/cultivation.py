"""Cultivation (R-50, R-51): pairing, area groups and training."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres.models import Cadre
from cadres.selectors import cadre_list
from core.dates import today
from core.filters import is_id
from core.listexport import visible_list_export
from core.roles import Role
from core.scope import get_scope
from core.selectors import users_with_role
from supervision import forms, selectors, services
from supervision import permissions as perms
from supervision.filters import GroupFilter, PairingFilter, TrainingFilter
from supervision.views.common import (
    form_page,
    managed_townships,
    page,
    record_list,
    record_list_view,
    recordable_cadres,
    submit,
)

# -- pairing (R-50) ----------------------------------------------------------------------------------------

@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def pairing_index(request):
    return record_list(request, "supervision/pairing_list.html", selectors.pairing_overview(user=request.user),
                       PairingFilter, skip=("village", "missing"),
                       missing_count=selectors.pairing_missing(user=request.user).count())


@login_required
def pairing_edit(request, cadre_pk):
    cadre = get_object_or_404(cadre_list(user=request.user), pk=cadre_pk)
    perms.require(perms.can_record_for(get_scope(request.user), cadre), _("结对帮带由本乡（镇）党委安排。"))
    leaders = selectors.contact_leaders(cadre.village.township).order_by("full_name")
    pairing = getattr(cadre, "pairing", None)
    initial = {}
    if pairing:
        initial = {"contact_leader": pairing.contact_leader_id, "paired_user": pairing.paired_user_id,
                   "paired_name": pairing.paired_name, "paired_post": pairing.paired_post, "note": pairing.note}
    village_users = users_with_role(Role.VILLAGE_SECRETARY, village=cadre.village).order_by("full_name")
    form = forms.PairingForm(request.POST or None, leaders=leaders, village_users=village_users, initial=initial)
    done = submit(request, form, lambda d: services.pairing_set(cadre=cadre, by=request.user, **d),
                  done=_("已保存%(n)s的结对帮带。") % {"n": cadre.name}, to="supervision:pairing_list")
    return done or form_page(request, form, _("结对帮带：%(n)s（%(v)s）") % {"n": cadre.name, "v": cadre.village},
                             "supervision:pairing_list")


# -- area groups (R-50) --------------------------------------------------------------------------------------

group_index = record_list_view(lambda user: selectors.area_group_list(user=user).order_by("township__code", "name"),
                               "supervision/group_list.html", GroupFilter, skip=())


@login_required
def group_edit(request, pk=None):
    scope = get_scope(request.user)
    group = get_object_or_404(selectors.area_group_list(user=request.user), pk=pk) if pk else None
    if group:
        perms.require(perms.can_record_at(scope, group.township))
    else:
        perms.require(perms.can_record_somewhere(scope), _("片区小组由乡（镇）党委设立。"))
    initial = {"township": group.township_id, "name": group.name, "leader": group.leader, "note": group.note,
               "members": list(group.members.values_list("pk", flat=True))} if group else {}
    townships = managed_townships(request)
    township = _group_township(request, group, townships)
    cadres = recordable_cadres(request).filter(village__township=township) if township else Cadre.objects.none()
    form = forms.AreaGroupForm(request.POST or None, townships=townships, cadres=cadres, initial=initial)
    if township is None:
        form.fields["members"].help_text = _("先选择乡（镇）并保存，再勾选成员。")
    done = submit(request, form, lambda d: services.area_group_save(group=group, by=request.user, **d),
                  done=lambda g: _("已保存片区小组“%(n)s”。") % {"n": g.name},
                  to=lambda g: reverse("supervision:group_detail", args=[g.pk]))
    return done or form_page(request, form, _("片区小组"), "supervision:group_list")


def _group_township(request, group, townships):
    """The township whose cadres the group form offers as members (issue 19: never every cadre of a province):
    the one posted, else the group's, else the user's only one; none while the user has several to choose from."""
    posted = request.POST.get("township", "") if request.method == "POST" else ""
    if is_id(posted):
        return townships.filter(pk=int(posted)).first()
    if group is not None:
        return group.township
    only = list(townships[:2])
    return only[0] if len(only) == 1 else None


@login_required
def group_detail(request, pk):
    group = get_object_or_404(selectors.area_group_list(user=request.user), pk=pk)
    can_edit = perms.can_record_at(get_scope(request.user), group.township)
    form = forms.GroupActivityForm(request.POST or None, initial={"held_on": today()})
    if request.method == "POST":
        perms.require(can_edit)
    done = submit(request, form, lambda d: services.group_activity_record(group=group, by=request.user, **d),
                  done=_("已登记活动。"), to=reverse("supervision:group_detail", args=[group.pk]))
    return done or render(request, "supervision/group_detail.html", {
        "group": group, "members": group.members.select_related("village").order_by("village__code", "name"),
        "activities": page(request, group.activities.all()), "form": form, "can_edit": can_edit,
    })


# -- training (R-51) ---------------------------------------------------------------------------------------

training_index = record_list_view(
    lambda user: selectors.training_session_list(user=user).order_by("-held_on", "-pk"),
    "supervision/training_list.html", TrainingFilter, skip=())


@login_required
def training_create(request):
    perms.require(perms.can_record_somewhere(get_scope(request.user)), _("培训由乡（镇）党委组织登记。"))
    form = forms.TrainingForm(request.POST or None, townships=managed_townships(request),
                              initial={"held_on": today()})
    done = submit(request, form, lambda d: services.training_session_save(by=request.user, **d),
                  done=_("已登记培训，请勾选参加人员。"),
                  to=lambda s: reverse("supervision:training_detail", args=[s.pk]))
    return done or form_page(request, form, _("登记“清雁竞飞”培训"), "supervision:training_list")


@login_required
def training_detail(request, pk):
    session = get_object_or_404(selectors.training_session_list(user=request.user), pk=pk)
    can_edit = perms.can_record_at(get_scope(request.user), session.township)
    cadres = list(cadre_list(user=request.user).filter(village__township=session.township).filter(
        Q(status=Cadre.Status.ACTIVE) | Q(training_attendance__session=session)).distinct()
        .order_by("village__code", "name"))
    marked = {a.cadre_id: a for a in session.attendance.all()}
    if request.method == "POST":
        perms.require(can_edit)
        chosen = {int(x) for x in request.POST.getlist("present") if x.isdigit()}
        present = [c for c in cadres if c.pk in chosen]
        absent = [c for c in cadres if c.pk not in chosen and c.status == Cadre.Status.ACTIVE]
        try:
            services.training_attendance_set(session=session, present_cadres=present, absent_cadres=absent,
                                             by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存出勤：到场 %(n)s 人。") % {"n": len(present)})
            return redirect("supervision:training_detail", pk=session.pk)
    rows = [{"cadre": c, "att": marked.get(c.pk)} for c in cadres]
    return render(request, "supervision/training_detail.html", {"session": session, "rows": rows,
                                                                "can_edit": can_edit})
