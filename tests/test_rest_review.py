"""
The review REST API for every role that could misuse it, the embargo on each channel, and query counts.
"""

import pytest

from openedx_distinguished import api
from openedx_distinguished.models import AuditEntry, Decision, Panel, PanelMember, Review, ReviewAssignment

from .factories import UserFactory
from .review_fixtures import assigned_nomination, at_announcement, score_all, submitted_nomination

pytestmark = pytest.mark.django_db

BASE = "/api/distinguished/v1"
ROLES = ["anonymous", "learner", "nominee", "nominator", "reviewer", "conflicted", "chair", "staff"]


@pytest.fixture
def nomination(cycle, users, panels):
    """A nomination assigned to rev1 and rev2, endorsed (so conflicted) by rev3."""
    return assigned_nomination(users, panels)


@pytest.fixture
def as_role(users, panels, client_for):
    """An API client for each role of the review."""
    people = {**users, "reviewer": panels["rev1"], "conflicted": panels["rev3"], "chair": panels["chair"]}

    def make(role):
        return client_for(None if role == "anonymous" else people[role])
    return make


def release(cycle):
    """Move the cycle to its announcement and release it."""
    return api.release_announcement(cycle_year=at_announcement(cycle).year)


SEES = {"anonymous": 401, "learner": 404, "nominee": 404, "nominator": 404, "reviewer": 200, "conflicted": 404,
        "chair": 200, "staff": 200}
REVIEWS = {**SEES, "chair": 403, "staff": 403}
DECLARES = {**SEES, "reviewer": 201, "chair": 201, "staff": 403}
RUNS = {**SEES, "reviewer": 403, "chair": 201, "staff": 201}
CYCLE_LEVEL = {"anonymous": 401, "learner": 403, "nominee": 403, "nominator": 403, "reviewer": 403,
               "conflicted": 403, "chair": 200, "staff": 200}


@pytest.mark.parametrize("role", ROLES)
def test_review_sheet(nomination, as_role, role):
    response = as_role(role).get(f"{BASE}/review/nominations/{nomination.id}/")
    assert response.status_code == SEES[role]
    if response.status_code == 200:
        sheet = response.json()
        assert sheet["nomination"]["id"] == nomination.id
        assert len(sheet["criteria"]) == 5 and len(sheet["endorsements"]) == 1


