"""
Management command for cron: do whatever the program needs done now.
"""
from django.core.management.base import BaseCommand

from openedx_distinguished import api


class Command(BaseCommand):
    """
    Release announcements whose time has come, flag renewals due and evaluate terms. Idempotent:
    schedule it hourly or daily (``./manage.py lms distinguished_run_jobs``); the same work exists
    as the Celery task ``openedx_distinguished.tasks.run_jobs``.
    """

    help = "Run the Distinguished Contributor program's scheduled work (idempotent)."

    def handle(self, *args, **options):
        def progress(done):
            self.stdout.write(f"  … {done} term(s) evaluated")

        for line in api.run_due_jobs(progress=progress if options["verbosity"] > 1 else None):
            self.stdout.write(line)
