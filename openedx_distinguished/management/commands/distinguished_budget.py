"""
Management command: print a cycle's budget (Deliverable | Description | Cost, actual, variance, TOTAL).
"""
from django.core.management.base import BaseCommand, CommandError

from openedx_distinguished import api
from openedx_distinguished.exceptions import DistinguishedError


class Command(BaseCommand):
    """
    Print the budget of a cycle as a text table, CSV or the proposal's Markdown table; with
    ``--start``, first copy the program's default estimate into the cycle if it has no lines yet.

    Example: ``./manage.py lms distinguished_budget --cycle 2026 --format markdown``
    """

    help = "Print a cycle's budget with actual costs and variance (table, csv or markdown)."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, help="Year of the cycle.")
        parser.add_argument("--format", choices=("table", "csv", "markdown"), default="table")
        parser.add_argument("--start", action="store_true",
                            help="Copy the program's default estimate into the cycle when it has no lines.")

    def handle(self, *args, **options):
        try:
            if options["start"]:
                created = api.start_cycle_budget(cycle_year=options["cycle"])
                self.stderr.write(f"{created} budget line(s) copied from the program's estimate.")
            report = api.budget_report(cycle_year=options["cycle"])
        except DistinguishedError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "csv":
            self.stdout.write(api.budget_csv(report=report), ending="")
            return
        if options["format"] == "markdown":
            self.stdout.write(api.budget_markdown(report=report), ending="")
            return
        if report.from_default_estimate:
            self.stdout.write("(No lines of its own yet: the program's default estimate.)")
        header = ("Deliverable", "Description", "Cost", "Actual", "Variance", "Currency")
        cells = [header] + api.budget_table_rows(report=report)
        widths = [min(max(len(str(line[i])) for line in cells), 60) for i in range(len(header))]
        for number, line in enumerate(cells):
            values = [str(value)[:60] for value in line]
            aligned = [value.rjust(width) if 2 <= i <= 4 else value.ljust(width)
                       for i, (value, width) in enumerate(zip(values, widths))]
            self.stdout.write("  ".join(aligned).rstrip())
            if number == 0 or number == len(report.lines):
                self.stdout.write("  ".join("-" * width for width in widths))
