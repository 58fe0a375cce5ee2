"""
The review rules through the public API: assignment, conflicts, scoring, aggregation, decisions, release.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.data import ImportReport
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import (
    AuditEntry,
    CriterionScore,
    Decision,
    Nomination,
    PanelMember,
    Review,
    ReviewAssignment,
)

from .factories import PartnerOrganizationFactory, UserFactory
from .review_fixtures import at_announcement, score_all, submitted_nomination

pytestmark = pytest.mark.django_db


def assign(nomination, *usernames, actor=None):
    for username in usernames:
        api.assign_reviewer(nomination_id=nomination.id, reviewer_username=username, actor=actor)


def review(nomination, reviewer, value=4, recommendation="accept", **kwargs):
    scores = value if isinstance(value, dict) else score_all(nomination.track_slug, value)
    return api.submit_review(nomination_id=nomination.id, reviewer=reviewer, scores=scores,
                             recommendation=recommendation, **kwargs)


def move_clock(cycle, **dates):
    for name, value in dates.items():
        setattr(cycle, name, value)
    cycle.save()


def after_review_deadline(cycle):
    now = timezone.now()
    move_clock(cycle, nominations_open_at=now - timedelta(days=90), nominations_close_at=now - timedelta(days=60),
               review_deadline=now - timedelta(days=1), decision_date=now - timedelta(hours=1),
               announcement_at=now + timedelta(days=5), ends_at=now + timedelta(days=370))


@pytest.fixture
def four_nominations(cycle, users, panels):
    nominees = [UserFactory(username=f"star{i}") for i in range(4)]
    return [submitted_nomination(nominee, nominee) for nominee in nominees]


class TestAssignment:
    """Manual, automatic and CSV assignment of reviewers."""
    def test_manual_assignment_starts_the_review(self, four_nominations, panels, users):
        nomination = four_nominations[0]
        assert nomination.status == "submitted"
        data = api.assign_reviewer(nomination_id=nomination.id, reviewer_username="rev1", actor=panels["chair"])
        assert data.reviewer_username == "rev1" and not data.reviewed
        assert api.get_nomination(nomination_id=nomination.id).status == "in_review"
        entry = AuditEntry.objects.get(action="assigned")
        assert (entry.actor, entry.nomination_id, entry.detail["reviewer"]) == (panels["chair"], nomination.id, "rev1")

    def test_reviewer_must_be_on_a_panel_for_the_track(self, four_nominations, panels):
        with pytest.raises(ValidationError) as error:
            assign(four_nominations[0], "bizrev")
        assert "reviewer" in error.value.errors
        assert not ReviewAssignment.objects.exists()

    def test_assigning_twice_is_refused(self, four_nominations, panels):
        assign(four_nominations[0], "rev1")
        with pytest.raises(InvalidTransition):
            assign(four_nominations[0], "rev1")
        assert ReviewAssignment.objects.count() == 1

    def test_unassign_only_before_reviewing(self, four_nominations, panels):
        assign(four_nominations[0], "rev1", "rev2")
        api.unassign_reviewer(nomination_id=four_nominations[0].id, reviewer_username="rev1", actor=None)
        review(four_nominations[0], panels["rev2"])
        with pytest.raises(InvalidTransition):
            api.unassign_reviewer(nomination_id=four_nominations[0].id, reviewer_username="rev2", actor=None)
        assert list(ReviewAssignment.objects.values_list("reviewer__username", flat=True)) == ["rev2"]

    def test_automatic_assignment_balances_load_and_skips_conflicts(self, four_nominations, panels, users):
        # rev1 endorses the first nomination: conflicted there.
        api.create_nomination(nominator=panels["rev1"], cycle_year=2026, track_slug="engineer",
                              nominee_username="star0")
        report = api.auto_assign(cycle_year=2026, actor=users["staff"])
        assert report.short == ()
        per_nomination = {n.id: set(ReviewAssignment.objects.filter(nomination_id=n.id)
                                    .values_list("reviewer__username", flat=True)) for n in four_nominations}
        assert all(len(reviewers) == 3 for reviewers in per_nomination.values())
        assert "rev1" not in per_nomination[four_nominations[0].id]
        loads = [ReviewAssignment.objects.filter(reviewer__username=name).count()
                 for name in ("rev1", "rev2", "rev3", "rev4", "chair")]
        assert sum(loads) == 12 and max(loads) - min(loads) <= 1
        assert "bizrev" not in {r for reviewers in per_nomination.values() for r in reviewers}
        assert all(api.get_nomination(nomination_id=n.id).status == "in_review" for n in four_nominations)
        # Running it again changes nothing.
        assert api.auto_assign(cycle_year=2026, actor=users["staff"]).assigned == ()
        assert ReviewAssignment.objects.count() == 12

    def test_automatic_assignment_reports_shortfalls(self, cycle, users, panels):
        nominee = UserFactory(username="advocate-star")
        nomination = submitted_nomination(nominee, nominee, track="advocate")
        report = api.auto_assign(cycle_year=2026, actor=None)
        assert report.assigned == ((nomination.id, "bizrev"),)
        assert report.short == ((nomination.id, 2),)

    def test_no_assignment_after_the_review_deadline(self, four_nominations, panels, cycle):
        after_review_deadline(cycle)
        with pytest.raises(ValidationError):
            assign(four_nominations[0], "rev1")
        with pytest.raises(ValidationError):
            api.auto_assign(cycle_year=2026, actor=None)
        assert not ReviewAssignment.objects.exists()

    def test_csv_round_trip(self, four_nominations, panels):
        assign(four_nominations[0], "rev1", "rev2")
        exported = api.export_assignments_csv(cycle_year=2026)
        lines = exported.strip().splitlines()
        assert lines[0] == "nomination_id,track,nominee,reviewer"
        assert lines[1] == f"{four_nominations[0].id},engineer,Star0,rev1"
        # Re-importing the export adds nothing.
        assert api.import_assignments_csv(cycle_year=2026, text=exported, actor=None) == ImportReport(created=0,
                                                                                                      skipped=2)
        text = f"nomination_id,reviewer\n{four_nominations[1].id},rev3\n{four_nominations[2].id},rev4\n"
        assert api.import_assignments_csv(cycle_year=2026, text=text, actor=None) == ImportReport(created=2,
                                                                                                  skipped=0)
        assert ReviewAssignment.objects.count() == 4

    def test_csv_import_reports_every_bad_row_and_writes_nothing(self, four_nominations, panels):
        star0 = four_nominations[0]
        text = "\n".join([
            "nomination_id,reviewer",
            f"{star0.id},rev1",             # fine
            "999999,rev2",                  # unknown nomination
            f"{star0.id},ghost",            # unknown user
            f"{star0.id},bizrev",           # not on a panel for the track
            f"{star0.id},star0",            # the nominee (not on a panel either)
            "only-one-column",
        ])
        with pytest.raises(ValidationError) as error:
            api.import_assignments_csv(cycle_year=2026, text=text, actor=None)
        rows = error.value.errors["rows"]
        assert [row.split(":")[0] for row in rows] == ["Line 3", "Line 4", "Line 5", "Line 6", "Line 7"]
        assert not ReviewAssignment.objects.exists()
        assert Nomination.objects.get(pk=star0.id).status == "submitted"

    def test_csv_import_of_nothing(self, cycle, panels):
        with pytest.raises(ValidationError):
            api.import_assignments_csv(cycle_year=2026, text="nomination_id,reviewer\n", actor=None)


class TestConflicts:
    """Each conflict-of-interest rule, detected or declared."""
    @pytest.fixture
    def nomination(self, cycle, users, panels):
        return submitted_nomination(users["nominator"], users["nominee"])

    def make_panel_member(self, user):
        from openedx_distinguished.models import Panel  # pylint: disable=import-outside-toplevel
        PanelMember.objects.create(panel=Panel.objects.get(slug="core-product"), user=user, role="reviewer")

    @pytest.mark.parametrize("who, reason", [
        ("nominee", "is the nominee"),
        ("nominator", "nominated them"),
    ])
    def test_nominee_and_nominator(self, nomination, users, who, reason):
        self.make_panel_member(users[who])
        assert reason in _reasons(nomination, users[who])
        assert api.ROLE_CONFLICTED in api.review_roles(user=users[who], nomination_id=nomination.id)
        with pytest.raises(ValidationError):
            assign(nomination, users[who].username)

    def test_endorser(self, nomination, users, panels):
        api.create_nomination(nominator=panels["rev2"], cycle_year=2026, track_slug="engineer",
                              nominee_username="nominee")
        assert _reasons(nomination, panels["rev2"]) == ("endorsed the nomination",)

    def test_member_of_the_nominated_organization(self, cycle, users, panels):
        org = PartnerOrganizationFactory(slug="acme")
        org.contacts.add(panels["rev3"])
        outcome = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="engineer",
                                        nominee_organization_slug="acme",
                                        justifications={c.slug: "x"
                                                        for c in api.get_track_data(slug="engineer").criteria})
        api.submit_nomination(nomination_id=outcome.nomination.id, actor=users["nominator"])
        assert _reasons(outcome.nomination, panels["rev3"]) == ("belongs to the nominated organization",)

    def test_shares_an_organization_with_the_nominee(self, nomination, users, panels):
        org = PartnerOrganizationFactory(slug="shared")
        org.contacts.add(panels["rev4"], users["nominee"])
        assert _reasons(nomination, panels["rev4"]) == ("shares an organization with the nominee",)

    def test_declared_conflict_removes_the_assignment_and_hides_the_review(self, nomination, panels):
        assign(nomination, "rev1", "rev2")
        review(nomination, panels["rev1"], 5)
        review(nomination, panels["rev2"], 3)
        conflict = api.declare_conflict(nomination_id=nomination.id, reviewer=panels["rev1"],
                                        reason="We co-founded a company.")
        assert conflict.reasons == ("declared: We co-founded a company.",)
        assert not ReviewAssignment.objects.filter(reviewer=panels["rev1"]).exists()
        row = api.scoreboard(cycle_year=2026)[0]
        assert row.review_count == 1 and row.weighted_mean == 3.0
        assert [a.nomination_id for a in api.list_assignments(reviewer=panels["rev1"])] == []
        assert AuditEntry.objects.filter(action="conflict_declared").count() == 1
        with pytest.raises(InvalidTransition):
            api.declare_conflict(nomination_id=nomination.id, reviewer=panels["rev1"], reason="again")

    def test_declaring_needs_a_reason(self, nomination, panels):
        with pytest.raises(ValidationError) as error:
            api.declare_conflict(nomination_id=nomination.id, reviewer=panels["rev1"], reason="  ")
        assert "reason" in error.value.errors

    def test_chairs_see_the_conflict_list(self, nomination, users, panels):
        self.make_panel_member(users["nominator"])
        api.declare_conflict(nomination_id=nomination.id, reviewer=panels["rev2"], reason="Same team.")
        conflicts = {(c.reviewer_username, c.reasons) for c in api.list_conflicts(cycle_year=2026)}
        assert conflicts == {("nominator", ("nominated them",)), ("rev2", ("declared: Same team.",))}


def _reasons(nomination, user):
    return api.conflict_reasons(nomination_id=nomination.id, user=user)


class TestReviews:
    """Scoring a nomination on the rubric."""
    @pytest.fixture
    def nomination(self, cycle, users, panels):
        nomination = submitted_nomination(users["nominator"], users["nominee"])
        assign(nomination, "rev1", "rev2")
        return nomination

    def test_review_is_weighted_by_the_criteria(self, nomination, panels):
        scores = {"significant-contributions": 5, "community-support": 1, "architecture-proposals": 3,
                  "core-processes": 3, "technical-mentorship": 3}
        data = review(nomination, panels["rev1"], scores, panel_comments="Strong.", nominee_feedback="Keep going.")
        # (2*5 + 1*1 + 1.5*3 + 1*3 + 1*3) / 6.5
        assert data.weighted_score == pytest.approx(3.308, abs=0.001)
        assert data.scores == scores
        assert AuditEntry.objects.filter(action="review_submitted").count() == 1

    @pytest.mark.parametrize("change, field", [
        ({"technical-mentorship": None}, "scores"),
        ({"technical-mentorship": 0}, "scores"),
        ({"technical-mentorship": 6}, "scores"),
        ({"technical-mentorship": 4.5}, "scores"),
        ({"technical-mentorship": True}, "scores"),
        ({"made-up": 3}, "scores"),
    ])
    def test_bad_scores_write_nothing(self, nomination, panels, change, field):
        scores = score_all("engineer", 4)
        for slug, value in change.items():
            if value is None:
                del scores[slug]
            else:
                scores[slug] = value
        with pytest.raises(ValidationError) as error:
            review(nomination, panels["rev1"], scores)
        assert field in error.value.errors
        assert not Review.objects.exists() and not CriterionScore.objects.exists()

    def test_bad_recommendation(self, nomination, panels):
        with pytest.raises(ValidationError) as error:
            review(nomination, panels["rev1"], recommendation="hire")
        assert "recommendation" in error.value.errors
        assert not Review.objects.exists()

    def test_editable_until_the_deadline(self, nomination, panels, cycle):
        review(nomination, panels["rev1"], 2)
        updated = review(nomination, panels["rev1"], 4, recommendation="defer")
        assert updated.weighted_score == 4.0 and updated.recommendation == "defer"
        assert Review.objects.count() == 1 and CriterionScore.objects.count() == 5
        assert AuditEntry.objects.filter(action="review_updated").count() == 1
        after_review_deadline(cycle)
        with pytest.raises(ValidationError):
            review(nomination, panels["rev1"], 5)
        assert Review.objects.get().recommendation == "defer"

    def test_others_scores_only_after_submitting_ones_own(self, nomination, panels):
        review(nomination, panels["rev2"], 5)
        sheet = api.get_review_sheet(nomination_id=nomination.id, user=panels["rev1"])
        assert sheet.own_review is None and sheet.other_reviews is None and sheet.editable
        review(nomination, panels["rev1"], 3)
        sheet = api.get_review_sheet(nomination_id=nomination.id, user=panels["rev1"])
        assert sheet.own_review.weighted_score == 3.0
        assert [r.reviewer_username for r in sheet.other_reviews] == ["rev2"]
        chair_sheet = api.get_review_sheet(nomination_id=nomination.id, user=panels["chair"], sees_all=True)
        assert {r.reviewer_username for r in chair_sheet.other_reviews} == {"rev1", "rev2"}

    def test_only_nominations_in_review(self, cycle, users, panels):
        draft = api.create_nomination(nominator=users["learner"], cycle_year=2026, track_slug="innovator",
                                      nominee_username="learner").nomination
        with pytest.raises(InvalidTransition):
            review(draft, panels["rev1"])


class TestAggregation:
    """Weighted means, medians, normalised scores and the ranked scoreboard."""
    def test_worked_example(self, cycle, users, panels):
        """
        rev1 scores N1=4, N2=2 (mean 3, sd 1); rev2 scores N1=5, N2=3 (mean 4, sd 1);
        rev3 scores N2=5 only. All counted reviews: 4, 2, 5, 3, 5 → mean 3.8, population sd
        sqrt(6.8 / 5) = 1.16619.
        z: rev1 → +1, -1; rev2 → +1, -1; rev3 (one review) → (5 - 3.8) / 1.16619 = 1.02899.
        N1: mean 4.5, median 4.5, mean z 1 → 3.8 + 1.16619 = 4.966.
        N2: mean 10/3, median 3, mean z (-1 - 1 + 1.02899) / 3 = -0.32367 → 3.8 - 0.37746 = 3.423.
        """
        n1 = submitted_nomination(UserFactory(username="n1"), UserFactory(username="n1"))
        n2 = submitted_nomination(UserFactory(username="n2"), UserFactory(username="n2"))
        assign(n1, "rev1", "rev2")
        assign(n2, "rev1", "rev2", "rev3")
        review(n1, panels["rev1"], 4)
        review(n2, panels["rev1"], 2, recommendation="decline")
        review(n1, panels["rev2"], 5)
        review(n2, panels["rev2"], 3, recommendation="defer")
        review(n2, panels["rev3"], 5)
        board = {row.nomination_id: row for row in api.scoreboard(cycle_year=2026, track_slug="engineer")}
        assert (board[n1.id].weighted_mean, board[n1.id].median, board[n1.id].review_count) == (4.5, 4.5, 2)
        assert board[n1.id].normalised_score == pytest.approx(4.966, abs=0.001)
        assert (board[n2.id].weighted_mean, board[n2.id].median, board[n2.id].review_count) == (3.333, 3.0, 3)
        assert board[n2.id].normalised_score == pytest.approx(3.423, abs=0.001)
        assert board[n2.id].recommendations == {"decline": 1, "defer": 1, "accept": 1}
        assert (board[n1.id].rank, board[n2.id].rank) == (1, 2)
        assert board[n1.id].quorum_reached and board[n2.id].quorum_reached

    def test_normalisation_ranks_a_harsh_reviewers_favourite_fairly(self, cycle, users, panels):
        # rev1 is harsh (gives 1-3), rev2 is lenient (gives 3-5). Raw means tie; normalised
        # scores keep the order both reviewers agree on.
        noms = [submitted_nomination(UserFactory(username=f"h{i}"), UserFactory(username=f"h{i}")) for i in range(3)]
        for nomination, (harsh, lenient) in zip(noms, [(3, 5), (2, 4), (1, 3)]):
            assign(nomination, "rev1", "rev2")
            review(nomination, panels["rev1"], harsh)
            review(nomination, panels["rev2"], lenient)
        ranked = [row.nomination_id for row in api.scoreboard(cycle_year=2026)]
        assert ranked == [n.id for n in noms]

    def test_unreviewed_nominations_are_unranked_and_below_quorum(self, cycle, users, panels):
        lonely = submitted_nomination(UserFactory(username="lonely"), UserFactory(username="lonely"))
        assign(lonely, "rev1")
        row = api.scoreboard(cycle_year=2026)[0]
        assert (row.review_count, row.normalised_score, row.rank, row.quorum_reached) == (0, None, None, False)

    def test_scoreboard_queries_do_not_grow(self, cycle, users, panels, django_assert_max_num_queries):
        def add(count, prefix):
            for index in range(count):
                nominee = UserFactory(username=f"{prefix}{index}")
                nomination = submitted_nomination(nominee, nominee)
                assign(nomination, "rev1", "rev2")
                review(nomination, panels["rev1"], 1 + index % 5)
                review(nomination, panels["rev2"], 1 + (index + 2) % 5)

        add(2, "a")
        with django_assert_max_num_queries(12) as few:
            api.scoreboard(cycle_year=2026)
        add(15, "b")
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert len(api.scoreboard(cycle_year=2026)) == 17
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert len(api.list_assignments(reviewer=panels["rev1"])) == 17


class TestDecisionsAndRelease:
    """Decisions, quorum, embargo and the release of the announcement."""
    @pytest.fixture
    def reviewed(self, cycle, users, panels):
        """A nomination in review with one review (below the quorum of two)."""
        nomination = submitted_nomination(users["nominator"], users["nominee"])
        assign(nomination, "rev1", "rev2")
        review(nomination, panels["rev1"], 5)
        return nomination

    def test_quorum_or_an_override_reason(self, reviewed, panels):
        with pytest.raises(ValidationError) as error:
            api.record_decision(nomination_id=reviewed.id, actor=panels["chair"], outcome="accept",
                                rationale="Outstanding.")
        assert "quorum_override_reason" in error.value.errors
        assert not Decision.objects.exists()
        decision = api.record_decision(nomination_id=reviewed.id, actor=panels["chair"], outcome="accept",
                                       rationale="Outstanding.", override_reason="rev2 is on leave.")
        assert decision.quorum_override_reason == "rev2 is on leave."
        assert AuditEntry.objects.get(action="decision_recorded").detail["override"] is True

    def test_decision_needs_outcome_and_rationale(self, reviewed, panels):
        review(reviewed, panels["rev2"], 4)
        with pytest.raises(ValidationError) as error:
            api.record_decision(nomination_id=reviewed.id, actor=panels["chair"], outcome="maybe", rationale=" ")
        assert {"outcome", "rationale"} <= set(error.value.errors)
        assert not Decision.objects.exists()

    def test_decision_is_embargoed_until_release(self, reviewed, panels, users, cycle):
        review(reviewed, panels["rev2"], 4)
        api.record_decision(nomination_id=reviewed.id, actor=panels["chair"], outcome="decline",
                            rationale="Not yet.", feedback="Lead a working group next year.")
        for viewer in ("nominee", "nominator"):
            seen = api.list_nominations(user=users[viewer]).items[0]
            assert seen.status == "in_review" and seen.decision_feedback is None
        assert api.get_nomination(nomination_id=reviewed.id).status == "in_review"
        # Before the announcement date the release is refused.
        with pytest.raises(ValidationError):
            api.release_announcement(cycle_year=2026, actor=users["staff"])
        at_announcement(cycle)
        report = api.release_announcement(cycle_year=2026, actor=users["staff"])
        assert (report.already_released, report.outcomes) == (False, {"decline": 1})
        seen = api.list_nominations(user=users["nominee"]).items[0]
        assert seen.status == "declined" and seen.decision_feedback == "Lead a working group next year."

    def test_decision_can_change_until_release_then_is_final(self, reviewed, panels, users, cycle):
        review(reviewed, panels["rev2"], 4)
        api.record_decision(nomination_id=reviewed.id, actor=panels["chair"], outcome="defer", rationale="Hmm.")
        api.record_decision(nomination_id=reviewed.id, actor=panels["chair"], outcome="accept", rationale="Yes.")
        assert Decision.objects.get().outcome == "accept"
        assert AuditEntry.objects.filter(action="decision_changed").count() == 1
        at_announcement(cycle)
        api.release_announcement(cycle_year=2026)
        with pytest.raises(InvalidTransition):
            api.record_decision(nomination_id=reviewed.id, actor=panels["chair"], outcome="decline", rationale="x")

    def test_release_needs_every_nomination_decided(self, reviewed, cycle):
        at_announcement(cycle)
        with pytest.raises(ValidationError) as error:
            api.release_announcement(cycle_year=2026)
        assert str(reviewed.id) in error.value.errors["nominations"][0]
        cycle.refresh_from_db()
        assert cycle.announcement_released_at is None

    def test_release_is_idempotent(self, reviewed, panels, users, cycle):
        review(reviewed, panels["rev2"], 4)
        api.record_decision(nomination_id=reviewed.id, actor=panels["chair"], outcome="accept", rationale="Yes.")
        at_announcement(cycle)
        first = api.release_announcement(cycle_year=2026, actor=users["staff"])
        transitions = Nomination.objects.get(pk=reviewed.id).transitions.count()
        second = api.release_announcement(cycle_year=2026, actor=users["staff"])
        assert second.already_released and second.released_at == first.released_at and second.outcomes == {}
        assert Nomination.objects.get(pk=reviewed.id).transitions.count() == transitions
        assert AuditEntry.objects.filter(action="announcement_released").count() == 1
        assert Nomination.objects.get(pk=reviewed.id).status == "accepted"

    def test_unknown_cycle(self, db):
        with pytest.raises(NotFound):
            api.release_announcement(cycle_year=1999)

    def test_audit_log_lists_everything(self, reviewed, panels, users, cycle):
        review(reviewed, panels["rev2"], 4)
        api.record_decision(nomination_id=reviewed.id, actor=panels["chair"], outcome="accept", rationale="Yes.")
        at_announcement(cycle)
        api.release_announcement(cycle_year=2026, actor=users["staff"])
        actions = [entry["action"] for entry in api.list_audit(cycle_year=2026).items]
        assert actions == ["announcement_released", "decision_recorded", "review_submitted", "review_submitted",
                           "assigned", "assigned"]
