"""
The panel's year from the browser (issue 15, first part): the rubric with its anchors, decision and
review forms that keep what was typed and choose nothing for the person, the conflict declared
after a confirmation, reviewers added and removed from the scoreboard, and the release page.
"""
import re

import pytest

from openedx_distinguished import api
from openedx_distinguished.conf import get_setting
from openedx_distinguished.models import AuditEntry, Criterion, Decision, Panel, PanelMember, Review, ReviewAssignment

from .factories import UserFactory
from .review_fixtures import assigned_nomination, at_announcement, score_all, submitted_nomination

pytestmark = pytest.mark.django_db

PAGES = "/distinguished/review"


@pytest.fixture
def nomination(cycle, users, panels):
    """A nomination assigned to rev1 and rev2, endorsed (so conflicted) by rev3."""
    return assigned_nomination(users, panels)


def sheet(nomination_id):
    return f"{PAGES}/nominations/{nomination_id}/"


def signed_in(client, user):
    client.force_login(user)
    return client


def selected(html, select_id):
    """The value of the selected option of a select, or "" for its first (placeholder) option."""
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S).group(0)
    chosen = re.search(r'<option value="([^"]*)" selected', block)
    return chosen.group(1) if chosen else re.search(r'<option value="([^"]*)"', block).group(1)


def textarea(html, textarea_id):
    return re.search(rf'<textarea id="{textarea_id}"[^>]*>(.*?)</textarea>', html, re.S).group(1)


# The rubric and the forms -----------------------------------------------------------------------

def test_the_rubric_shows_each_criterions_description_and_what_1_and_5_mean(client, nomination, panels):
    html = signed_in(client, panels["rev1"]).get(sheet(nomination.id)).content.decode()
    for criterion in Criterion.objects.filter(track__slug="engineer"):
        assert criterion.description and criterion.anchor_low and criterion.anchor_high
        assert criterion.description in html.replace("&#x27;", "'")
        anchors = re.search(rf'id="criterion-{criterion.slug}-anchors">(.*?)</dl>', html, re.S).group(1)
        assert "<dt>1</dt>" in anchors and "<dt>5</dt>" in anchors
        assert criterion.anchor_low.replace("'", "&#x27;") in anchors
        assert criterion.anchor_high.replace("'", "&#x27;") in anchors


def test_anchors_edited_by_staff_show_on_the_rubric(client, nomination, panels):
    Criterion.objects.filter(slug="community-support").update(anchor_high="Answers every forum question within a day.")
    html = signed_in(client, panels["rev1"]).get(sheet(nomination.id)).content.decode()
    assert "Answers every forum question within a day." in html


def test_no_recommendation_or_outcome_is_chosen_for_the_person(client, nomination, panels):
    html = signed_in(client, panels["rev1"]).get(sheet(nomination.id)).content.decode()
    assert selected(html, "recommendation") == ""
    assert 'type="radio"' in html and " checked" not in html
    html = signed_in(client, panels["chair"]).get(sheet(nomination.id)).content.decode()
    assert selected(html, "outcome") == ""


def test_a_decision_without_an_outcome_is_refused_next_to_the_field(client, nomination, panels):
    response = signed_in(client, panels["chair"]).post(f"{sheet(nomination.id)}decision/", {
        "outcome": "", "rationale": "Strong case.", "override_reason": "One reviewer is away."})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="outcome-error"' in html and 'aria-invalid="true" aria-describedby="outcome-error"' in html
    assert textarea(html, "rationale") == "Strong case."
    assert not Decision.objects.exists()


