"""The base of the commands that run one daily job by hand (the scheduler runs the same task every morning)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class DailyJobCommand(BaseCommand):
    """``--as-of YYYY-MM-DD`` (default: today) is read into a date, then ``run_job(as_of)`` does the work and
    writes what it did. ``bad_date`` is the command's refusal of a malformed date."""

    bad_date: str

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, as_of=None, **options):
        if as_of:
            try:
                as_of = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(str(self.bad_date)) from exc
        self.run_job(as_of)

    def run_job(self, as_of: dt.date | None) -> None:
        raise NotImplementedError
