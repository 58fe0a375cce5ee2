"""
The yearly announcement page in a real browser, at 1280 and 390 px, checked with axe-core.
"""
from pathlib import Path

import pytest

from openedx_distinguished import api

from ..factories import UserFactory
from ..review_fixtures import at_announcement, reviewed_nomination
from .conftest import WIDTHS, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_announcement_page_is_accessible_and_fits_a_phone(cycle, panels, users, live_server, settings, page_as):
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
    for width in WIDTHS:
        # The kit's downloads work from the page, as a browser downloads them.
        page = page_as(None, width=width)
        page.goto(f"/distinguished/announcements/{cycle.year}/")
        with page.expect_download() as slides:
            page.get_by_role("link", name="Slides (PDF, 16:9)").click()
        assert slides.value.suggested_filename == f"distinguished-contributors-{cycle.year}.pdf"
        assert Path(slides.value.path()).read_bytes().startswith(b"%PDF-")
        # The member's share kit on My membership: the post, copied with one button.
        mine = page_as(people[1], width=width)
        mine.goto("/distinguished/membership/#share")
        post = mine.get_by_label("Your post")
        assert "Citation 1:" in post.input_value() and "/distinguished/verify/" in post.input_value()
        mine.get_by_role("button", name="Copy the post").click()
        mine.locator("[data-od-live]", has_text="Copied to the clipboard.").wait_for(state="attached", timeout=5000)
        check_page(mine, "share-kit")
        # Staff find the kit beside the release.
        staff = page_as(users["staff"], width=width)
        staff.goto(f"/distinguished/review/cycles/{cycle.year}/release/")
        assert staff.get_by_role("heading", name="The announcement kit").is_visible()
        check_page(staff, "release-kit")
