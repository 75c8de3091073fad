"""County_org: when the scheduled jobs run (django-celery-beat rows) and how their last runs went."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from core.audit import record_event
from core.models import JobRun
from core.schedules import SCHEDULES, label_for_task
from core.web import require_county_org

TRIGGERS = {"celery": gettext_lazy("按时执行"), "catch_up": gettext_lazy("补做")}


class ScheduleForm(forms.Form):
    """When one job runs, in the words of its kind (core/schedules.py): a time of day, a day of the month and
    a time, or an interval in minutes. Turned into the beat row's crontab here."""

    at = forms.TimeField(label=gettext_lazy("执行时间"), required=False, input_formats=["%H:%M"],
                         error_messages={"invalid": gettext_lazy("时间应为 00:00 至 23:59 之间，例如 02:30。")})
    day_of_month = forms.IntegerField(label=pgettext_lazy("day of month", "每月几日"), required=False,
                                      min_value=1, max_value=28,
                                      error_messages={"min_value": gettext_lazy("每月几日应为 1 至 28（每个月都有的日子）。"),
                                                      "max_value": gettext_lazy("每月几日应为 1 至 28（每个月都有的日子）。"),
                                                      "invalid": gettext_lazy("每月几日应为 1 至 28（每个月都有的日子）。")})
    every = forms.IntegerField(label=gettext_lazy("每隔几分钟"), required=False, min_value=1, max_value=59,
                               error_messages={"min_value": gettext_lazy("间隔应为 1 至 59 分钟。"),
                                               "max_value": gettext_lazy("间隔应为 1 至 59 分钟。"),
                                               "invalid": gettext_lazy("间隔应为 1 至 59 分钟。")})
    enabled = forms.BooleanField(label=gettext_lazy("启用"), required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self):
        data = super().clean()
        need = {"daily": ["at"], "monthly": ["day_of_month", "at"], "every_minutes": ["every"]}[self.kind]
        for name in need:
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("请填写%(f)s。") % {"f": self.fields[name].label})
        return data

    def crontab(self) -> dict:
        d = self.cleaned_data
        if self.kind == "every_minutes":
            return {"minute": f"*/{d['every']}", "hour": "*", "day_of_month": "*"}
        return {"minute": str(d["at"].minute), "hour": str(d["at"].hour),
                "day_of_month": str(d["day_of_month"]) if self.kind == "monthly" else "*"}


def _shown(item, task) -> dict:
    """A job's current time in the fields of its kind."""
    cron = task.crontab
    row = {"task": task, "kind": item["kind"], "label": item["label"], "description": item["description"]}
    if cron is None:
        return row
    if item["kind"] == "every_minutes":
        row["every"] = cron.minute.removeprefix("*/") if cron.minute.startswith("*/") else ""
    elif cron.hour.isdigit() and cron.minute.isdigit():
        row["at"] = f"{int(cron.hour):02d}:{int(cron.minute):02d}"
        row["day_of_month"] = cron.day_of_month if cron.day_of_month.isdigit() else ""
    return row


def _require_org(user):
    require_county_org(user, _("只有县委组织部可以调整定时任务。"))


@login_required
def schedules(request):
    _require_org(request.user)
    names = [s["name"] for s in SCHEDULES]
    tasks = {t.name: t for t in PeriodicTask.objects.filter(name__in=names).select_related("crontab")}
    if request.method == "POST":
        task = tasks.get(request.POST.get("name"))
        item = next((i for i in SCHEDULES if task is not None and i["name"] == task.name), None)
        form = ScheduleForm(request.POST, kind=item["kind"] if item else "daily")
        if task is None:
            messages.error(request, _("没有这个定时任务。"))
        elif form.is_valid():
            d = form.cleaned_data
            with transaction.atomic():
                cron, _c = CrontabSchedule.objects.get_or_create(
                    **form.crontab(), month_of_year="*", day_of_week="*", timezone="Asia/Shanghai")
                before = f"{task.crontab.minute} {task.crontab.hour} {task.crontab.day_of_month} " \
                         f"enabled={task.enabled}" if task.crontab else ""
                task.crontab = cron
                task.enabled = d["enabled"]
                task.save()
                record_event(request, "schedule_change", "success", detail=(
                    f"{task.name}: {before} → {cron.minute} {cron.hour} {cron.day_of_month} enabled={task.enabled}"))
            messages.success(request, _("已保存“%(n)s”的执行时间。") % {"n": item["label"]})
            return redirect("schedules")
        else:
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    rows = []
    for item in SCHEDULES:
        task = tasks.get(item["name"])
        if task is not None:
            rows.append(_shown(item, task))
    runs = list(JobRun.objects.order_by("-started_at")[:30])
    for r in runs:
        r.label = label_for_task(r.job)
        r.trigger_label = TRIGGERS.get(r.trigger, "")
    return render(request, "core/schedules.html", {"rows": rows, "runs": runs})
