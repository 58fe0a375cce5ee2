"""
Management command: load the program definition (tracks, criteria, incentives, policy) into the database.
"""
from django.core.management.base import BaseCommand, CommandError

from openedx_distinguished import api
from openedx_distinguished.exceptions import ProgramDefinitionError


class Command(BaseCommand):
    """
    Load the default program shipped with the plugin, or a definition file of the site's own.

    Safe to run on every deploy: rows staff edited since they were loaded are left alone and
    listed as skipped.

    Example: ``./manage.py lms load_distinguished_program [--file my_program.yaml]``
    """

    help = "Load the Distinguished Contributor program definition; never overwrites rows staff edited."

    def add_arguments(self, parser):
        parser.add_argument("--file", dest="path", default=None,
                            help="A program definition YAML file (default: the one shipped with the plugin).")

    def handle(self, *args, **options):
        try:
            report = api.load_program_definition(path=options["path"])
        except ProgramDefinitionError as exc:
            raise CommandError(str(exc)) from exc
        for label, rows in (("Created", report.created), ("Updated", report.updated)):
            for row in rows if options["verbosity"] >= 1 else ():
                self.stdout.write(f"{label}: {row}")
        for row in report.skipped:
            self.stdout.write(self.style.WARNING(f"Skipped (edited by staff since it was loaded): {row}"))
        self.stdout.write(self.style.SUCCESS(
            f"Program loaded: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped."
        ))
