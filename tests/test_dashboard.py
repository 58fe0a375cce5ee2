"""
The program dashboard: KPIs on a worked example with known numbers, the SVG charts, the CSV, the
staff REST endpoint, the management command, who may see them, and constant query counts.
"""
import csv
import io
import re
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.urls import reverse

from openedx_distinguished import api
from openedx_distinguished.charts import bar_chart
from openedx_distinguished.data import KPI_COLUMNS
from openedx_distinguished.models import Initiative, MembershipTerm, Onboarding, ReviewAssignment

from .factories import CycleFactory, PartnerOrganizationFactory, UserFactory
from .membership_fixtures import add_term
from .review_fixtures import reviewed_nomination, submitted_nomination

KPIS = "/api/distinguished/v1/kpis/"
DASHBOARD = reverse("admin:openedx_distinguished_dashboard")
DASHBOARD_CSV = reverse("admin:openedx_distinguished_dashboard_csv")


@pytest.fixture
def worked_example(cycle, users, panels):
    """
    Three program years with known indicators (see the expectations in the tests below).

    2024: engineer a b c d e + lifetime L, advocate f g + the organization Acme, innovator h; i's
          term was revoked. 10 members.
    2025: engineer a b c (renewed) + x (new) + L, advocate f, innovator b. 6 members; 5 of 2024's.
    2026: the same people again. 6 members, all of 2025's.
    """
    y2024 = CycleFactory(year=2024, opened_days_ago=800)
    y2025 = CycleFactory(year=2025, opened_days_ago=430)
    people = {name: UserFactory(username=f"m_{name}") for name in "abcdefghiLx"}
    acme = PartnerOrganizationFactory(slug="acme-kpi", name="Acme KPI")
    for name in "abcde":
        add_term(people[name], "engineer", y2024, "renewed" if name in "abc" else "lapsed")
    add_term(people["L"], "engineer", y2024, "lifetime")
    add_term(people["f"], "advocate", y2024, "renewed")
    add_term(people["g"], "advocate", y2024, "lapsed")
    add_term(acme, "advocate", y2024, "lapsed")
    add_term(people["h"], "innovator", y2024, "lapsed")
    add_term(people["i"], "engineer", y2024, "revoked")
    for name in "abcx":
        add_term(people[name], "engineer", y2025, "renewed")
    add_term(people["f"], "advocate", y2025, "renewed")
    add_term(people["b"], "innovator", y2025, "renewed")
    for name in "abcx":
        add_term(people[name], "engineer", cycle, "active")
    add_term(people["f"], "advocate", cycle, "active")
    add_term(people["b"], "innovator", cycle, "active")

    program = cycle.program
    for title in ("OEP on plugins", "Hackathon", "Docs sprint"):
        Initiative.objects.create(program=program, title=title, year=2024, status="delivered")
    Initiative.objects.create(program=program, title="Dropped idea", year=2024, status="dropped")
    Initiative.objects.create(program=program, title="Translation drive", year=2025, status="in_progress")
    Onboarding.objects.create(member=people["a"], referred_user=UserFactory(username="newbie1"), year=2025)
    Onboarding.objects.create(member=people["a"], referred_user=UserFactory(username="newbie2"), year=2025)
    Onboarding.objects.create(member=people["f"], organization_name="Beta University", year=2025)

    # The 2026 funnel: one accepted (decision recorded, still embargoed), one reviewed and undecided,
    # one submitted advocate nomination with a reviewer assigned who has not reviewed yet, one draft.
    reviewed_nomination(users["nominator"], users["nominee"], panels, decide="accept")
    reviewed_nomination(users["endorser"], users["endorser"], panels)
    advocate = submitted_nomination(users["learner"], users["learner"], track="advocate")
    api.assign_reviewer(nomination_id=advocate.id, reviewer_username="bizrev", actor=None)
    api.create_nomination(nominator=users["staff"], cycle_year=2026, track_slug="innovator",
                          nominee_username=users["staff"].username, justifications={})
    return people


def rows_by_key(rows):
    return {(row.year, row.track_slug): row for row in rows}


