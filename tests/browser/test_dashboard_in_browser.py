"""
The program dashboard and budget, as program staff open them in a real browser.
"""
from datetime import date
from decimal import Decimal

import pytest

from openedx_distinguished import api
from openedx_distinguished.models import BudgetLine, Expense, Initiative

from ..factories import CycleFactory, UserFactory
from ..membership_fixtures import add_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_read_the_dashboard_and_the_budget(cycle, page_as):
    last_year = CycleFactory(year=2025, opened_days_ago=430)
    for number in range(4):
        person = UserFactory(username=f"member{number}")
        add_term(person, "engineer", last_year, "renewed")
        if number < 3:
            add_term(person, "engineer", cycle, "active")
    Initiative.objects.create(program=cycle.program, title="Docs sprint", year=2026, status="delivered")
    api.start_cycle_budget(cycle_year=2026)
    Expense.objects.create(cycle=cycle, budget_line=BudgetLine.objects.get(cycle=cycle, slug="certificates"),
                           description="Printing", amount=Decimal("950"), incurred_on=date(2026, 6, 1))
    staff = UserFactory(username="programstaff", is_staff=True, is_superuser=True)

    page = page_as(staff)
    page.goto("/admin/openedx_distinguished/program/")
    page.get_by_role("link", name="Program dashboard").click()
    page.wait_for_url("**/program/dashboard/")
    assert page.get_by_role("heading", name="Program dashboard", level=1).is_visible()
    # The charts are drawn and named for assistive technology; the retention chart says the figure.
    retention = page.get_by_role("img", name="Year-over-year retention")
    assert retention.is_visible()
    assert "2026: retained 75%" in retention.locator("desc").text_content()
    assert page.locator("svg.od-chart").count() == 6
    assert page.locator("svg.od-chart rect.od-bar").first.bounding_box()["height"] > 0
    year_row = page.locator("#od-kpis-years tbody tr", has_text="2026")
    assert "3 (≥10)" in year_row.inner_text() and "75% (3/4)" in year_row.inner_text()

    page.get_by_label("Year", exact=True).select_option("2025")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**year=2025")
    assert page.get_by_role("link", name="Budget 2025").is_visible()

    page.goto("/admin/openedx_distinguished/program/dashboard/?year=2026")
    page.get_by_role("link", name="Budget 2026").click()
    page.wait_for_url("**/program/budget/2026/")
    table = page.locator("#od-budget-table")
    certificates = table.locator("tr", has_text="Certificates")
    assert "950.00" in certificates.inner_text() and "-150.00" in certificates.inner_text()
    assert "TOTAL" in table.locator("tr.od-total").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Markdown").click()
    text = open(download.value.path(), encoding="utf-8").read()  # pylint: disable=consider-using-with
    assert text.startswith("| Deliverable | Description | Cost |")
    assert "| **TOTAL** |  | **20,300.00** | **950.00** |" in text
