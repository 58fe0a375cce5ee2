"""
The program budget: the default estimate, a cycle's own lines, actual costs from expenses and
fulfilments, the proposal's table (admin, CSV, Markdown, REST, command), and who may see it.
"""
import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from openedx_distinguished import api
from openedx_distinguished.exceptions import NotFound
from openedx_distinguished.models import BudgetLine, Cycle, Expense, Fulfilment, Incentive

from .factories import UserFactory
from .membership_fixtures import add_term

BUDGET_API = "/api/distinguished/v1/budget/{}/"


def budget_page(year):
    return reverse("admin:openedx_distinguished_budget", args=[year])


@pytest.fixture
def superuser(db):
    return UserFactory(username="budget_admin", is_staff=True, is_superuser=True)


@pytest.fixture
def spent(cycle):
    """
    The 2026 budget started from the estimate, then: 1,200 of badge work, an engraved award shipped
    for 180 plus one for 95, a 400 EUR venue booked on no line, and a fulfilment with no cost yet.
    """
    api.start_cycle_budget(cycle_year=2026)
    badges = BudgetLine.objects.get(cycle=cycle, slug="digital-badges")
    Expense.objects.create(cycle=cycle, budget_line=badges, description="Badge artwork", amount=Decimal("1200"),
                           incurred_on=date(2026, 3, 1))
    Expense.objects.create(cycle=cycle, description="Venue deposit", amount=Decimal("400"), currency="EUR",
                           incurred_on=date(2026, 4, 1))
    award = Incentive.objects.get(slug="engineer-badge")
    for name, cost in (("w1", Decimal("180")), ("w2", Decimal("95")), ("w3", None)):
        term = add_term(UserFactory(username=name), "engineer", cycle, "active")
        Fulfilment.objects.create(term=term, incentive=award, cost=cost, status="shipped")
    return cycle


class TestDefaultEstimate:
    """The default program loads a first estimate; cycles copy it and staff edit the copies."""

    def test_the_program_loads_five_deliverables(self, program):
        lines = BudgetLine.objects.filter(cycle__isnull=True)
        assert [line.category for line in lines] == ["badges", "certificates", "physical_awards", "events", "funding"]
        assert sum(line.estimated_cost for line in lines) == Decimal("20300")
        assert {line.currency for line in lines} == {"USD"}

    def test_a_cycle_without_lines_reports_the_estimate(self, cycle):
        report = api.budget_report(cycle_year=2026)
        assert report.from_default_estimate is True
        assert [line.deliverable for line in report.lines][:2] == ["Digital badges", "Certificates"]
        assert [(t.currency, t.estimated, t.actual) for t in report.totals] == [("USD", Decimal("20300"),
                                                                                 Decimal("0"))]

    def test_starting_copies_once_and_edits_stay_per_cycle(self, cycle):
        assert api.start_cycle_budget(cycle_year=2026) == 5
        assert api.start_cycle_budget(cycle_year=2026) == 0
        BudgetLine.objects.filter(cycle=cycle, slug="certificates").update(estimated_cost=Decimal("950"))
        assert BudgetLine.objects.get(cycle__isnull=True, slug="certificates").estimated_cost == Decimal("800")
        report = api.budget_report(cycle_year=2026)
        assert report.from_default_estimate is False
        assert report.totals[0].estimated == Decimal("20450")

    def test_reloading_the_program_keeps_staff_edits_of_the_estimate(self, program):
        BudgetLine.objects.filter(cycle__isnull=True, slug="recognition-events").update(
            estimated_cost=Decimal("7000"))
        report = api.load_program_definition()
        assert "budget_line:recognition-events" in report.skipped
        assert BudgetLine.objects.get(cycle__isnull=True, slug="recognition-events").estimated_cost == 7000

    def test_each_budget_keeps_its_slugs_distinct_in_the_database(self, cycle):
        """The default estimate's lines (cycle NULL) too: ``budget_scope`` is 0 for them."""
        api.start_cycle_budget(cycle_year=2026)
        assert set(BudgetLine.objects.filter(cycle=cycle).values_list("budget_scope", flat=True)) == {cycle.pk}
        assert set(BudgetLine.objects.filter(cycle__isnull=True).values_list("budget_scope", flat=True)) == {0}
        for line_cycle in (None, cycle):
            with pytest.raises(IntegrityError), transaction.atomic():
                BudgetLine.objects.create(program=cycle.program, cycle=line_cycle, slug="certificates",
                                          deliverable="Again", estimated_cost=Decimal("1"))
        line = BudgetLine.objects.create(program=cycle.program, cycle=None, slug="stickers", deliverable="Stickers",
                                         estimated_cost=Decimal("40"))
        line.cycle = cycle
        line.save(update_fields=["cycle"])  # moving a line to a cycle moves it to that cycle's budget
        assert BudgetLine.objects.get(pk=line.pk).budget_scope == cycle.pk

    def test_forms_and_full_clean_report_a_taken_slug(self, cycle, client, superuser):
        duplicate = BudgetLine(program=cycle.program, cycle=None, slug="certificates", deliverable="Again",
                               estimated_cost=Decimal("1"))
        with pytest.raises(DjangoValidationError) as error:
            duplicate.full_clean()
        assert error.value.message_dict["slug"] == ["The default estimate has a line with this slug already."]
        client.force_login(superuser)
        before = BudgetLine.objects.count()
        response = client.post(reverse("admin:openedx_distinguished_budgetline_add"), {
            "program": cycle.program.pk, "cycle": "", "slug": "certificates", "deliverable": "Again",
            "description": "", "category": "other", "estimated_cost": "1", "currency": "USD", "sort_order": "0"})
        assert response.status_code == 200
        assert "The default estimate has a line with this slug already." in response.content.decode()
        assert BudgetLine.objects.count() == before

    def test_an_unknown_cycle(self, program):
        with pytest.raises(NotFound):
            api.budget_report(cycle_year=1999)
        with pytest.raises(NotFound):
            api.start_cycle_budget(cycle_year=1999)


