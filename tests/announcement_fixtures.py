"""
A cycle decided with public citations, and its release: what the announcement and its kit are made from.
"""
import pytest

from openedx_distinguished import api

from .factories import UserFactory
from .review_fixtures import at_announcement, reviewed_nomination

CITATIONS = {"ada": "Led the plugin slots work that every MFE now builds on.",
             "bob": "Grew the Open edX community in Latin America to 40 new institutions & more."}


@pytest.fixture
def decided(cycle, panels, settings):
    """Ada and Bob accepted with citations, Cy declined; nothing released yet."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    people = {name: UserFactory(username=name, first_name=name.capitalize(), last_name="Lovelace")
              for name in ("ada", "bob", "cy")}
    for name, person in people.items():
        nomination = reviewed_nomination(person, person, panels, recommendation="accept")
        outcome = "decline" if name == "cy" else "accept"
        api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome=outcome, rationale="Clear.",
                            citation=CITATIONS.get(name, "Should not show: declined."))
    return people


def release(cycle, people, listed=("ada", "bob", "cy")):
    api.add_signing_key()
    api.release_announcement(cycle_year=at_announcement(cycle).year)
    for name in listed:
        api.set_listing(user=people[name], listed=True)
