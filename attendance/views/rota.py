"""R-28 duty rota (值班表): the township's view of its villages' month (printable as PDF and Excel), a
village's month (drawn from a pattern, edited by day), missed duties (值班缺岗) and the township's schedule."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from attendance import permissions
from attendance.models import DutySchedule
from attendance.rota_exports import misses_xlsx, rota_pdf, rota_xlsx
from attendance.rota_selectors import (
    DutyMissFilter,
    RotaVillageFilter,
    duty_days,
    duty_miss_list,
    month_misses,
    month_shifts,
    rota_village_list,
    schedule_list,
    schedule_townships,
    village_cadres,
)
from attendance.services import rota as rota_services
from attendance.views._common import filtered_page, month_param
from core import calendar
from core.dates import deadline_errors, month_bounds, parse_month, today
from core.excel import xlsx_response
from core.forms import BootstrapMixin, DateInput
from core.models import Township
from core.pdf import pdf_response
from core.scope import get_scope
from core.web import apply_errors, require_scope, submit

WEEKDAYS = [gettext_lazy("周一"), gettext_lazy("周二"), gettext_lazy("周三"), gettext_lazy("周四"),
            gettext_lazy("周五"), gettext_lazy("周六"), gettext_lazy("周日")]
#: villages side by side on one page of the township view (columns on a desktop, blocks on a phone)
VILLAGES_PER_PAGE = 8
#: the most villages one printout holds (a township has a few dozen)
EXPORT_MAX = 200


def _in_window(year: int, month: int) -> bool:
    """A month the rota pages open: within the plausible window of dates (core.dates), so a crafted year far
    ahead is not a page (the calendar of such a year cannot even be computed)."""
    return not deadline_errors(dt.date(year, month, 1), field="month")


def _month_of(request):
    year, month = month_param(request, today())
    if not _in_window(year, month):
        return today().year, today().month
    return year, month


def _readable(request):
    if not permissions.can_read_rota(get_scope(request.user)):
        raise PermissionDenied(_("值班表由村党组织书记、包村领导、乡（镇）党委和县委组织部查看。"))


def _month_days(year, month, county_id):
    first, last = month_bounds(year, month)
    work = set(calendar.working_days(first, last, county=county_id))
    out, day = [], first
    while day <= last:
        out.append({"date": day, "weekday": WEEKDAYS[day.weekday()], "workday": day in work})
        day += dt.timedelta(days=1)
    return out


def month_table(villages, year: int, month: int):
    """Rows of the township view: one per day, a cell per village with who is on duty and missed duties."""
    ids = [v.pk for v in villages]
    shifts, misses = month_shifts(ids, year, month), month_misses(ids, year, month)
    county_id = villages[0].township.county_id if villages else None
    rows = []
    for day in _month_days(year, month, county_id):
        day["cells"] = [{"village": v, "people": [s.person for s in shifts.get((v.pk, day["date"]), [])],
                         "missed": [m.person for m in misses.get((v.pk, day["date"]), [])]} for v in villages]
        rows.append(day)
    return rows


def _month_links(year, month):
    prev = dt.date(year, month, 1) - dt.timedelta(days=1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return f"{prev:%Y-%m}", f"{nxt:%Y-%m}"


@login_required
def rota_index(request):
    """R-28: the township sees who is on duty in each of its villages, day by day (a village user its own)."""
    _readable(request)
    scope = get_scope(request.user)
    year, month = _month_of(request)
    flt, page = filtered_page(request, RotaVillageFilter, rota_village_list(user=request.user), VILLAGES_PER_PAGE)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        villages = list((flt.qs if flt.is_bound and flt.is_valid() else rota_village_list(user=request.user))[:EXPORT_MAX])
        rows = month_table(villages, year, month)
        title = _("%(y)s年%(m)s月村级值班表") % {"y": year, "m": month}
        if fmt == "xlsx":
            return xlsx_response(rota_xlsx(title, villages, rows), f"{title}.xlsx")
        return pdf_response(rota_pdf(title, villages, rows), f"{title}.pdf")
    villages = list(page)
    for v in villages:
        v.can_edit = permissions.can_edit_rota(scope, v)
    prev, nxt = _month_links(year, month)
    return render(request, "attendance/rota/index.html", {
        "filter": flt, "page_obj": page, "villages": villages, "rows": month_table(villages, year, month),
        "month": f"{year:04d}-{month:02d}", "year": year, "month_no": month, "prev": prev, "next": nxt,
        "filter_hidden": [("month", f"{year:04d}-{month:02d}")],
        "sets_schedule": permissions.sets_duty_schedules(scope)})


# -- a village's month -------------------------------------------------------------------------

class GenerateForm(BootstrapMixin, forms.Form):
    cadres = forms.ModelMultipleChoiceField(label=gettext_lazy("值班的后备干部"), required=False, queryset=None,
                                            widget=forms.CheckboxSelectMultiple)
    names = forms.CharField(label=gettext_lazy("其他值班的村干部"), required=False, max_length=300,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=gettext_lazy("不是后备干部的村干部，每行写一个姓名"))

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].queryset = village_cadres(village)
        self.fields["cadres"].label_from_instance = lambda c: c.name
        self._style()


def _village(request, village_id, *, edit=False):
    village = get_object_or_404(rota_village_list(user=request.user), pk=village_id)
    scope = require_scope(request, permissions.can_read_rota,
                          message=_("值班表由村党组织书记、包村领导、乡（镇）党委和县委组织部查看。"))
    if edit and not permissions.can_edit_rota(scope, village):
        raise PermissionDenied(_("只有本村党组织书记、包村领导或乡（镇）党委可以排值班。"))
    return village, scope


def _parse_month_or_404(value):
    try:
        year, month = parse_month(value)
    except ValueError:
        raise Http404 from None
    if not _in_window(year, month):
        raise Http404
    return year, month


@login_required
def rota_village(request, village_id, month):
    """R-28: a village's month: who is on duty each day; the secretary draws it from a pattern."""
    year, mon = _parse_month_or_404(month)
    village, scope = _village(request, village_id, edit=request.method == "POST")
    can_edit = permissions.can_edit_rota(scope, village)
    form = GenerateForm(request.POST or None, village=village,
                        initial={"cadres": list(village_cadres(village))}) if can_edit else None
    if request.method == "POST" and form.is_valid():
        names = [n for n in form.cleaned_data["names"].splitlines() if n.strip()]
        try:
            rota = rota_services.rota_for(village=village, year=year, month=mon, by=request.user)
            n = rota_services.rota_generate(rota=rota, cadres=list(form.cleaned_data["cadres"]), names=names,
                                            by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已按值班安排生成%(m)s的值班表，共%(n)s人次；可逐日修改。") % {"m": month, "n": n})
            return redirect("attendance:rota_village", village.pk, month)
    rows = month_table([village], year, mon)
    needed = {d for d, _s in duty_days(village.township, year, mon)}
    for r in rows:
        r["people"], r["missed"] = r["cells"][0]["people"], r["cells"][0]["missed"]
        r["needed"] = r["date"] in needed
    prev, nxt = _month_links(year, mon)
    return render(request, "attendance/rota/village.html", {
        "village": village, "rows": rows, "month": month, "year": year, "month_no": mon, "form": form,
        "can_edit": can_edit, "prev": prev, "next": nxt, "has_schedule": bool(needed),
        "rows_filled": any(r["people"] for r in rows),
        "today": today()}, status=400 if request.method == "POST" else 200)


class DayForm(forms.Form):
    """The people on duty on one day: a reserve cadre or a name per line."""

    def __init__(self, *args, village, slots, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, slots + 1):
            self.fields[f"cadre_{i}"] = forms.ModelChoiceField(
                label=_("值班人员%(i)s") % {"i": i}, required=False, queryset=village_cadres(village),
                empty_label=_("（不选）"), widget=forms.Select(attrs={"class": "form-select"}))
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("或其他村干部姓名"), required=False, max_length=rota_services.NAME_MAX,
                widget=forms.TextInput(attrs={"class": "form-control"}))
        self.slots = slots

    def people(self):
        return [(self.cleaned_data.get(f"cadre_{i}"), self.cleaned_data.get(f"name_{i}") or "")
                for i in range(1, self.slots + 1)]

    def pairs(self):
        return [(self[f"cadre_{i}"], self[f"name_{i}"]) for i in range(1, self.slots + 1)]


