from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.tasks import check_absence_thresholds
from core.management.daily_job import DailyJobCommand


class Command(DailyJobCommand):
    help = "R-25: open discipline cases for absence over 15 consecutive / 30 yearly working days (idempotent)."
    bad_date = gettext_lazy("日期格式应为 YYYY-MM-DD，例如 2026-03-01。")

    def run_job(self, as_of):
        opened = check_absence_thresholds(as_of=as_of)
        self.stdout.write(self.style.SUCCESS(_("检查完成，新立案 %(n)s 件。") % {"n": opened}))
