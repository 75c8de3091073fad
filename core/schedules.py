"""The scheduled jobs of docs/rules.md "Scheduled jobs", as django-celery-beat rows (county_org may
edit them in the UI; ``manage.py setup_schedules`` creates missing ones and leaves edited ones
alone). ``kind`` says how the page lets people change a job's time: "daily" (a time of day), "monthly"
(a day of the month and a time) or "every_minutes" (an interval) — nobody edits cron syntax."""

from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

SCHEDULES = [
    {"name": "monthly-payroll", "task": "payroll.tasks.run_monthly_payroll",
     "crontab": {"minute": "0", "hour": "2", "day_of_month": "1"}, "kind": "monthly",
     "label": _("生成上月报酬"), "description": _("每月1日 02:00 生成上月报酬发放")},
    {"name": "daily-absence-thresholds", "task": "attendance.tasks.check_absence_thresholds",
     "crontab": {"minute": "30", "hour": "1"}, "kind": "daily",
     "label": _("检查旷工天数"), "description": _("每日 01:30 检查旷工天数")},
    {"name": "daily-overdue", "task": "supervision.tasks.check_overdue",
     "crontab": {"minute": "0", "hour": "3"}, "kind": "daily",
     "label": _("检查逾期事项"),
     "description": _("每日 03:00 检查逾期事项：未销假、报酬未发放、谈话和考核逾期、过期草稿")},
    {"name": "daily-audit-retention", "task": "core.tasks.purge_audit_events",
     "crontab": {"minute": "30", "hour": "3"}, "kind": "daily",
     "label": _("清理过期安全审计记录"), "description": _("每日 03:30 删除超过保存期限（默认180天）的安全审计事件")},
    {"name": "export-expiry", "task": "core.tasks.expire_exports",
     "crontab": {"minute": "*/30", "hour": "*"}, "kind": "every_minutes",
     "label": _("删除过期导出文件"), "description": _("每30分钟删除超过保留时间（默认24小时）的导出文件")},
    {"name": "daily-message-digest", "task": "core.tasks.send_message_digest",
     "crontab": {"minute": "0", "hour": "7"}, "kind": "daily",
     "label": _("发送每日通知汇总邮件"), "description": _("每日 07:00 给选择了每日汇总的人发一封邮件，列出前一天的全部通知")},
    {"name": "message-resend", "task": "core.tasks.resend_deliveries",
     "crontab": {"minute": "*/10", "hour": "*"}, "kind": "every_minutes",
     "label": _("重发积压的消息"), "description": _("每10分钟把重试时间早已过去仍未发出的邮件和群机器人消息重新交给发送队列")},
    {"name": "catch-up", "task": "core.tasks.catch_up",
     "crontab": {"minute": "*/5", "hour": "*"}, "kind": "every_minutes",
     "label": _("补做错过的任务"), "description": _("每5分钟补做停机期间错过的定时任务，并发送消息队列中断时暂存的任务")},
]


def ensure_schedules() -> int:
    created = 0
    for item in SCHEDULES:
        if PeriodicTask.objects.filter(name=item["name"]).exists():
            continue
        cron, _c = CrontabSchedule.objects.get_or_create(
            timezone="Asia/Shanghai", day_of_week="*", month_of_year="*",
            **{"day_of_month": "*", **item["crontab"]})
        PeriodicTask.objects.create(name=item["name"], task=item["task"], crontab=cron,
                                    description=str(item["description"]))
        created += 1
    return created


def label_for_task(task: str) -> str:
    """The plain name of a job for a task's dotted name (what pages show instead of the task name)."""
    for item in SCHEDULES:
        if item["task"] == task:
            return str(item["label"])
    return str(_("其他任务"))
