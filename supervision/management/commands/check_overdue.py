from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.management.daily_job import DailyJobCommand
from supervision.tasks import check_overdue


class Command(DailyJobCommand):
    help = "Daily overdue check: talks (R-53), attachment (R-52), notices (R-56), incapacity (R-26), unpaid (R-44)."
    bad_date = gettext_lazy("日期格式应为 YYYY-MM-DD，例如 2026-07-01。")

    def run_job(self, as_of):
        result = check_overdue(as_of=as_of)
        self.stdout.write(_("逾期检查完成：%(r)s") % {"r": result})
