"""
The yearly announcement (issue 19's kit, first part): the panel's public citation written with an
accept decision, the announcement page per released cycle and its Atom feed. Nothing of it exists
before the release (the embargo); only members who chose to be listed appear; the feed passes an
Atom 1.0 RELAX NG grammar checked by lxml; the page's queries do not grow with its members.
"""
import re
from html import unescape
from pathlib import Path

import pytest
from lxml import etree

from openedx_distinguished import api, freshness
from openedx_distinguished.exceptions import NotFound, ValidationError
from openedx_distinguished.models import Decision, MemberProfile

from .announcement_fixtures import CITATIONS, decided, release  # noqa: F401  pylint: disable=unused-import
from .factories import UserFactory
from .review_fixtures import reviewed_nomination

pytestmark = pytest.mark.django_db

ATOM = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "interop" / "atom.rng")))
PAGE = "/distinguished/announcements/{}/"
FEED = "/distinguished/announcements.atom"


def visible(response):
    html = unescape(response.content.decode())
    main = html[html.index('<main id="main"'):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


class TestCitations:
    """Written with an accept decision; kept for accept decisions only; bounded."""

    def test_kept_for_accept_decisions_only(self, decided):
        citations = dict(Decision.objects.values_list("nomination__nominee_user__username", "citation"))
        assert citations == {"ada": CITATIONS["ada"], "bob": CITATIONS["bob"], "cy": ""}

    def test_too_long_or_hidden_characters_are_refused(self, decided, panels):
        nomination_id = Decision.objects.get(nomination__nominee_user__username="ada").nomination_id
        for bad in ("x" * 301, "Led \u202eevil"):
            with pytest.raises(ValidationError) as caught:
                api.record_decision(nomination_id=nomination_id, actor=panels["chair"], outcome="accept",
                                    rationale="Clear.", citation=bad)
            assert set(caught.value.errors) == {"citation"}
        assert Decision.objects.get(nomination_id=nomination_id).citation == CITATIONS["ada"]

    def test_the_review_sheet_asks_for_it_and_keeps_it_on_refusal(self, client, decided, panels):
        nomination_id = Decision.objects.get(nomination__nominee_user__username="ada").nomination_id
        client.force_login(panels["chair"])
        url = f"/distinguished/review/nominations/{nomination_id}/decision/"
        refused = client.post(url, {"outcome": "accept", "rationale": "", "citation": "Built the thing."})
        assert refused.status_code == 400
        assert "Built the thing.</textarea>" in refused.content.decode()
        assert client.post(url, {"outcome": "accept", "rationale": "Clear.", "citation": "Built the thing."}
                           ).status_code == 302
        assert Decision.objects.get(nomination_id=nomination_id).citation == "Built the thing."
        assert "Public citation: “Built the thing.”" in visible(client.get(
            f"/distinguished/review/nominations/{nomination_id}/"))


class TestTheEmbargo:
    """Before the release nothing of the announcement exists, for anyone."""

    @pytest.mark.parametrize("who", ["anonymous", "staff", "ada"])
    def test_nothing_before_the_release(self, client, decided, users, cycle, who):
        if who != "anonymous":
            client.force_login(users["staff"] if who == "staff" else decided["ada"])
        assert client.get(PAGE.format(cycle.year)).status_code == 404
        feed = client.get(FEED)
        assert feed.status_code == 200 and b"<entry>" not in feed.content
        assert CITATIONS["ada"].encode() not in feed.content
        with pytest.raises(NotFound):
            api.announcement(cycle_year=cycle.year)


class TestTheAnnouncement:
    """The page and the feed after the release."""

    def test_new_members_by_track_with_citations_listed_only(self, client, decided, cycle):
        release(cycle, decided, listed=("ada",))
        details = api.announcement(cycle_year=cycle.year)
        (engineers,) = details["tracks"]
        assert [(m["name"], m["citation"]) for m in engineers["members"]] == [("Ada Lovelace", CITATIONS["ada"])]
        text = visible(client.get(PAGE.format(cycle.year)))
        assert "Announced on" in text and "1 new member." in text
        assert f"Ada Lovelace {CITATIONS['ada']}" in text
        assert "Bob" not in text and "Should not show" not in text
        api.set_listing(user=decided["bob"], listed=True)
        assert "Bob Lovelace" in visible(client.get(PAGE.format(cycle.year)))
        assert client.get(PAGE.format(cycle.year + 1)).status_code == 404

    def test_a_member_who_stops_being_listed_leaves_it(self, client, decided, cycle, settings):
        release(cycle, decided)
        MemberProfile.objects.filter(user=decided["bob"]).update(listed=False)
        names = [m["name"] for s in api.announcement(cycle_year=cycle.year)["tracks"] for m in s["members"]]
        assert names == ["Ada Lovelace"]

    def test_the_atom_feed_is_valid_atom_and_carries_each_release(self, client, decided, cycle):
        release(cycle, decided)
        response = client.get(FEED)
        assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
        assert response["Cache-Control"] == f"public, max-age={freshness.PRESENCE_SECONDS}"
        document = etree.fromstring(response.content)
        assert ATOM.validate(document), ATOM.error_log
        atom = {"a": "http://www.w3.org/2005/Atom"}
        (entry,) = document.findall("a:entry", atom)
        assert entry.findtext("a:id", namespaces=atom) == f"https://lms.example.org{PAGE.format(cycle.year)}"
        summary = entry.findtext("a:summary", namespaces=atom)
        assert CITATIONS["bob"].replace("&", "&amp;") in summary and "Ada Lovelace</a>" in summary
        assert "Should not show" not in summary
        # A document the grammar refuses: an entry without its id.
        entry.remove(entry.find("a:id", atom))
        assert not ATOM.validate(document)

    def test_the_page_answers_conditional_requests(self, client, decided, cycle):
        release(cycle, decided)
        first = client.get(PAGE.format(cycle.year))
        assert first.status_code == 200 and first["Cache-Control"] == "public, max-age=60"
        again = client.get(PAGE.format(cycle.year), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        api.set_listing(user=decided["ada"], listed=False)
        assert client.get(PAGE.format(cycle.year), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200

    @pytest.mark.parametrize("extra", [10, 100])
    def test_queries_do_not_grow_with_new_members(self, client, cycle, panels, settings, extra,
                                                  django_assert_max_num_queries):
        settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
        people = {}
        for number in range(extra):
            person = UserFactory(username=f"m{number}")
            people[person.username] = person
            nomination = reviewed_nomination(person, person, panels, recommendation="accept")
            api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome="accept",
                                rationale="Clear.", citation=f"Citation {number}.")
        release(cycle, people, listed=list(people))
        with django_assert_max_num_queries(12):
            text = visible(client.get(PAGE.format(cycle.year)))
        assert text.count("Citation ") == extra
