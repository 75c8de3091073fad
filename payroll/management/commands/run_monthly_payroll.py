from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from payroll.tasks import run_monthly_payroll


class Command(BaseCommand):
    help = "R-42: build the draft pay run of a month (default: the previous month) for every county."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the previous month)")

    def handle(self, *args, month=None, **options):
        try:
            result = run_monthly_payroll(month=month)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(_("%(m)s：已生成 %(b)s 个县的报酬发放草稿，跳过 %(s)s 个（已审定或未设置标准）。") % {
            "m": result["month"], "b": len(result["built"]), "s": len(result["skipped"])}))
