"""
Management command: release a cycle's announcement, publishing every pending decision at once.
"""
from django.core.management.base import BaseCommand, CommandError

from openedx_distinguished import api
from openedx_distinguished.exceptions import DistinguishedError


class Command(BaseCommand):
    """
    Release the decisions of a cycle at (or after) its announcement date. Idempotent: a cycle
    already released is reported and left as it is, so cron may run this freely.

    Example: ``./manage.py lms release_distinguished_announcement --cycle 2026``
    """

    help = "Release a cycle's announcement (all pending decisions at once); safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, help="Year of the cycle.")

    def handle(self, *args, **options):
        try:
            report = api.release_announcement(cycle_year=options["cycle"])
        except DistinguishedError as exc:
            raise CommandError(str(exc)) from exc
        if report.already_released:
            self.stdout.write(f"The {report.cycle_year} announcement was already released at "
                              f"{report.released_at:%Y-%m-%d %H:%M %Z}; nothing changed.")
            return
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(report.outcomes.items()))
        self.stdout.write(self.style.SUCCESS(
            f"Released the {report.cycle_year} announcement: {summary or 'no decisions'}."))
        if report.set_aside:
            self.stdout.write(f"Set aside (withdrawn after their decision): nominations "
                              f"{', '.join(map(str, report.set_aside))}.")