def test_a_quorum_error_keeps_everything_the_chair_typed(client, nomination, panels):
    response = signed_in(client, panels["chair"]).post(f"{sheet(nomination.id)}decision/", {
        "outcome": "decline", "rationale": "Thin evidence <b>so far</b>.",
        "feedback": "Come back with links.\nThanks."})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Only 0 of the 2 reviews needed" in html and 'id="override_reason-error"' in html
    assert textarea(html, "rationale") == "Thin evidence &lt;b&gt;so far&lt;/b&gt;."
    assert textarea(html, "feedback") == "Come back with links.\nThanks."
    assert selected(html, "outcome") == "decline"
    assert 'href="#override_reason"' in html  # the summary links to the field
    assert not Decision.objects.exists()
    # Given the reason, the same form records it.
    response = client.post(f"{sheet(nomination.id)}decision/", {
        "outcome": "decline", "rationale": "Thin evidence.", "override_reason": "Both reviewers left the panel."})
    assert response.status_code == 302 and Decision.objects.get().outcome == "decline"


def test_a_refused_review_keeps_the_scores_and_texts_typed(client, nomination, panels):
    form = {f"score-{slug}": "4" for slug in score_all("engineer", 4)}
    form.update({"recommendation": "", "panel_comments": "Strong on code.", "nominee_feedback": "Keep going."})
    response = signed_in(client, panels["rev1"]).post(sheet(nomination.id), form)
    html = response.content.decode()
    assert response.status_code == 400 and 'id="recommendation-error"' in html
    assert textarea(html, "panel_comments") == "Strong on code."
    assert textarea(html, "nominee_feedback") == "Keep going."
    assert html.count('value="4" required checked') == len(form) - 3
    assert not Review.objects.exists()