class TestActuals:
    """Where the money went."""

    def test_expenses_and_fulfilments_land_on_their_lines(self, spent):
        report = api.budget_report(cycle_year=2026)
        by_name = {line.deliverable: line for line in report.lines}
        assert by_name["Digital badges"].actual == Decimal("1200")
        assert by_name["Digital badges"].variance == Decimal("300")
        assert by_name["Physical awards"].actual == Decimal("275")
        assert by_name["Physical awards"].variance == Decimal("2725")
        assert by_name["Certificates"].actual == 0
        unbudgeted = by_name["Unbudgeted"]
        assert (unbudgeted.currency, unbudgeted.estimated, unbudgeted.actual) == ("EUR", 0, Decimal("400"))
        assert [(t.currency, t.estimated, t.actual, t.variance) for t in report.totals] == [
            ("USD", Decimal("20300"), Decimal("1475"), Decimal("18825")),
            ("EUR", Decimal("0"), Decimal("400"), Decimal("-400")),
        ]

    def test_other_cycles_costs_do_not_count(self, spent, program):
        other = Cycle.objects.create(program=spent.program, year=2027, nominations_open_at=spent.nominations_open_at,
                                     nominations_close_at=spent.nominations_close_at,
                                     review_deadline=spent.review_deadline, decision_date=spent.decision_date,
                                     announcement_at=spent.announcement_at, ends_at=spent.ends_at)
        Expense.objects.create(cycle=other, description="Next year", amount=Decimal("999"), incurred_on=date.today())
        assert api.budget_report(cycle_year=2026).totals[0].actual == Decimal("1475")

    def test_without_a_physical_awards_line_fulfilments_are_unbudgeted(self, spent):
        BudgetLine.objects.filter(cycle=spent, category="physical_awards").update(category="other")
        lines = {(line.deliverable, line.currency): line for line in api.budget_report(cycle_year=2026).lines}
        assert lines[("Unbudgeted", "USD")].actual == Decimal("275")

    def test_the_report_takes_five_queries_whatever_the_size(self, spent, django_assert_num_queries):
        with django_assert_num_queries(5):  # the cycle, its lines, expenses, fulfilments, incentives
            api.budget_report(cycle_year=2026)
        for number in range(30):
            Expense.objects.create(cycle=spent, description=f"e{number}", amount=1, incurred_on=date.today())
        with django_assert_num_queries(5):
            report = api.budget_report(cycle_year=2026)
        unbudgeted = {line.currency: line.actual for line in report.lines if line.deliverable == "Unbudgeted"}
        assert unbudgeted == {"EUR": Decimal("400"), "USD": Decimal("30")}


