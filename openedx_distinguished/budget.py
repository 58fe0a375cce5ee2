"""
The program budget: a cycle's deliverable lines with their estimates, the actual costs (recorded
expenses, the cost of the cycle's award fulfilments and of the incentives delivered to its
members), and the report in the proposal's shape:
Deliverable | Description | Cost, with a TOTAL, plus what was actually spent and the variance.
"""
import io
from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet, Sum

from openedx_distinguished.data import INCENTIVE_BUDGET_CATEGORY, BudgetCategory, BudgetReport, BudgetReportLine
from openedx_distinguished.models import BudgetLine, Cycle, Deliverable, Expense, Fulfilment
from openedx_distinguished.program import get_cycle
from openedx_distinguished.spreadsheet import SafeWriter

_COPIED_FIELDS = ("slug", "deliverable", "description", "category", "estimated_cost", "currency", "sort_order")


def start_cycle_budget(cycle: Cycle) -> int:
    """
    Give ``cycle`` its own budget lines, copied from the program's default estimate; staff then edit
    them. Does nothing (and returns 0) when the cycle already has lines. Returns the lines created.
    """
    with transaction.atomic():
        # Lock the cycle row so two concurrent starts cannot both copy.
        type(cycle).objects.select_for_update().filter(pk=cycle.pk).exists()
        if BudgetLine.objects.filter(cycle=cycle).exists():
            return 0
        defaults = BudgetLine.objects.filter(program_id=cycle.program_id, cycle__isnull=True)
        created = BudgetLine.objects.bulk_create([
            BudgetLine(program_id=cycle.program_id, cycle=cycle, budget_scope=cycle.pk,
                       **{name: getattr(line, name) for name in _COPIED_FIELDS})
            for line in defaults
        ])
    return len(created)


def _sum_by(queryset: QuerySet, group: tuple[str, ...], amount: str) -> dict[tuple, Decimal]:
    """The total of ``amount`` per combination of the ``group`` fields."""
    rows = queryset.values_list(*group).annotate(total=Sum(amount)).order_by()
    return {tuple(row[:-1]): row[-1] for row in rows}


def budget_report(*, cycle_year: int) -> BudgetReport:
    """
    The budget of the cycle of ``cycle_year``, in four queries whatever its size.

    Actuals: each expense counts against its line; fulfilment costs of the cycle's terms count
    against the cycle's (first) physical-awards line, and the costs of their incentives against the
    (first) line of their kind's category (``INCENTIVE_BUDGET_CATEGORY``). Money spent outside any
    line, or in another currency than its line's, is shown as an "Unbudgeted" line per currency, so
    the TOTAL is everything that was spent.
    """
    cycle = get_cycle(cycle_year)
    lines = list(BudgetLine.objects.filter(cycle=cycle))
    from_default = not lines
    if from_default:
        lines = list(BudgetLine.objects.filter(program_id=cycle.program_id, cycle__isnull=True))
    expenses = _sum_by(Expense.objects.filter(cycle=cycle), ("budget_line_id", "currency"), "amount")
    fulfilments = _sum_by(Fulfilment.objects.filter(term__cycle=cycle, cost__isnull=False), ("currency",), "cost")
    incentives = _sum_by(Deliverable.objects.filter(term__cycle=cycle, cost__isnull=False),
                         ("incentive__kind", "currency"), "cost")

    def first_line(category: BudgetCategory) -> BudgetLine | None:
        return next((line for line in lines if line.category == category.value), None)

    awards_line = first_line(BudgetCategory.PHYSICAL_AWARDS)
    unbudgeted: dict = {}
    actual = {line.pk: Decimal(0) for line in lines}
    line_ids = {} if from_default else {line.pk: line for line in lines}
    for (line_id, currency), total in expenses.items():
        line = line_ids.get(line_id)
        if line is not None and line.currency == currency:
            actual[line.pk] += total
        else:
            unbudgeted[currency] = unbudgeted.get(currency, Decimal(0)) + total
    costs = [(awards_line, currency, total) for (currency,), total in fulfilments.items()]
    costs += [(first_line(INCENTIVE_BUDGET_CATEGORY[kind]), currency, total)
              for (kind, currency), total in incentives.items()]
    for line, currency, total in costs:
        if line is not None and line.currency == currency:
            actual[line.pk] += total
        else:
            unbudgeted[currency] = unbudgeted.get(currency, Decimal(0)) + total

    rows = [BudgetReportLine(deliverable=line.deliverable, description=line.description, category=line.category,
                             currency=line.currency, estimated=line.estimated_cost, actual=actual[line.pk])
            for line in lines]
    rows += [BudgetReportLine(deliverable="Unbudgeted", description="Costs recorded outside the budget lines",
                              category=BudgetCategory.OTHER.value, currency=currency, estimated=Decimal(0),
                              actual=total)
             for currency, total in sorted(unbudgeted.items())]
    return BudgetReport(cycle_year=cycle.year, from_default_estimate=from_default, lines=tuple(rows))


BUDGET_COLUMNS = ("Deliverable", "Description", "Cost", "Actual", "Variance", "Currency")


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _table_rows(report: BudgetReport) -> Iterator[tuple[str, ...]]:
    for line in report.lines + report.totals:
        yield (line.deliverable, line.description, _money(line.estimated), _money(line.actual),
               _money(line.variance), line.currency)


def budget_csv(*, report: BudgetReport) -> str:
    """The report as CSV: one row per line, then a TOTAL row per currency. Amounts are plain decimals."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(BUDGET_COLUMNS)
    for line in report.lines + report.totals:
        writer.writerow((line.deliverable, line.description, f"{line.estimated:.2f}", f"{line.actual:.2f}",
                         f"{line.variance:.2f}", line.currency))
    return out.getvalue()


def _markdown_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def budget_markdown(*, report: BudgetReport) -> str:
    """The report as the proposal's Markdown table (Deliverable | Description | Cost | …), TOTAL in bold."""
    lines = ["| " + " | ".join(BUDGET_COLUMNS) + " |", "|" + "---|" * len(BUDGET_COLUMNS)]
    totals = set(report.totals)
    for row, line in zip(_table_rows(report), report.lines + report.totals):
        cells = [_markdown_cell(cell) for cell in row]
        if line in totals:
            cells = [f"**{cell}**" if cell else cell for cell in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def budget_table_rows(*, report: BudgetReport) -> list[tuple[str, ...]]:
    """Rows of formatted cells (lines, then totals) for a text or HTML table."""
    return list(_table_rows(report))
