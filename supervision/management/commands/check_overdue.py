import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from supervision.tasks import check_overdue


class Command(BaseCommand):
    help = "Daily overdue check: talks (R-53), attachment (R-52), notices (R-56), incapacity (R-26), unpaid (R-44)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, as_of=None, **options):
        if as_of:
            try:
                dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(_("日期格式应为 YYYY-MM-DD，例如 2026-07-01。")) from exc
        result = check_overdue(as_of=as_of)
        self.stdout.write(_("逾期检查完成：%(r)s") % {"r": result})
