"""
The program definition: cycle phases, and loading the default program without trampling staff edits.
"""
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.data import CyclePhase
from openedx_distinguished.exceptions import ProgramDefinitionError
from openedx_distinguished.models import ActivityType, BudgetLine, Criterion, Cycle, Incentive, Program, Track
from openedx_distinguished.program import cycle_phase

from .factories import CycleFactory

pytestmark = pytest.mark.django_db


def row_counts():
    return [model.objects.count() for model in (Program, Track, Criterion, Incentive, ActivityType, BudgetLine)]


class TestCyclePhase:
    """The phase of a cycle, from its dates."""
    @pytest.mark.parametrize("offset, phase", [
        (timedelta(seconds=-1), CyclePhase.UPCOMING),
        (timedelta(0), CyclePhase.NOMINATIONS),
        (timedelta(days=28) - timedelta(seconds=1), CyclePhase.NOMINATIONS),
        (timedelta(days=28), CyclePhase.REVIEW),
        (timedelta(days=58), CyclePhase.DECISIONS),
        (timedelta(days=68), CyclePhase.DECISIONS),
        (timedelta(days=78), CyclePhase.ANNOUNCED),
        (timedelta(days=78 + 365), CyclePhase.CLOSED),
    ])
    def test_each_date_opens_its_phase(self, program, offset, phase):
        cycle = CycleFactory(opened_days_ago=0)
        assert cycle_phase(cycle=cycle, now=cycle.nominations_open_at + offset) == phase

    def test_dates_out_of_order_are_refused_by_the_database(self, program):
        cycle = CycleFactory.build(program=Program.objects.get())
        cycle.review_deadline = cycle.nominations_close_at - timedelta(days=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            cycle.save()
        assert not Cycle.objects.exists()


class TestLoadDefaultProgram:
    """Loading the shipped program definition and staff edits."""
    def test_loads_the_proposal(self, db):
        report = api.load_program_definition()
        program = Program.objects.get()
        assert program.slug == "distinguished-contributors"
        assert (program.term_length_months, program.lifetime_after_years) == (12, 5)
        assert program.retention_min_activities == 1
        assert program.retention_activity_types == ["event", "working_group", "mentorship"]
        assert program.target_active_members_first_year == 10
        assert program.target_retention_rate == Decimal("0.800")
        assert program.target_initiatives_per_year == 3
        tracks = api.list_tracks()
        assert [t.name for t in tracks] == ["Distinguished Engineer", "Distinguished Advocate",
                                            "Distinguished Innovator"]
        assert [len(t.criteria) for t in tracks] == [5, 4, 4]
        assert all(any(i.kind == "badge" for i in t.incentives) for t in tracks)
        assert set(ActivityType.objects.values_list("slug", flat=True)) == {
            "event", "working_group", "mentorship", "code", "talk", "content", "case_study", "initiative", "other"}
        assert len(report.created) == sum(row_counts()) and not report.skipped

    def test_second_load_changes_nothing(self, db):
        api.load_program_definition()
        before = list(Criterion.objects.order_by("pk").values())
        report = api.load_program_definition()
        assert not (report.created or report.updated or report.skipped)
        assert len(report.unchanged) == sum(row_counts())
        assert list(Criterion.objects.order_by("pk").values()) == before

    def test_staff_edits_are_kept_and_reported(self, db):
        api.load_program_definition()
        track = Track.objects.get(slug="engineer")
        track.name = "Distinguished Engineer (renamed by staff)"
        track.save()
        Criterion.objects.filter(slug="community-support").update(weight=Decimal("3.5"))
        program = Program.objects.get()
        program.max_nominations_per_nominator = 7
        program.save()
        report = api.load_program_definition()
        assert set(report.skipped) == {"track:engineer", "criterion:engineer/community-support",
                                       "program:distinguished-contributors"}
        assert Track.objects.get(slug="engineer").name == "Distinguished Engineer (renamed by staff)"
        assert Criterion.objects.get(slug="community-support").weight == Decimal("3.5")
        assert Program.objects.get().max_nominations_per_nominator == 7

    def test_file_changes_refresh_untouched_rows_and_add_new_ones(self, db, tmp_path):
        api.load_program_definition()
        definition = tmp_path / "program.yaml"
        definition.write_text(
            "program:\n  slug: distinguished-contributors\n  name: Renamed program\n"
            "tracks:\n  - slug: engineer\n    name: Distinguished Engineer\n"
            "    criteria:\n      - {slug: significant-contributions, name: Shipped big things, weight: 3}\n"
            "      - {slug: brand-new, name: A new criterion}\n",
            encoding="utf-8",
        )
        report = api.load_program_definition(path=definition)
        assert "program:distinguished-contributors" in report.updated
        assert "criterion:engineer/significant-contributions" in report.updated
        assert report.created == ("criterion:engineer/brand-new",)
        assert Criterion.objects.get(slug="significant-contributions").weight == Decimal("3")
        assert Program.objects.get().name == "Renamed program"
        # Rows the file no longer mentions are left in place.
        assert Track.objects.count() == 3

    @pytest.mark.parametrize("text", [
        "just a string",
        "program: {}\n",
        "program:\n  slug: p\n  name: P\ntracks:\n  - {name: no slug}\n",
        "program:\n  slug: p\n  name: P\ntracks:\n  - slug: t\n    name: T\n    criteria:\n"
        "      - {slug: c, name: C, weight: -1}\n",
        "program:\n  slug: p\n  name: P\n  term_length_months: lots\n",
        "program: [unclosed\n",
        "program:\n  slug: p\n  name: P\nbudget:\n  lines:\n    - {slug: b, deliverable: B, estimated_cost: -5}\n",
        "program:\n  slug: p\n  name: P\nbudget:\n  lines:\n    - {slug: b, deliverable: B}\n",
    ])
    def test_a_malformed_file_writes_nothing(self, db, tmp_path, text):
        definition = tmp_path / "bad.yaml"
        definition.write_text(text, encoding="utf-8")
        with pytest.raises(ProgramDefinitionError):
            api.load_program_definition(path=definition)
        assert row_counts() == [0, 0, 0, 0, 0, 0]

    def test_missing_file(self, db, tmp_path):
        with pytest.raises(ProgramDefinitionError):
            api.load_program_definition(path=tmp_path / "absent.yaml")


class TestCommand:
    """The load_distinguished_program management command."""
    def test_command_reports_what_it_did(self, db):
        out = StringIO()
        call_command("load_distinguished_program", stdout=out)
        assert "Created: track:engineer" in out.getvalue()
        Track.objects.filter(slug="advocate").update(description="Edited")
        out = StringIO()
        call_command("load_distinguished_program", stdout=out)
        assert "Skipped (edited by staff since it was loaded): track:advocate" in out.getvalue()
        assert "0 created, 0 updated" in out.getvalue()

    def test_command_error_on_bad_file(self, db, tmp_path):
        bad = tmp_path / "bad.yaml"
        bad.write_text("program: 3\n", encoding="utf-8")
        with pytest.raises(CommandError, match="program"):
            call_command("load_distinguished_program", "--file", str(bad))
        assert row_counts() == [0, 0, 0, 0, 0, 0]


class TestProgramStaff:
    """Who counts as program staff."""
    def test_who_runs_the_program(self, users, db):
        from django.contrib.auth.models import Permission  # pylint: disable=import-outside-toplevel

        assert api.is_program_staff(user=users["staff"])
        assert not api.is_program_staff(user=users["learner"])
        manager = users["learner"]
        manager.user_permissions.add(Permission.objects.get(codename="manage_program"))
        manager = type(manager).objects.get(pk=manager.pk)  # drop the permission cache
        assert api.is_program_staff(user=manager)
        users["staff"].is_active = False
        assert not api.is_program_staff(user=users["staff"])


def test_upcoming_cycle_opens_later(program):
    cycle = CycleFactory(opened_days_ago=-10)
    assert api.get_cycle_data(year=cycle.year).phase == CyclePhase.UPCOMING
    assert cycle.nominations_open_at > timezone.now()
