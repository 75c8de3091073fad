import json

from django.core.management.base import BaseCommand

from core import jobs


class Command(BaseCommand):
    help = ("Runs the missed periods of the scheduled jobs (after an outage) in this process and sends the "
            "tasks kept while the broker was down. Safe to run at any time: the jobs are idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list the missed periods")
        parser.add_argument("--no-send", action="store_true", help="do not send the kept tasks to the broker")

    def handle(self, *args, dry_run=False, no_send=False, **options):
        if dry_run:
            for job in jobs.SCHEDULED:
                missed = jobs.missed_periods(job)
                self.stdout.write(f"{job.task}: {', '.join(missed) or '-'}")
            return
        result = jobs.catch_up(send=not no_send)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