class TestWorkedExample:
    """Every indicator on numbers worked out by hand."""

    def test_active_members_per_year_and_track(self, worked_example):
        rows = rows_by_key(api.compute_kpis())
        assert [rows[(year, "")].active_members for year in (2024, 2025, 2026)] == [10, 6, 6]
        assert [rows[(2024, slug)].active_members for slug in ("engineer", "advocate", "innovator")] == [6, 3, 1]
        assert [rows[(2025, slug)].active_members for slug in ("engineer", "advocate", "innovator")] == [5, 1, 1]
        assert rows[(2024, "")].active_members_target == 10
        assert rows[(2024, "")].active_members_met is True
        assert rows[(2025, "")].active_members_met is False

    def test_retention_across_two_years_with_a_lifetime_member(self, worked_example):
        rows = rows_by_key(api.compute_kpis())
        first = rows[(2024, "")]
        assert (first.previous_members, first.retention_rate, first.retention_met) == (0, None, None)
        second = rows[(2025, "")]
        # a, b, c, f and the lifetime member L came back; d, e, g, h and Acme did not.
        assert (second.retained_members, second.previous_members) == (5, 10)
        assert second.retention_rate == pytest.approx(0.5)
        assert second.retention_met is False
        third = rows[(2026, "")]
        assert (third.retained_members, third.previous_members, third.retention_rate) == (6, 6, 1.0)
        assert third.retention_met is True
        engineer = rows[(2025, "engineer")]
        assert (engineer.retained_members, engineer.previous_members) == (4, 6)
        assert engineer.retention_rate == pytest.approx(4 / 6)
        innovator = rows[(2025, "innovator")]  # h left; b is new to the track
        assert (innovator.retained_members, innovator.retention_rate) == (0, 0.0)

    def test_initiatives_and_onboarding(self, worked_example):
        rows = rows_by_key(api.compute_kpis())
        assert (rows[(2024, "")].initiatives, rows[(2024, "")].initiatives_met) == (3, True)
        assert (rows[(2025, "")].initiatives, rows[(2025, "")].initiatives_met) == (1, False)
        assert (rows[(2025, "")].onboarded_members, rows[(2025, "")].onboarded_partners) == (2, 1)
        assert rows[(2025, "")].onboarded_target is None and rows[(2025, "")].onboarded_met is None
        assert rows[(2025, "engineer")].initiatives is None

    def test_nomination_funnel_and_review_progress(self, worked_example):
        rows = rows_by_key(api.compute_kpis(years=[2026]))
        assert set(rows) == {(2026, ""), (2026, "engineer"), (2026, "advocate"), (2026, "innovator")}
        engineer, advocate, everyone = rows[(2026, "engineer")], rows[(2026, "advocate")], rows[(2026, "")]
        assert (engineer.nominations_submitted, engineer.nominations_in_review, engineer.nominations_accepted) == (
            2, 2, 1)
        assert (engineer.reviews_assigned, engineer.reviews_submitted) == (4, 4)
        assert advocate.nominations_submitted == 1 and advocate.nominations_accepted == 0
        assert advocate.nominations_in_review == int(advocate_status_is_in_review())
        assert (advocate.reviews_assigned, advocate.reviews_submitted) == (1, 0)
        assert (everyone.nominations_submitted, everyone.nominations_accepted) == (3, 1)
        assert (everyone.reviews_assigned, everyone.reviews_submitted) == (5, 4)

    def test_targets_follow_the_program_settings(self, worked_example):
        program = worked_example["a"] and api.compute_kpis()[0]
        assert program.initiatives_target == 3
        from openedx_distinguished.models import Program  # pylint: disable=import-outside-toplevel
        Program.objects.update(target_initiatives_per_year=1, target_onboarded_per_year=4)
        rows = rows_by_key(api.compute_kpis())
        assert rows[(2025, "")].initiatives_met is True
        assert (rows[(2025, "")].onboarded_target, rows[(2025, "")].onboarded_met) == (4, False)


def advocate_status_is_in_review():
    """Whether assigning a reviewer moved the advocate nomination into review (the funnel's middle)."""
    return ReviewAssignment.objects.get(reviewer__username="bizrev").nomination.status == "in_review"


class TestCharts:
    """Server-side SVG: well-formed, accessible, drawn to scale, escaped."""

    def test_bars_scale_and_target_line(self):
        svg = bar_chart(chart_id="c", title="Active <members>", labels=["2025", "2026"],
                        series=[("members", [5, 10])], target=10, target_label="target")
        root = ElementTree.fromstring(svg)
        ns = {"s": "http://www.w3.org/2000/svg"}
        assert root.get("role") == "img"
        assert root.find("s:title", ns).text == "Active <members>"
        assert "2025: members 5" in root.find("s:desc", ns).text
        bars = root.findall("s:rect[@class='od-bar']", ns)
        heights = [float(rect.get("height")) for rect in bars]
        assert heights[1] == pytest.approx(2 * heights[0], rel=0.01)
        assert root.find("s:line[@class='od-target']", ns) is not None

    def test_percentages_and_missing_values(self):
        svg = bar_chart(chart_id="r", title="Retention", labels=["2024", "2025"],
                        series=[("retained", [None, 0.5])], target=0.8, percent=True)
        root = ElementTree.fromstring(svg)
        assert len(root.findall("{http://www.w3.org/2000/svg}rect[@class='od-bar']")) == 1
        assert "50%" in svg and "n/a" in svg and "80%" in svg


