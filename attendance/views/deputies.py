"""Issue 12 item 5: who decides leave in an approver's place for a date range (审批代理)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from attendance.models import LeaveRequest
from attendance.selectors import deputy_choices, deputy_list
from attendance.services import deputies as deputy_services
from core.dates import today
from core.forms import BootstrapMixin, DateInput, VillageChoiceField
from core.models import User, Village
from core.scope import get_scope
from core.web import submit


class DeputyForm(BootstrapMixin, forms.Form):
    principal = forms.ModelChoiceField(label=gettext_lazy("审批人"), queryset=User.objects.none())
    role = forms.ChoiceField(label=gettext_lazy("代理的审批角色"), choices=LeaveRequest.APPROVER_ROLES)
    village = VillageChoiceField(label=gettext_lazy("村"), queryset=Village.objects.none())
    deputy = forms.ModelChoiceField(label=gettext_lazy("代理人"), queryset=User.objects.none(),
                                    help_text=gettext_lazy("本村的村党组织书记、包村领导或本乡（镇）党委成员"))
    start_date = forms.DateField(label=gettext_lazy("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("结束日期"), widget=DateInput())
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False,
                           help_text=gettext_lazy("如：外出学习、住院"))

    def __init__(self, *args, principals, villages, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["principal"].queryset = principals
        self.fields["village"].queryset = villages.select_related("township")
        self.fields["deputy"].queryset = deputies
        self._style()


@login_required
def deputy_index(request):
    scope = get_scope(request.user)
    principals, villages, deputies = deputy_choices(user=request.user)
    if not villages.exists() and not scope.deputy_for():
        raise PermissionDenied(_("审批代理由村党组织书记、包村领导或乡（镇）党委指定。"))
    rows = deputy_list(user=request.user, villages=villages)[:200]
    form = DeputyForm(request.POST or None, principals=principals, villages=villages, deputies=deputies,
                      initial={"principal": request.user.pk, "start_date": today()})
    done = submit(request, form, lambda d: deputy_services.deputy_name(by=request.user, **d),
                  done=lambda row: _("已指定%(d)s在%(a)s至%(b)s代为审批。") % {
                      "d": row.deputy, "a": row.start_date, "b": row.end_date},
                  to=reverse("attendance:deputies"))
    return done or render(request, "attendance/deputies.html", {"form": form, "rows": rows, "today": today(),
                                                        "can_name": villages.exists()},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def deputy_cancel(request, pk):
    _p, villages, _d = deputy_choices(user=request.user)
    row = get_object_or_404(deputy_list(user=request.user, villages=villages).filter(
        Q(village__in=villages) | Q(principal=request.user)), pk=pk)
    deputy_services.deputy_cancel(deputyship=row, by=request.user)
    messages.success(request, _("已取消代理。"))
    return redirect("attendance:deputies")