class MissForm(BootstrapMixin, forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("未到岗的值班人员"))
    note = forms.CharField(label=gettext_lazy("情况说明"), max_length=200,
                           help_text=gettext_lazy("如：未到岗，电话联系不上"))
    counts_as_absence = forms.BooleanField(label=gettext_lazy("计为缺勤"), required=False,
                                           help_text=gettext_lazy("勾选后，该后备干部当天记为旷工，计入旷工天数"))

    def __init__(self, *args, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.shifts = {str(i): s for i, s in enumerate(shifts, start=1)}
        self.fields["person"].choices = [(k, s.person) for k, s in self.shifts.items()]
        self._style()


def _parse_day_or_404(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


@login_required
def rota_day(request, village_id, day):
    """R-28: one day of a village's rota: change who is on duty; record a missed duty (值班缺岗)."""
    date = _parse_day_or_404(day)
    if not _in_window(date.year, date.month):
        raise Http404
    village, scope = _village(request, village_id)
    can_edit = permissions.can_edit_rota(scope, village)
    can_miss = permissions.can_record_missed_duty(scope, village) and date <= today()
    shifts = month_shifts([village.pk], date.year, date.month).get((village.pk, date), [])
    schedule = next((s for d, s in duty_days(village.township, date.year, date.month) if d == date), None)
    slots = max(schedule.per_day if schedule else 1, len(shifts)) + 1
    initial = {}
    for i, s in enumerate(shifts, start=1):
        initial[f"cadre_{i}"] = s.cadre_id
        initial[f"name_{i}"] = s.name
    action = request.POST.get("action") if request.method == "POST" else None
    day_form = DayForm(request.POST if action == "day" else None, village=village, slots=slots, initial=initial)
    miss_form = MissForm(request.POST if action == "miss" else None, shifts=shifts) if can_miss and shifts else None
    month = f"{date:%Y-%m}"
    if action == "day":
        if not can_edit:
            raise PermissionDenied(_("只有本村党组织书记、包村领导或乡（镇）党委可以排值班。"))
        if day_form.is_valid():
            try:
                rota = rota_services.rota_for(village=village, year=date.year, month=date.month, by=request.user)
                rota_services.rota_set_day(rota=rota, date=date, people=day_form.people(), by=request.user)
            except ValidationError as exc:
                for msgs in exc.message_dict.values():
                    for m in msgs:
                        day_form.add_error(None, m)
            else:
                messages.success(request, _("已保存%(d)s的值班人员。") % {"d": date})
                return redirect("attendance:rota_village", village.pk, month)
    elif action == "miss":
        if miss_form is None:
            raise PermissionDenied(_("只有本村党组织书记或乡（镇）党委可以登记值班缺岗，且只能登记今天及以前的。"))
        if miss_form.is_valid():
            shift = miss_form.shifts[miss_form.cleaned_data["person"]]
            try:
                rota_services.duty_miss_record(
                    village=village, date=date, cadre=shift.cadre, name=shift.name, by=request.user,
                    note=miss_form.cleaned_data["note"], counts_as_absence=miss_form.cleaned_data["counts_as_absence"])
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    for m in msgs:
                        miss_form.add_error(field if field in miss_form.fields else None, m)
            else:
                messages.success(request, _("已登记%(n)s在%(d)s值班缺岗。") % {"n": shift.person, "d": date})
                return redirect("attendance:rota_day", village.pk, day)
    elif action is not None:
        raise Http404
    misses = duty_miss_list(user=request.user).filter(village=village, date=date)
    return render(request, "attendance/rota/day.html", {
        "village": village, "date": date, "weekday": WEEKDAYS[date.weekday()], "month": month,
        "shifts": shifts, "schedule": schedule, "day_form": day_form, "miss_form": miss_form, "can_edit": can_edit,
        "misses": misses, "can_undo": permissions.can_record_missed_duty(scope, village)},
        status=400 if request.method == "POST" else 200)


# -- missed duties ---------------------------------------------------------------------------------

@login_required
def duty_miss_index(request):
    """R-28: the missed duties in scope (search, filters, pages, Excel); an undo for those who record them."""
    _readable(request)
    scope = get_scope(request.user)
    flt, page = filtered_page(request, DutyMissFilter, duty_miss_list(user=request.user))
    if request.GET.get("format") == "xlsx":
        rows = (flt.qs if flt.is_bound and flt.is_valid() else duty_miss_list(user=request.user))[:5000]
        return xlsx_response(misses_xlsx(rows), _("值班缺岗登记.xlsx"))
    for m in page:
        m.can_undo = not m.undone and permissions.can_record_missed_duty(scope, m.village)
    return render(request, "attendance/rota/misses.html", {"filter": flt, "page_obj": page})


@login_required
@require_POST
def duty_miss_undo(request, pk):
    miss = get_object_or_404(duty_miss_list(user=request.user), pk=pk)
    if not permissions.can_record_missed_duty(get_scope(request.user), miss.village):
        raise PermissionDenied(_("只有本村党组织书记或乡（镇）党委可以撤销值班缺岗。"))
    if miss.undone:
        messages.info(request, _("该缺岗记录已撤销。"))
    else:
        rota_services.duty_miss_undo(miss=miss, by=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("已撤销%(n)s在%(d)s的值班缺岗。") % {"n": miss.person, "d": miss.date}
                         + (_("当天的旷工记录已清除。") if miss.counts_as_absence else ""))
    nxt = request.POST.get("next") or ""
    if nxt == "day":
        return redirect("attendance:rota_day", miss.village_id, f"{miss.date:%Y-%m-%d}")
    return redirect(reverse("attendance:duty_misses"))


# -- the township's schedule ---------------------------------------------------------------------

class ScheduleForm(BootstrapMixin, forms.Form):
    township = forms.ModelChoiceField(label=gettext_lazy("乡（镇）"), queryset=Township.objects.none())
    valid_from = forms.DateField(label=gettext_lazy("起用日期"), widget=DateInput())
    days = forms.ChoiceField(label=gettext_lazy("值班日"), choices=DutySchedule.Days.choices)
    holidays = forms.BooleanField(label=gettext_lazy("节假日也须值班"), required=False,
                                  help_text=gettext_lazy("周一至周五中放假的日子（如国庆、春节）也排值班"))
    per_day = forms.IntegerField(label=gettext_lazy("每天值班人数"), min_value=1, max_value=5, initial=1)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        self._style()


@login_required
def duty_schedule_index(request):
    """R-28: the townships' duty schedules; the township party committee (or a liaison) sets its own."""
    _readable(request)
    townships = schedule_townships(user=request.user)
    can_set = townships.exists()
    form = ScheduleForm(request.POST or None, townships=townships,
                        initial={"valid_from": today().replace(day=1), "township": townships.first()}) if can_set else None
    if request.method == "POST" and form is None:
        raise PermissionDenied(_("只有乡（镇）党委或包村领导可以制定值班安排。"))
    done = submit(request, form, lambda d: rota_services.duty_schedule_save(by=request.user, **d),
                  done=_("已保存值班安排。"), to=reverse("attendance:duty_schedules")) if form is not None else None
    if done:
        return done
    rows = schedule_list(user=request.user)[:200]
    return render(request, "attendance/rota/schedules.html", {"rows": rows, "form": form},
                  status=400 if request.method == "POST" else 200)


__all__ = ["duty_miss_index", "duty_miss_undo", "duty_schedule_index", "rota_day", "rota_index", "rota_village"]