@pytest.mark.parametrize("role", ROLES)
def test_submit_review(nomination, as_role, role):
    body = {"scores": score_all("engineer", 4), "recommendation": "accept", "panel_comments": "Solid."}
    response = as_role(role).put(f"{BASE}/review/nominations/{nomination.id}/review/", body, format="json")
    assert response.status_code == REVIEWS[role]
    assert Review.objects.count() == (1 if REVIEWS[role] == 200 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_declare_conflict(nomination, as_role, role):
    response = as_role(role).post(f"{BASE}/review/nominations/{nomination.id}/conflict/", {"reason": "Friends."},
                                  format="json")
    assert response.status_code == DECLARES[role]
    assert AuditEntry.objects.filter(action="conflict_declared").count() == (1 if DECLARES[role] == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_assign(nomination, as_role, role):
    response = as_role(role).post(f"{BASE}/review/nominations/{nomination.id}/assignments/", {"reviewer": "rev4"},
                                  format="json")
    assert response.status_code == RUNS[role]
    assert ReviewAssignment.objects.filter(reviewer__username="rev4").exists() == (RUNS[role] == 201)


@pytest.mark.parametrize("role", ROLES)
def test_unassign(nomination, as_role, role):
    response = as_role(role).delete(f"{BASE}/review/nominations/{nomination.id}/assignments/rev2/")
    expected = {**RUNS, "chair": 204, "staff": 204}[role]
    assert response.status_code == expected
    assert ReviewAssignment.objects.filter(reviewer__username="rev2").exists() == (expected != 204)


@pytest.mark.parametrize("role", ROLES)
def test_record_decision(nomination, panels, as_role, role):
    for reviewer in ("rev1", "rev2"):
        api.submit_review(nomination_id=nomination.id, reviewer=panels[reviewer], scores=score_all("engineer", 4),
                          recommendation="accept")
    response = as_role(role).post(f"{BASE}/review/nominations/{nomination.id}/decision/",
                                  {"outcome": "accept", "rationale": "Clear case."}, format="json")
    expected = {**RUNS, "chair": 200, "staff": 200}[role]
    assert response.status_code == expected
    assert Decision.objects.exists() == (expected == 200)
    reading = as_role(role).get(f"{BASE}/review/nominations/{nomination.id}/decision/")
    assert reading.status_code == expected
    if expected == 200:
        assert reading.json()["outcome"] == "accept" and reading.json()["released_at"] is None


@pytest.mark.parametrize("role", ROLES)
def test_scoreboard_and_conflict_list(nomination, as_role, role):
    scoreboard = as_role(role).get(f"{BASE}/review/cycles/2026/scoreboard/")
    conflicts = as_role(role).get(f"{BASE}/review/cycles/2026/conflicts/")
    assert scoreboard.status_code == conflicts.status_code == CYCLE_LEVEL[role]
    if CYCLE_LEVEL[role] == 200:
        assert [row["nomination"] for row in scoreboard.json()] == [nomination.id]
        assert {(c["reviewer"], tuple(c["reasons"])) for c in conflicts.json()} == {
            ("rev3", ("endorsed the nomination",))}


@pytest.mark.parametrize("role", ROLES)
def test_auto_assign(nomination, as_role, role):
    response = as_role(role).post(f"{BASE}/review/cycles/2026/auto-assign/", {}, format="json")
    assert response.status_code == CYCLE_LEVEL[role]
    expected = 3 if CYCLE_LEVEL[role] == 200 else 2
    assert ReviewAssignment.objects.filter(nomination_id=nomination.id).count() == expected
    assert not ReviewAssignment.objects.filter(reviewer__username="rev3").exists()


# A chair releases only when their panels cover every track of the cycle (ADR 0015); the fixture's
# chair chairs engineer and innovator, not advocate.
RELEASE = {**CYCLE_LEVEL, "chair": 403}


@pytest.mark.parametrize("role", ROLES)
def test_release(nomination, as_role, role, cycle, panels):
    for reviewer in ("rev1", "rev2"):
        api.submit_review(nomination_id=nomination.id, reviewer=panels[reviewer], scores=score_all("engineer", 4),
                          recommendation="accept")
    api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome="accept", rationale="Yes.")
    at_announcement(cycle)
    response = as_role(role).post(f"{BASE}/review/cycles/2026/release/")
    assert response.status_code == RELEASE[role]
    assert (api.get_nomination(nomination_id=nomination.id).status == "accepted") == (RELEASE[role] == 200)


def test_a_chair_of_every_track_releases(nomination, as_role, cycle, panels):
    api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome="accept", rationale="Yes.",
                        override_reason="Urgent.")
    at_announcement(cycle)
    PanelMember.objects.create(panel=Panel.objects.get(slug="biz-dev"), user=panels["chair"], role="chair")
    response = as_role("chair").post(f"{BASE}/review/cycles/2026/release/")
    assert response.status_code == 200, response.content
    assert api.get_nomination(nomination_id=nomination.id).status == "accepted"