@pytest.mark.parametrize("who", ["rev1", "chair"])
def test_the_conflict_page_asks_before_it_declares(client, nomination, panels, who):
    client = signed_in(client, panels[who])
    url = f"{sheet(nomination.id)}conflict/"
    assert client.post(url, {"reason": "", "confirm": "yes"}).status_code == 400
    assert not AuditEntry.objects.filter(action="conflict_declared").exists()
    response = client.post(url, {"reason": "We co-founded a company.", "confirm": "yes"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="conflict_declared").count() == 1
    if who == "rev1":
        assert not ReviewAssignment.objects.filter(reviewer=panels["rev1"]).exists()
    assert client.get(sheet(nomination.id)).status_code == 404


def test_the_conflict_page_is_for_the_panel_only(client, nomination, panels, users):
    url = f"{sheet(nomination.id)}conflict/"
    assert client.get(url).status_code == 302  # to sign in
    for who in ("learner", "nominee", "nominator"):
        assert signed_in(client, users[who]).get(url).status_code == 404
    assert signed_in(client, panels["rev3"]).get(url).status_code == 404  # conflicted: the nomination is hidden
    assert signed_in(client, users["staff"]).get(url).status_code == 403


# Reviewers from the scoreboard ------------------------------------------------------------------

def board(client):
    return client.get(f"{PAGES}/cycles/2026/scoreboard/").content.decode()


def test_the_scoreboard_offers_reviewers_and_says_why_one_is_not_offered(client, nomination, panels):
    html = board(signed_in(client, panels["chair"]))
    row = re.search(rf'<tr id="nomination-{nomination.id}">.*?</tr>', html, re.S).group(0)
    offered = re.search(r'<select id="add-\d+" name="reviewer">(.*?)</select>', row, re.S).group(1)
    assert 'value="rev4"' in offered and 'value="rev3"' not in offered and 'value="rev1"' not in offered
    assert "Rev3: conflict of interest (endorsed the nomination)" in row  # by name (the factory's first name)
    assert "(to review)" in row and "Remove" in row


def test_a_chair_adds_and_removes_reviewers_from_the_scoreboard(client, nomination, panels):
    client = signed_in(client, panels["chair"])
    base = f"{PAGES}/cycles/2026/nominations/{nomination.id}/reviewers"
    response = client.post(f"{base}/add/", {"reviewer": "rev4"}, follow=True)
    assert "rev4 now reviews the nomination" in response.content.decode()
    assert ReviewAssignment.objects.filter(nomination_id=nomination.id, reviewer=panels["rev4"]).exists()
    response = client.post(f"{base}/remove/", {"reviewer": "rev2"}, follow=True)
    assert "rev2 no longer reviews" in response.content.decode()
    assert set(ReviewAssignment.objects.values_list("reviewer__username", flat=True)) == {"rev1", "rev4"}
    assert list(AuditEntry.objects.filter(action__in=("assigned", "unassigned")).order_by("id")
                .values_list("action", "detail__reviewer"))[-2:] == [("assigned", "rev4"), ("unassigned", "rev2")]


@pytest.mark.parametrize("body, message", [
    ({"reviewer": ""}, "Choose a reviewer to add."),
    ({"reviewer": "rev3"}, "rev3 has a conflict of interest"),
    ({"reviewer": "bizrev"}, "bizrev is on no panel that reviews Distinguished Engineer"),
    ({"reviewer": "rev1"}, "rev1 is already assigned."),
])
def test_adding_a_reviewer_who_cannot_review_changes_nothing(client, nomination, panels, body, message):
    before = list(ReviewAssignment.objects.values_list("reviewer__username", flat=True).order_by("id"))
    response = signed_in(client, panels["chair"]).post(
        f"{PAGES}/cycles/2026/nominations/{nomination.id}/reviewers/add/", body, follow=True)
    assert message in response.content.decode()
    assert list(ReviewAssignment.objects.values_list("reviewer__username", flat=True).order_by("id")) == before


def test_a_reviewer_who_reviewed_is_not_removed(client, nomination, panels):
    api.submit_review(nomination_id=nomination.id, reviewer=panels["rev1"], scores=score_all("engineer", 4),
                      recommendation="accept")
    client = signed_in(client, panels["chair"])
    row = re.search(rf'<tr id="nomination-{nomination.id}">.*?</tr>', board(client), re.S).group(0)
    assert "Remove Rev1 " not in row and "Remove Rev2 " in row
    response = client.post(f"{PAGES}/cycles/2026/nominations/{nomination.id}/reviewers/remove/",
                           {"reviewer": "rev1"}, follow=True)
    assert "already reviewed" in response.content.decode()
    assert ReviewAssignment.objects.filter(reviewer=panels["rev1"]).exists()


def test_auto_assign_from_the_scoreboard(client, cycle, users, panels):
    fresh = submitted_nomination(users["nominator"], UserFactory(username="grace"))
    response = signed_in(client, panels["chair"]).post(f"{PAGES}/cycles/2026/auto-assign/", follow=True)
    assert "assignments made" in response.content.decode()
    assert ReviewAssignment.objects.filter(nomination_id=fresh.id).count() == get_setting(
        "DISTINGUISHED_REVIEWERS_PER_NOMINATION")


def test_no_reviewer_changes_after_the_review_deadline(client, nomination, panels, cycle):
    at_announcement(cycle)
    html = board(signed_in(client, panels["chair"]))
    assert "reviewers/add/" not in html and "auto-assign" not in html
    client.post(f"{PAGES}/cycles/2026/nominations/{nomination.id}/reviewers/add/", {"reviewer": "rev4"})
    assert not ReviewAssignment.objects.filter(reviewer=panels["rev4"]).exists()


def test_the_scoreboards_queries_do_not_grow_with_nominations(
        client, cycle, users, panels, django_assert_max_num_queries):
    client = signed_in(client, panels["chair"])
    submitted_nomination(users["nominator"], UserFactory())
    board(client)
    with django_assert_max_num_queries(40) as few:
        board(client)
    for _ in range(8):
        person = UserFactory()
        submitted_nomination(person, person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = board(client)
    assert html.count('name="reviewer"') >= 9


# The release page ---------------------------------------------------------------------------------

RELEASE = f"{PAGES}/cycles/2026/release/"


def decide(nomination, panels, outcome="accept"):
    for reviewer in ("rev1", "rev2"):
        api.submit_review(nomination_id=nomination.id, reviewer=panels[reviewer], scores=score_all("engineer", 4),
                          recommendation=outcome)
    api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome=outcome, rationale="Clear.")


def test_the_release_preview_names_what_blocks_it_and_what_it_would_publish(nomination, users, panels, cycle):
    other = submitted_nomination(users["endorser"], UserFactory(username="grace", first_name="Grace"))
    api.assign_reviewer(nomination_id=other.id, reviewer_username="rev4", actor=None)
    preview = api.release_preview(cycle_year=2026)
    assert preview.blocked and not preview.due
    assert {n for n, _, _ in preview.undecided} == {nomination.id, other.id}
    decide(nomination, panels)
    api.record_decision(nomination_id=other.id, actor=panels["chair"], outcome="defer", rationale="Next year.",
                        override_reason="Only one reviewer.")
    at_announcement(cycle)
    preview = api.release_preview(cycle_year=2026)
    assert not preview.blocked and preview.undecided == ()
    assert preview.outcomes == {"accept": 1, "defer": 1} and preview.accepted == ("Nominee",)
    api.withdraw_nomination(nomination_id=other.id, actor=users["endorser"])
    preview = api.release_preview(cycle_year=2026)
    assert preview.set_aside == (other.id,) and preview.outcomes == {"accept": 1}
    assert Decision.objects.filter(released_at__isnull=False).count() == 0  # the preview changes nothing


def test_the_release_page_shows_the_blockers_before_anyone_presses(client, nomination, users):
    response = signed_in(client, users["staff"]).get(RELEASE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "What the release does" in html and "starts a one-year membership term" in html
    assert "The date: not before" in html
    assert f'href="{sheet(nomination.id)}"' in html  # the undecided nomination, linked
    assert "Release the announcement now" not in html
    response = client.post(RELEASE)
    assert response.status_code == 400 and "it cannot be released earlier" in response.content.decode()
    assert Decision.objects.filter(released_at__isnull=False).count() == 0


def test_staff_release_when_due_and_see_what_it_did(client, nomination, users, panels, cycle):
    decide(nomination, panels)
    at_announcement(cycle)
    api.add_signing_key()
    client = signed_in(client, users["staff"])
    html = client.get(RELEASE).content.decode()
    assert "Nothing: the release can go ahead." in html and "Release the announcement now" in html
    assert "Accepted: Nominee" in html
    response = client.post(RELEASE)
    html = response.content.decode()
    assert response.status_code == 200 and "Every decision of the cycle was published" in html
    assert "Accept: 1" in html
    assert api.get_nomination(nomination_id=nomination.id).status == "accepted"
    assert api.is_member(user=users["nominee"])
    again = client.post(RELEASE).content.decode()
    assert "already released" in again
    assert AuditEntry.objects.filter(action="announcement_released").count() == 1


def test_a_chair_of_some_tracks_sees_no_release_and_is_refused(client, nomination, panels, cycle):
    decide(nomination, panels)
    at_announcement(cycle)
    client = signed_in(client, panels["chair"])
    assert "review/cycles/2026/release/" not in board(client)
    assert client.get(RELEASE).status_code == 403
    assert client.post(RELEASE).status_code == 403
    assert Decision.objects.get().released_at is None
    PanelMember.objects.create(panel=Panel.objects.get(slug="biz-dev"), user=panels["chair"], role="chair")
    assert "review/cycles/2026/release/" in board(client)
    assert client.post(RELEASE).status_code == 200
    assert Decision.objects.get().released_at is not None


@pytest.mark.parametrize("who", ["learner", "nominee", "nominator", "rev1", "rev3"])
def test_nobody_else_opens_the_release_page(client, nomination, users, panels, who):
    person = users.get(who) or panels[who]
    assert signed_in(client, person).get(RELEASE).status_code == 403
    assert client.post(RELEASE).status_code == 403


def test_the_release_page_of_an_unknown_cycle_is_a_404_and_anonymous_signs_in(client, users):
    assert client.get(RELEASE).status_code == 302
    assert signed_in(client, users["staff"]).get(f"{PAGES}/cycles/1999/release/").status_code == 404
