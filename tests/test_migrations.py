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


@pytest.mark.django_db(transaction=True)
def test_0010_criteria_the_loader_owns_get_their_anchors_at_the_next_load(migrate_to):
    from openedx_distinguished import program as program_module  # pylint: disable=import-outside-toplevel

    old = migrate_to("0009_hardening")
    program = old.get_model(APP, "Program").objects.create(slug="distinguished-contributors", name="Program")
    track = old.get_model(APP, "Track").objects.create(program=program, slug="engineer", name="Engineer")
    criterion = old.get_model(APP, "Criterion").objects
    loaded = criterion.create(track=track, slug="significant-contributions", name="Delivered significant contributions",
                              description="Substantial features, fixes or infrastructure merged and in use.",
                              weight="2.00", sort_order=0)
    # The fingerprint 0009's loader wrote: over name, description, weight and sort order.
    loaded.definition_fingerprint = program_module._fingerprint(  # pylint: disable=protected-access
        loaded, ("name", "description", "weight", "sort_order"))
    loaded.save()
    edited = criterion.create(track=track, slug="community-support", name="Edited by staff", weight=1, sort_order=1,
                              definition_fingerprint="0" * 64)

    migrate_to("0010_criterion_anchors")
    program_module.load_program_definition()
    from openedx_distinguished.models import Criterion  # pylint: disable=import-outside-toplevel
    refreshed = Criterion.objects.get(pk=loaded.pk)
    assert refreshed.anchor_low and refreshed.anchor_high
    kept = Criterion.objects.get(pk=edited.pk)
    assert (kept.name, kept.anchor_low) == ("Edited by staff", "")