class TestExports:
    """The proposal's table: Deliverable | Description | Cost, with the TOTAL."""

    def test_markdown(self, spent):
        text = api.budget_markdown(report=api.budget_report(cycle_year=2026))
        lines = text.splitlines()
        assert lines[0] == "| Deliverable | Description | Cost | Actual | Variance | Currency |"
        assert lines[1] == "|---|---|---|---|---|---|"
        assert lines[2].startswith("| Digital badges | Badge artwork for the three tracks")
        assert lines[2].endswith("| 1,500.00 | 1,200.00 | 300.00 | USD |")
        assert lines[-2] == "| **TOTAL** |  | **20,300.00** | **1,475.00** | **18,825.00** | **USD** |"
        assert lines[-1] == "| **TOTAL** |  | **0.00** | **400.00** | **-400.00** | **EUR** |"

    def test_markdown_escapes_pipes(self, spent):
        BudgetLine.objects.filter(cycle=spent, slug="certificates").update(description="Print | frame")
        assert "Print \\| frame" in api.budget_markdown(report=api.budget_report(cycle_year=2026))

    def test_csv(self, spent):
        rows = list(csv.reader(io.StringIO(api.budget_csv(report=api.budget_report(cycle_year=2026)))))
        assert rows[0] == ["Deliverable", "Description", "Cost", "Actual", "Variance", "Currency"]
        assert rows[-2] == ["TOTAL", "", "20300.00", "1475.00", "18825.00", "USD"]
        assert len(rows) == 1 + 6 + 2


class TestBudgetAdmin:
    """The admin page, its downloads and the start button."""

    def test_staff_see_the_table(self, client, superuser, spent):
        client.force_login(superuser)
        response = client.get(budget_page(2026))
        assert response.status_code == 200
        html = response.content.decode()
        assert "<strong>TOTAL</strong>" in html and "20,300.00" in html and "1,475.00" in html
        assert "Start this cycle" not in html

    def test_downloads(self, client, superuser, spent):
        client.force_login(superuser)
        markdown = client.get(budget_page(2026), {"format": "markdown"})
        assert markdown["Content-Type"].startswith("text/markdown")
        assert "distinguished-budget-2026.md" in markdown["Content-Disposition"]
        assert markdown.content.decode() == api.budget_markdown(report=api.budget_report(cycle_year=2026))
        assert client.get(budget_page(2026), {"format": "csv"})["Content-Type"].startswith("text/csv")

    def test_start_button(self, client, superuser, cycle):
        client.force_login(superuser)
        assert "Start this cycle" in client.get(budget_page(2026)).content.decode()
        response = client.post(budget_page(2026), follow=True)
        assert BudgetLine.objects.filter(cycle=cycle).count() == 5
        assert "5 budget line(s) copied" in response.content.decode()

    def test_unknown_year_is_404(self, client, superuser, program):
        client.force_login(superuser)
        assert client.get(budget_page(1999)).status_code == 404

    @pytest.mark.parametrize("who", ["anonymous", "learner", "nominator"])
    def test_others_are_sent_to_log_in(self, client, users, spent, who):
        if who != "anonymous":
            client.force_login(users[who])
        for method in (client.get, client.post):
            response = method(budget_page(2026))
            assert response.status_code == 302 and "/login/" in response["Location"]
        assert BudgetLine.objects.filter(cycle=spent).count() == 5

    def test_a_new_cycle_starts_with_the_estimate(self, client, superuser, program):
        client.force_login(superuser)
        dates = {"nominations_open_at_0": "2030-01-01", "nominations_open_at_1": "00:00",
                 "nominations_close_at_0": "2030-03-01", "nominations_close_at_1": "00:00",
                 "review_deadline_0": "2030-05-01", "review_deadline_1": "00:00",
                 "decision_date_0": "2030-06-01", "decision_date_1": "00:00",
                 "announcement_at_0": "2030-10-01", "announcement_at_1": "00:00",
                 "ends_at_0": "2031-10-01", "ends_at_1": "00:00"}
        program_pk = BudgetLine.objects.first().program_id
        response = client.post(reverse("admin:openedx_distinguished_cycle_add"),
                               {"program": program_pk, "year": 2030, "name": "2030", **dates})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert BudgetLine.objects.filter(cycle__year=2030).count() == 5

    @pytest.fixture
    def other(self, spent):
        """A second cycle, 2027."""
        return Cycle.objects.create(program=spent.program, year=2027, nominations_open_at=spent.nominations_open_at,
                                    nominations_close_at=spent.nominations_close_at,
                                    review_deadline=spent.review_deadline, decision_date=spent.decision_date,
                                    announcement_at=spent.announcement_at, ends_at=spent.ends_at)

    def test_the_model_refuses_another_cycles_line(self, spent, other):
        line = BudgetLine.objects.get(cycle=spent, slug="certificates")
        expense = Expense(cycle=other, budget_line=line, description="Frames", amount=Decimal("50"),
                          incurred_on=date(2027, 1, 10))
        with pytest.raises(DjangoValidationError) as error:
            expense.full_clean()
        assert error.value.message_dict == {"budget_line": ["Choose a budget line of the same cycle."]}
        expense.cycle = spent
        expense.full_clean()  # its own cycle's line, or none, is fine
        expense.budget_line = None
        expense.full_clean()

    def test_an_expense_on_another_cycles_line_is_refused(self, client, superuser, spent, other):
        client.force_login(superuser)
        line = BudgetLine.objects.get(cycle=spent, slug="certificates")
        before = Expense.objects.count()
        response = client.post(reverse("admin:openedx_distinguished_expense_add"), {
            "cycle": other.pk, "budget_line": line.pk, "description": "Frames", "amount": "50",
            "currency": "USD", "incurred_on": "2027-01-10"})
        assert response.status_code == 200
        assert "Choose a budget line of the same cycle." in response.content.decode()
        assert Expense.objects.count() == before
        response = client.post(reverse("admin:openedx_distinguished_expense_add"), {
            "cycle": spent.pk, "budget_line": line.pk, "description": "Frames", "amount": "50",
            "currency": "USD", "incurred_on": "2026-05-10"})
        assert response.status_code == 302
        assert Expense.objects.get(description="Frames").recorded_by == superuser


