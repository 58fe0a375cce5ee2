"""
The server-rendered review workspace: what each role can open and do there.
"""
import pytest

from openedx_distinguished import api
from openedx_distinguished.models import Decision, DeclaredConflict, Review

from .review_fixtures import assigned_nomination, score_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def nomination(cycle, users, panels):
    """A nomination assigned to rev1 and rev2, endorsed (so conflicted) by rev3."""
    return assigned_nomination(users, panels)


def sheet(nomination):
    return f"/distinguished/review/nominations/{nomination.id}/"


def review_form(value=4, recommendation="accept"):
    form = {f"score-{slug}": str(score) for slug, score in score_all("engineer", value).items()}
    form.update({"recommendation": recommendation, "panel_comments": "Good.", "nominee_feedback": ""})
    return form


def test_anonymous_is_sent_to_sign_in(client, nomination):
    for url in ("/distinguished/review/", sheet(nomination), "/distinguished/review/cycles/2026/scoreboard/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_reviewer_sees_their_list_and_reviews(client, nomination, panels):
    client.force_login(panels["rev1"])
    page = client.get("/distinguished/review/").content.decode()
    assert "Nominee" in page and "To do" in page and sheet(nomination) in page
    response = client.get(sheet(nomination))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Because of Delivered significant contributions." in html
    assert "You will see the other reviews once you have submitted yours." in html
    assert 'name="score-significant-contributions"' in html
    response = client.post(sheet(nomination), review_form(5), follow=True)
    assert response.status_code == 200 and "Your review is saved." in response.content.decode()
    assert Review.objects.get(reviewer=panels["rev1"]).recommendation == "accept"


def test_bad_review_form_shows_errors_and_writes_nothing(client, nomination, panels):
    client.force_login(panels["rev1"])
    form = review_form()
    form["score-community-support"] = "9"
    response = client.post(sheet(nomination), form)
    assert response.status_code == 400
    assert "whole number from 1 to 5" in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.parametrize("who", ["learner", "nominee", "nominator"])
def test_outsiders_get_404(client, nomination, users, who):
    client.force_login(users[who])
    assert client.get(sheet(nomination)).status_code == 404
    assert client.post(sheet(nomination), review_form()).status_code == 404
    assert client.get("/distinguished/review/cycles/2026/scoreboard/").status_code == 403


def test_conflicted_reviewer_gets_404(client, nomination, panels):
    client.force_login(panels["rev3"])
    assert client.get(sheet(nomination)).status_code == 404
    assert sheet(nomination) not in client.get("/distinguished/review/").content.decode()


def test_declaring_a_conflict_from_the_sheet(client, nomination, panels):
    client.force_login(panels["rev2"])
    assert f"{sheet(nomination)}conflict/" in client.get(sheet(nomination)).content.decode()
    # The confirmation page says what it changes; a post without the confirmation declares nothing.
    page = client.get(f"{sheet(nomination)}conflict/").content.decode()
    assert "takes the nomination off your list" in page and 'name="confirm"' in page
    response = client.post(f"{sheet(nomination)}conflict/", {"reason": "Former colleague."})
    assert response.status_code == 200 and "Former colleague." in response.content.decode()
    assert not DeclaredConflict.objects.filter(reviewer=panels["rev2"]).exists()
    response = client.post(f"{sheet(nomination)}conflict/", {"reason": "Former colleague.", "confirm": "yes"},
                           follow=True)
    assert "Conflict declared" in response.content.decode()
    assert DeclaredConflict.objects.filter(reviewer=panels["rev2"]).exists()
    assert client.get(sheet(nomination)).status_code == 404


def test_chair_scoreboard_and_decision(client, nomination, panels):
    for reviewer in ("rev1", "rev2"):
        api.submit_review(nomination_id=nomination.id, reviewer=panels[reviewer], scores=score_all("engineer", 4),
                          recommendation="accept")
    client.force_login(panels["chair"])
    board = client.get("/distinguished/review/cycles/2026/scoreboard/")
    assert board.status_code == 200
    assert "Distinguished Engineer" in board.content.decode() and "Nominee" in board.content.decode()
    page = client.get(sheet(nomination)).content.decode()
    assert "rev1" in page and "rev2" in page and "Record decision" in page
    assert client.post(sheet(nomination), review_form()).status_code == 403  # chairs don't review unassigned
    response = client.post(f"{sheet(nomination)}decision/", {"outcome": "accept", "rationale": "Unanimous."},
                           follow=True)
    assert "stays confidential" in response.content.decode()
    assert Decision.objects.get().outcome == "accept"


def test_reviewer_cannot_decide(client, nomination, panels):
    client.force_login(panels["rev1"])
    assert client.post(f"{sheet(nomination)}decision/", {"outcome": "accept", "rationale": "x"}).status_code == 403
    assert client.get("/distinguished/review/cycles/2026/scoreboard/").status_code == 403
    assert not Decision.objects.exists()
