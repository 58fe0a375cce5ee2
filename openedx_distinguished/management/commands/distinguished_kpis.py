"""
Management command: print the program's KPIs against their targets, as a table or CSV.
"""
from django.core.management.base import BaseCommand, CommandError

from openedx_distinguished import api
from openedx_distinguished.exceptions import DistinguishedError

_COLUMNS = (
    ("Year", lambda row: str(row.year)),
    ("Track", lambda row: row.track_slug or "(all)"),
    ("Active", lambda row: _against(row.active_members, row.active_members_target, row.active_members_met)),
    ("Retention", lambda row: "—" if row.retention_rate is None else _against(
        f"{row.retention_rate:.0%} ({row.retained_members}/{row.previous_members})",
        f"{row.retention_target:.0%}" if row.retention_target is not None else None, row.retention_met)),
    ("Initiatives", lambda row: "" if row.initiatives is None else _against(
        row.initiatives, row.initiatives_target, row.initiatives_met)),
    ("Onboarded m/p", lambda row: "" if row.onboarded_members is None else
        f"{row.onboarded_members}/{row.onboarded_partners}"),
    ("Funnel s→r→a", lambda row: (f"{row.nominations_submitted}→{row.nominations_in_review}→"
                                  f"{row.nominations_accepted}")),
    ("Reviews done/assigned", lambda row: f"{row.reviews_submitted}/{row.reviews_assigned}"),
)


def _against(actual, target, met):
    if target is None:
        return str(actual)
    return f"{actual} (≥{target}) {'✓' if met else '✗'}"


class Command(BaseCommand):
    """
    Print the program's indicators per year and per track with their targets (✓ met, ✗ missed).

    Examples: ``./manage.py lms distinguished_kpis``, ``./manage.py lms distinguished_kpis --year 2026
    --format csv``.
    """

    help = "Print the program's KPIs (active members, retention, initiatives, onboarding, funnel) per year and track."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="A year to show (repeatable; default all).")
        parser.add_argument("--format", choices=("table", "csv"), default="table")

    def handle(self, *args, **options):
        try:
            rows = api.compute_kpis(years=options["year"])
        except DistinguishedError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "csv":
            self.stdout.write(api.kpis_csv(rows=rows), ending="")
            return
        if not rows:
            self.stdout.write("No cycle yet: nothing to measure.")
            return
        cells = [[header for header, _ in _COLUMNS]] + [[cell(row) for _, cell in _COLUMNS] for row in rows]
        widths = [max(len(line[i]) for line in cells) for i in range(len(_COLUMNS))]
        for number, line in enumerate(cells):
            self.stdout.write("  ".join(value.ljust(width) for value, width in zip(line, widths)).rstrip())
            if number == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
