import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from attendance.tasks import check_absence_thresholds


class Command(BaseCommand):
    help = "R-25: open discipline cases for absence over 15 consecutive / 30 yearly working days (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, as_of=None, **options):
        if as_of:
            try:
                as_of = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(_("日期格式应为 YYYY-MM-DD，例如 2026-03-01。")) from exc
        opened = check_absence_thresholds(as_of=as_of)
        self.stdout.write(self.style.SUCCESS(_("检查完成，新立案 %(n)s 件。") % {"n": opened}))
        return None
