"""
The public program page and the review workspace, used through a real browser.
"""
import pytest

from openedx_distinguished import api
from openedx_distinguished.models import Review

from ..factories import UserFactory
from ..review_fixtures import score_all, submitted_nomination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def nomination(cycle, users, panels):
    """A nomination assigned to rev1 and rev2."""
    nomination = submitted_nomination(users["nominator"], users["nominee"])
    for reviewer in ("rev1", "rev2"):
        api.assign_reviewer(nomination_id=nomination.id, reviewer_username=reviewer, actor=None)
    return nomination


def test_visitor_reads_the_program_page(cycle, page_as):
    page = page_as()
    page.goto("/distinguished/program/")
    assert page.locator("h1").inner_text() == "Distinguished Contributors"
    titles = page.locator("article h3").all_inner_texts()
    assert titles == ["Distinguished Engineer", "Distinguished Advocate", "Distinguished Innovator"]
    assert page.locator("main#main").count() == 1
    assert "nominations are open" in page.locator("main").inner_text()
    assert page.locator(".od-callout").get_by_role("link", name="Nominate").get_attribute("href") == \
        "/distinguished/nominate/"
    # Keyboard users reach the first link and see where they are.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "A"


def test_reviewer_scores_a_nomination(nomination, panels, page_as):
    page = page_as(panels["rev1"])
    page.goto("/distinguished/review/")
    page.get_by_role("link", name="Nominee").click()
    assert "You will see the other reviews once you have submitted yours." in page.content()
    for slug in score_all("engineer", 4):
        page.locator(f"input[name='score-{slug}'][value='4']").check()
    page.select_option("#recommendation", "accept")
    page.fill("#panel_comments", "Reviewed in a real browser.")
    page.get_by_role("button", name="Save review").click()
    page.wait_for_load_state()
    assert "Your review is saved." in page.locator(".od-messages").inner_text()
    review = Review.objects.get(reviewer=panels["rev1"])
    assert (review.recommendation, review.panel_comments) == ("accept", "Reviewed in a real browser.")
    assert set(review.scores.values_list("score", flat=True)) == {4}


def test_chair_reads_the_scoreboard(nomination, panels, page_as):
    for reviewer, value in (("rev1", 5), ("rev2", 3)):
        api.submit_review(nomination_id=nomination.id, reviewer=panels[reviewer],
                          scores=score_all("engineer", value), recommendation="accept")
    page = page_as(panels["chair"])
    page.goto("/distinguished/review/cycles/2026/scoreboard/")
    row = page.locator("table tbody tr").first
    cells = row.locator("td").all_inner_texts()
    assert cells[:6] == ["1", "Nominee", "2", "4.0", "4.0", "4.0"]
    assert cells[6] == "yes"


def test_conflicted_reviewer_cannot_open_it(nomination, panels, page_as):
    api.declare_conflict(nomination_id=nomination.id, reviewer=panels["rev2"], reason="Old friends.")
    page = page_as(panels["rev2"])
    response = page.goto(f"/distinguished/review/nominations/{nomination.id}/")
    assert response.status == 404
    page.goto("/distinguished/review/")
    assert "Nothing is assigned to you." in page.content()


def test_visitor_browses_the_hall_of_fame_member_page_and_badge(cycle, users, page_as, settings, live_server):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = live_server.url
    api.add_signing_key()
    from openedx_distinguished.models import Track  # pylint: disable=import-outside-toplevel

    from ..membership_fixtures import make_term  # pylint: disable=import-outside-toplevel
    ada = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    api.issue_credential(term_id=make_term(ada, Track.objects.get(slug="innovator"), cycle, starts_days_ago=20).pk)
    api.set_listing(user=ada, listed=True, slug="ada-lovelace")
    page = page_as()
    page.goto("/distinguished/")
    card = page.get_by_role("article", name="Ada Lovelace, Distinguished Innovator")
    assert card.get_by_role("img").get_attribute("alt") == "Distinguished Innovator badge"
    card.get_by_role("link", name="Ada Lovelace").click()
    page.wait_for_url("**/distinguished/members/ada-lovelace/")
    assert page.locator("h1").inner_text() == "Ada Lovelace"
    page.get_by_role("link", name="Verify the badge").click()
    page.wait_for_load_state()
    assert page.locator("article [data-status]").inner_text().strip() == "Valid"
    assert "How it was earned" in page.content()
