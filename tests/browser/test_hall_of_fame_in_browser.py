"""
The hall of fame's first view and a whole list, paged, in a real browser: a dozen of each list, the
link to all of it, the pages; axe at 1280 and 390 px.
"""
import pytest

from openedx_distinguished import api, presence
from openedx_distinguished.models import Track

from ..factories import UserFactory
from ..membership_fixtures import make_term
from .conftest import WIDTHS, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_first_view_leads_to_every_member_page_by_page(cycle, page_as, monkeypatch):
    monkeypatch.setattr(presence, "PAGE_ENTRIES", 10)
    engineer = Track.objects.get(slug="engineer")
    for index in range(15):
        person = UserFactory(username=f"member{index:02d}", first_name="Member", last_name=f"{index:02d}")
        make_term(person, engineer, cycle, starts_days_ago=20)
        api.set_listing(user=person, listed=True)
    for width in WIDTHS:
        page = page_as(None, width=width)
        page.goto("/distinguished/")
        assert page.locator("article.od-card").count() == 12
        check_page(page, "hall-of-fame-first-view")
        page.get_by_role("link", name="All 15 current members: Distinguished Engineer").click()
        page.wait_for_url("**/distinguished/?section=current&track=engineer")
        assert page.locator("article.od-card").count() == 10
        assert page.get_by_text("Page 1 of 2").is_visible()
        check_page(page, "hall-of-fame-current-page-1")
        page.get_by_role("link", name="Next").click()
        page.wait_for_url("**page=2")
        assert page.locator("article.od-card").count() == 5
        assert page.locator("article.od-card img").first.get_attribute("width") == "64"
