"""County_org: when the scheduled jobs run (django-celery-beat rows) and how their last runs went."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.audit import record_event
from core.models import JobRun
from core.schedules import SCHEDULES
from core.web import require_county_org

CRON_PART = re.compile(r"^(\*|\d{1,2})(-\d{1,2})?(/\d{1,2})?(,(\*|\d{1,2})(-\d{1,2})?(/\d{1,2})?)*$")


class ScheduleForm(forms.Form):
    minute = forms.CharField(label=gettext_lazy("分"), max_length=20)
    hour = forms.CharField(label=gettext_lazy("时"), max_length=20)
    day_of_month = forms.CharField(label=pgettext_lazy("day of month", "日"), max_length=20)
    enabled = forms.BooleanField(label=gettext_lazy("启用"), required=False)

    LIMITS = {"minute": 59, "hour": 23, "day_of_month": 31}

    def clean(self):
        data = super().clean()
        for name, top in self.LIMITS.items():
            value = (data.get(name) or "").replace(" ", "")
            numbers = [int(n) for n in re.findall(r"\d+", value)]
            if not CRON_PART.match(value) or any(n > top for n in numbers) or (
                    name == "day_of_month" and 0 in numbers):
                self.add_error(name, _("格式不对：填数字（如 2）、* 表示每个，或 */5 表示每隔5；%(n)s 最大 %(t)s。") % {
                    "n": self.fields[name].label, "t": top})
            data[name] = value
        return data


def _require_org(user):
    require_county_org(user, _("只有县委组织部可以调整定时任务。"))


@login_required
def schedules(request):
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    _require_org(request.user)
    names = [s["name"] for s in SCHEDULES]
    tasks = {t.name: t for t in PeriodicTask.objects.filter(name__in=names).select_related("crontab")}
    if request.method == "POST":
        task = tasks.get(request.POST.get("name"))
        form = ScheduleForm(request.POST)
        if task is None:
            messages.error(request, _("没有这个定时任务。"))
        elif form.is_valid():
            d = form.cleaned_data
            with transaction.atomic():
                cron, _c = CrontabSchedule.objects.get_or_create(
                    minute=d["minute"], hour=d["hour"], day_of_month=d["day_of_month"], month_of_year="*",
                    day_of_week="*", timezone="Asia/Shanghai")
                before = f"{task.crontab.minute} {task.crontab.hour} {task.crontab.day_of_month} " \
                         f"enabled={task.enabled}" if task.crontab else ""
                task.crontab = cron
                task.enabled = d["enabled"]
                task.save()
                record_event(request, "schedule_change", "success", detail=(
                    f"{task.name}: {before} → {cron.minute} {cron.hour} {cron.day_of_month} enabled={task.enabled}"))
            messages.success(request, _("已保存“%(n)s”的执行时间。") % {"n": task.description or task.name})
            return redirect("schedules")
        else:
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    rows = []
    for item in SCHEDULES:
        task = tasks.get(item["name"])
        if task is not None:
            rows.append({"task": task, "description": item["description"]})
    runs = JobRun.objects.order_by("-started_at")[:30]
    return render(request, "core/schedules.html", {"rows": rows, "runs": runs})
