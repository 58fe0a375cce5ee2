"""
The yearly announcement page in a real browser, at 1280 and 390 px, checked with axe-core.
"""
import pytest

from openedx_distinguished import api

from ..factories import UserFactory
from ..review_fixtures import at_announcement, reviewed_nomination
from .conftest import WIDTHS, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_announcement_page_is_accessible_and_fits_a_phone(cycle, panels, live_server, settings, page_as):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = live_server.url
    api.add_signing_key()
    people = []
    for number, name in enumerate(("Ada", "Grace", "Margaret")):
        person = UserFactory(username=name.lower(), first_name=name, last_name="Example")
        nomination = reviewed_nomination(person, person, panels, recommendation="accept")
        api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome="accept", rationale="Yes.",
                            citation=f"Citation {number}: led the work that a whole release of Open edX built on.")
        people.append(person)
    api.release_announcement(cycle_year=at_announcement(cycle).year)
    for person in people:
        api.set_listing(user=person, listed=True)
    for width in WIDTHS:
        page = page_as(None, width=width)
        response = page.goto(f"/distinguished/announcements/{cycle.year}/")
        assert response.status == 200
        assert page.get_by_role("article", name="Grace Example, Distinguished Engineer").is_visible()
        check_page(page, "announcement")