class TestDashboardPage:
    """The admin page staff open."""

    def test_renders_charts_and_tables(self, client, worked_example, users):
        users["staff"].is_superuser = True
        users["staff"].save()
        client.force_login(users["staff"])
        response = client.get(DASHBOARD, {"year": 2025})
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"od-chart\"") == 6
        for chart_id in ("active", "retention", "initiatives", "onboarded", "funnel", "reviews"):
            assert f'id="od-chart-{chart_id}"' in html
        assert "50% (5/10)" in html
        assert "<script" not in html.split('id="content-main"')[1]
        assert re.search(r'<option value="2025" selected>', html)

    def test_no_cycle_yet(self, client, program, users):
        users["staff"].is_superuser = True
        users["staff"].save()
        client.force_login(users["staff"])
        response = client.get(DASHBOARD)
        assert response.status_code == 200
        assert b"No cycle yet" in response.content

    def test_csv_has_every_indicator(self, client, worked_example, users):
        users["staff"].is_superuser = True
        users["staff"].save()
        client.force_login(users["staff"])
        response = client.get(DASHBOARD_CSV)
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert tuple(rows[0]) == KPI_COLUMNS
        second_year = next(row for row in rows if row["year"] == "2025" and row["track_slug"] == "")
        assert (second_year["active_members"], second_year["retention_rate"]) == ("6", "0.5000")
        assert len(rows) == 3 * 4

    @pytest.mark.parametrize("who", ["anonymous", "learner", "nominator", "chair"])
    def test_only_staff_get_in(self, client, worked_example, users, panels, who):
        if who == "chair":
            client.force_login(panels["chair"])
        elif who != "anonymous":
            client.force_login(users[who])
        for url in (DASHBOARD, DASHBOARD_CSV):
            response = client.get(url)
            assert response.status_code == 302 and "/login/" in response["Location"]

    def test_query_count_does_not_grow_with_members(self, client, worked_example, users, cycle,
                                                    django_assert_max_num_queries):
        users["staff"].is_superuser = True
        users["staff"].save()
        client.force_login(users["staff"])
        for batch in (0, 40, 200):
            for number in range(batch):
                add_term(UserFactory(username=f"bulk{batch}_{number}"), "engineer", cycle, "active")
            with django_assert_max_num_queries(16):
                assert client.get(DASHBOARD).status_code == 200
            with django_assert_max_num_queries(12):
                assert client.get(DASHBOARD_CSV).status_code == 200


class TestKpiEndpoint:
    """``GET /api/distinguished/v1/kpis/``: the same numbers, program staff only."""

    def test_staff_get_the_numbers(self, client_for, worked_example, users):
        response = client_for(users["staff"]).get(KPIS, {"year": [2025]})
        assert response.status_code == 200
        body = response.json()
        assert [(row["year"], row["track"]) for row in body] == [
            (2025, ""), (2025, "engineer"), (2025, "advocate"), (2025, "innovator")]
        assert body[0]["active_members"] == 6 and body[0]["retention_rate"] == 0.5
        assert body[0]["retention_met"] is False and body[0]["active_members_met"] is False

    @pytest.mark.parametrize("who, status", [
        ("anonymous", 401), ("learner", 403), ("nominee", 403), ("nominator", 403), ("reviewer", 403),
        ("chair", 403), ("member", 403),
    ])
    def test_nobody_else(self, client_for, worked_example, users, panels, who, status):
        user = {"anonymous": None, "reviewer": panels["rev1"], "chair": panels["chair"],
                "member": worked_example["a"]}.get(who, users.get(who))
        response = client_for(user).get(KPIS)
        assert response.status_code == status

    @pytest.mark.parametrize("value", ["twenty", "0", "10000"])
    def test_a_bad_year_is_a_400_with_a_message(self, client_for, worked_example, users, value):
        response = client_for(users["staff"]).get(KPIS, {"year": value})
        assert response.status_code == 400
        assert response.json()["year"]

    def test_query_count_does_not_grow(self, client_for, worked_example, users, cycle,
                                       django_assert_max_num_queries):
        client = client_for(users["staff"])
        for batch in (10, 100):
            for number in range(batch):
                add_term(UserFactory(username=f"api{batch}_{number}"), "advocate", cycle, "active")
            with django_assert_max_num_queries(12):
                assert client.get(KPIS).status_code == 200


class TestCommand:
    """``distinguished_kpis`` prints the table (or CSV)."""

    def test_table(self, worked_example):
        out = io.StringIO()
        call_command("distinguished_kpis", "--year", "2025", stdout=out)
        lines = out.getvalue().splitlines()
        assert lines[0].split()[:3] == ["Year", "Track", "Active"]
        program_line = next(line for line in lines if "(all)" in line)
        assert "6 (≥10) ✗" in program_line and "50% (5/10)" in program_line
        assert len([line for line in lines if line.startswith("2025")]) == 4

    def test_csv(self, worked_example):
        out = io.StringIO()
        call_command("distinguished_kpis", "--format", "csv", stdout=out)
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        assert tuple(rows[0]) == KPI_COLUMNS and len(rows) == 1 + 3 * 4

    def test_without_a_program(self, db):
        from django.core.management import CommandError  # pylint: disable=import-outside-toplevel
        with pytest.raises(CommandError, match="has not been loaded"):
            call_command("distinguished_kpis")


def test_a_term_revoked_later_stops_counting(worked_example):
    before = rows_by_key(api.compute_kpis(years=[2026]))[(2026, "")].active_members
    MembershipTerm.objects.filter(holder_user=worked_example["x"], cycle__year=2026).update(
        status="revoked", current_key=None)
    assert rows_by_key(api.compute_kpis(years=[2026]))[(2026, "")].active_members == before - 1