class TestBudgetEndpoint:
    """``GET /api/distinguished/v1/budget/<year>/`` for program staff."""

    def test_staff(self, client_for, users, spent):
        body = client_for(users["staff"]).get(BUDGET_API.format(2026)).json()
        assert body["cycle_year"] == 2026 and body["from_default_estimate"] is False
        assert body["totals"][0] == {"deliverable": "TOTAL", "description": "", "category": "", "currency": "USD",
                                     "estimated": "20300.00", "actual": "1475.00", "variance": "18825.00"}

    @pytest.mark.parametrize("who, status", [("anonymous", 401), ("learner", 403), ("nominee", 403),
                                             ("nominator", 403), ("endorser", 403)])
    def test_others(self, client_for, users, spent, who, status):
        assert client_for(users.get(who)).get(BUDGET_API.format(2026)).status_code == status

    def test_unknown_cycle(self, client_for, users, program):
        response = client_for(users["staff"]).get(BUDGET_API.format(1999))
        assert response.status_code == 404


class TestBudgetCommand:
    """``distinguished_budget``."""

    def test_markdown_and_start(self, cycle):
        out, err = io.StringIO(), io.StringIO()
        call_command("distinguished_budget", "--cycle", "2026", "--start", "--format", "markdown", stdout=out,
                     stderr=err)
        assert "5 budget line(s) copied" in err.getvalue()
        assert out.getvalue() == api.budget_markdown(report=api.budget_report(cycle_year=2026))

    def test_table(self, spent):
        out = io.StringIO()
        call_command("distinguished_budget", "--cycle", "2026", stdout=out)
        lines = out.getvalue().splitlines()
        assert lines[0].split()[:3] == ["Deliverable", "Description", "Cost"]
        assert any(line.startswith("TOTAL") and "20,300.00" in line for line in lines)

    def test_unknown_cycle(self, program):
        with pytest.raises(CommandError, match="1999"):
            call_command("distinguished_budget", "--cycle", "1999")