def test_release_of_an_unknown_cycle_is_a_404(as_role, cycle, panels):
    assert as_role("staff").post(f"{BASE}/review/cycles/1999/release/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_audit_log_is_for_staff(nomination, as_role, role):
    expected = {**CYCLE_LEVEL, "chair": 403}[role]
    response = as_role(role).get(f"{BASE}/review/cycles/2026/audit/")
    assert response.status_code == expected
    if expected == 200:
        assert {e["action"] for e in response.json()["results"]} == {"assigned"}


@pytest.mark.parametrize("role", ["learner", "reviewer", "chair", "staff"])
def test_csv_export_and_import(nomination, as_role, role):
    client = as_role(role)
    exported = client.get(f"{BASE}/review/cycles/2026/assignments.csv")
    allowed = role in ("chair", "staff")
    assert exported.status_code == (200 if allowed else 403)
    response = client.post(f"{BASE}/review/cycles/2026/assignments.csv",
                           {"csv": f"nomination_id,reviewer\n{nomination.id},rev4\n"}, format="json")
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert exported["Content-Type"].startswith("text/csv")
        assert "rev1" in exported.content.decode()
        assert response.json() == {"created": 1, "skipped": 0}


def test_csv_import_errors_are_a_400_listing_rows(nomination, as_role):
    response = as_role("staff").post(f"{BASE}/review/cycles/2026/assignments.csv",
                                     {"csv": "nomination_id,reviewer\n999,rev4\nabc,rev1\n"}, format="json")
    assert response.status_code == 400
    assert len(response.json()["rows"]) == 2
    assert ReviewAssignment.objects.count() == 2


def test_csv_import_needs_exactly_one_source(nomination, as_role):
    response = as_role("staff").post(f"{BASE}/review/cycles/2026/assignments.csv", {}, format="json")
    assert response.status_code == 400 and "csv" in response.json()


def test_see_others_scores_after_own(nomination, panels, as_role):
    api.submit_review(nomination_id=nomination.id, reviewer=panels["rev2"], scores=score_all("engineer", 2),
                      recommendation="decline")
    client = as_role("reviewer")
    assert client.get(f"{BASE}/review/nominations/{nomination.id}/").json()["other_reviews"] is None
    client.put(f"{BASE}/review/nominations/{nomination.id}/review/",
               {"scores": score_all("engineer", 5), "recommendation": "accept"}, format="json")
    others = client.get(f"{BASE}/review/nominations/{nomination.id}/").json()["other_reviews"]
    assert [o["reviewer_username"] for o in others] == ["rev2"]


def test_bad_review_is_a_400_per_field(nomination, as_role):
    response = as_role("reviewer").put(f"{BASE}/review/nominations/{nomination.id}/review/",
                                       {"scores": {"significant-contributions": 9}, "recommendation": "yes"},
                                       format="json")
    assert response.status_code == 400
    assert {"scores", "recommendation"} <= set(response.json())
    assert not Review.objects.exists()


def test_decision_below_quorum_needs_an_override(nomination, as_role):
    response = as_role("chair").post(f"{BASE}/review/nominations/{nomination.id}/decision/",
                                     {"outcome": "accept", "rationale": "Clear."}, format="json")
    assert response.status_code == 400 and "quorum_override_reason" in response.json()
    response = as_role("chair").post(f"{BASE}/review/nominations/{nomination.id}/decision/",
                                     {"outcome": "accept", "rationale": "Clear.", "override_reason": "Urgent."},
                                     format="json")
    assert response.status_code == 200


def test_release_before_the_announcement_date_is_a_400(nomination, as_role):
    response = as_role("staff").post(f"{BASE}/review/cycles/2026/release/")
    assert response.status_code == 400 and "cycle" in response.json()


class TestEmbargo:
    """Until the release, nominee and nominator see "in review" on every channel that exists."""

    @pytest.fixture
    def decided(self, nomination, panels):
        """A nomination with two reviews and a pending decline."""
        for reviewer in ("rev1", "rev2"):
            api.submit_review(nomination_id=nomination.id, reviewer=panels[reviewer],
                              scores=score_all("engineer", 2), recommendation="decline",
                              nominee_feedback="Document your work.")
        api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome="decline",
                            rationale="Not enough evidence.", feedback="We would love to see a case study.")
        return nomination

    @pytest.mark.parametrize("role", ["nominee", "nominator"])
    def test_nominee_and_nominator_see_in_review_until_release(self, decided, as_role, role, cycle, client):
        api_client = as_role(role)
        detail = api_client.get(f"{BASE}/nominations/{decided.id}/").json()
        listing = api_client.get(f"{BASE}/nominations/").json()["results"]
        for shown in (detail, listing[0]):
            assert shown["status"] == "in_review"
            assert shown["decision_feedback"] is None
        for url in (f"{BASE}/review/nominations/{decided.id}/decision/", f"{BASE}/review/nominations/{decided.id}/"):
            assert api_client.get(url).status_code == 404
        assert api_client.get(f"{BASE}/review/cycles/2026/scoreboard/").status_code == 403
        page = client.get("/distinguished/program/").content.decode()
        assert "decline" not in page.lower() and "not enough evidence" not in page.lower()

        release(cycle)
        detail = api_client.get(f"{BASE}/nominations/{decided.id}/").json()
        assert detail["status"] == "declined"
        assert detail["decision_feedback"] == "We would love to see a case study."

    def test_reviewer_without_chair_role_does_not_see_the_decision(self, decided, as_role):
        assert as_role("reviewer").get(f"{BASE}/review/nominations/{decided.id}/decision/").status_code == 403
        sheet = as_role("reviewer").get(f"{BASE}/review/nominations/{decided.id}/").json()
        assert sheet["nomination"]["status"] == "in_review"


def test_listing_queries_do_not_grow(cycle, panels, as_role, django_assert_max_num_queries):
    def add(count, prefix):
        for index in range(count):
            nominee = UserFactory(username=f"{prefix}{index}")
            made = submitted_nomination(nominee, nominee)
            api.assign_reviewer(nomination_id=made.id, reviewer_username="rev1", actor=None)
            api.submit_review(nomination_id=made.id, reviewer=panels["rev1"], scores=score_all("engineer", 3),
                              recommendation="accept")

    add(2, "a")
    urls = [(as_role("reviewer"), f"{BASE}/review/assignments/"),
            (as_role("chair"), f"{BASE}/review/cycles/2026/scoreboard/"),
            (as_role("chair"), f"{BASE}/review/cycles/2026/conflicts/")]
    budgets = []
    for client, url in urls:
        with django_assert_max_num_queries(20) as counted:
            assert client.get(url).status_code == 200
        budgets.append(len(counted.captured_queries))
    add(20, "b")
    for (client, url), budget in zip(urls, budgets):
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200
