"""
Migrations that change data: what they leave behind, run on the test database.
"""
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

APP = "openedx_distinguished"


@pytest.fixture
def migrate_to():
    """Migrate the app to a migration and return the models as they were then; back to the newest after."""
    executor = MigrationExecutor(connection)

    def migrate(name):
        executor.loader.build_graph()
        executor.migrate([(APP, name)])
        return executor.loader.project_state([(APP, name)]).apps

    yield migrate
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_0007_scopes_budget_lines_and_drops_doubled_default_lines(migrate_to):
    old = migrate_to("0006_budget_and_messages")
    program = old.get_model(APP, "Program").objects.create(slug="p", name="Program")
    dates = [datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=30 * n) for n in range(6)]
    cycle = old.get_model(APP, "Cycle").objects.create(
        program=program, year=2026, name="2026", **dict(zip(
            ("nominations_open_at", "nominations_close_at", "review_deadline", "decision_date", "announcement_at",
             "ends_at"), dates)))
    line = old.get_model(APP, "BudgetLine").objects
    first = line.create(program=program, cycle=None, slug="badges", deliverable="Badges", estimated_cost=1)
    line.create(program=program, cycle=None, slug="badges", deliverable="Badges", estimated_cost=1)  # a race's copy
    other = line.create(program=program, cycle=None, slug="events", deliverable="Events", estimated_cost=2)
    copied = line.create(program=program, cycle=cycle, slug="badges", deliverable="Badges", estimated_cost=1)

    new = migrate_to("0007_budget_scope")
    scopes = dict(new.get_model(APP, "BudgetLine").objects.values_list("pk", "budget_scope"))
    assert scopes == {first.pk: 0, other.pk: 0, copied.pk: cycle.pk}
