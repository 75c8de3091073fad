from django.core.management.base import BaseCommand

from core.schedules import ensure_schedules


class Command(BaseCommand):
    help = "Creates the Celery beat schedules of the scheduled jobs that do not exist yet."

    def handle(self, *args, **options):
        n = ensure_schedules()
        self.stdout.write(f"scheduled jobs: {n} created")
