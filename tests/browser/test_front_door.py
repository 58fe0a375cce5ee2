"""
The community's front door in a real browser: nominating, consenting, supporting a nomination and
running one's membership, with the mouse and with the keyboard only; and every page of the program,
for each role, checked with axe-core at 1280 and 390 px.
"""
import re
from datetime import date
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core import mail

from openedx_distinguished import api
from openedx_distinguished.models import Activity, Deliverable, Fulfilment, MemberProfile, Nomination, Track

from ..factories import UserFactory
from ..membership_fixtures import make_term
from ..review_fixtures import full_justifications, submitted_nomination
from .conftest import WIDTHS, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(cycle, users, panels, live_server, settings):
    """Learners, and a member whose term, badge and physical award were issued."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = live_server.url
    api.add_signing_key()
    learners = {name: UserFactory(username=name, first_name=first, last_name="Doe")
                for name, first in (("learner1", "Lena"), ("learner2", "Leo"), ("learner3", "Lia"))}
    member = UserFactory(username="member", first_name="Mara", last_name="Member")
    api.issue_credential(term_id=make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=20).pk)
    return SimpleNamespace(**learners, member=member, **users, **panels)


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def consent_link(user):
    """The link of the consent request e-mailed to ``user`` (the e-mail as sent, in the outbox)."""
    messages = [m for m in mail.outbox if user.email in m.to and "your consent, please" in m.subject]
    assert len(messages) == 1
    links = re.findall(r"https?://\S+/distinguished/nominations/\d+/", messages[0].body)
    assert links
    return path_of(links[0])


def test_a_peer_nomination_from_the_form_to_consent(people, page_as):
    """(a) learner1 nominates learner2; learner2 opens the e-mailed link and consents."""
    page = page_as(people.learner1)
    page.goto("/distinguished/nominate/")
    page.get_by_label("A peer").check()
    page.get_by_label("The peer's username or e-mail address").fill("learner2@example.com")
    page.get_by_label("Distinguished Engineer").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/nominate/?as=peer&track=engineer&nominee=learner2")
    assert "You are nominating Leo Doe (username learner2)" in page.locator("main").inner_text()
    for criterion in api.get_track_data(slug="engineer").criteria:
        page.get_by_label(re.compile(re.escape(criterion.name))).fill(f"Leo's work: {criterion.name}.")
    page.get_by_label("Link 1").fill("https://github.com/openedx/openedx-platform/pull/1")
    page.get_by_role("button", name="Submit the nomination").click()
    page.wait_for_url(re.compile(r".*/distinguished/nominations/\d+/$"))
    assert "We have asked Leo Doe to consent" in page.locator(".od-messages").inner_text()

    nominee = page_as(people.learner2)
    nominee.goto(consent_link(people.learner2))
    assert nominee.get_by_role("heading", name="Do you accept this nomination?").is_visible()
    nominee.get_by_role("link", name="Accept the nomination").click()
    nominee.get_by_role("button", name="Yes, accept it").click()
    nominee.wait_for_load_state()
    assert "the nomination goes to the review panel" in nominee.locator(".od-messages").inner_text()

    page.goto("/distinguished/nominations/")
    card = page.locator(".od-card", has_text="Leo Doe, for Distinguished Engineer")
    assert card.locator(".od-status").inner_text() == "Submitted"
    assert Nomination.objects.get().status == "submitted"


def test_a_refused_self_nomination_keeps_every_field(people, page_as):
    """(b) A self-nomination that fails validation keeps each field's text."""
    page = page_as(people.learner3)
    page.goto("/distinguished/nominate/?as=self&track=engineer")
    criteria = api.get_track_data(slug="engineer").criteria
    typed = {c.slug: f"Lia's case for {c.name}." for c in criteria[1:]}
    for criterion in criteria[1:]:
        page.locator(f"#justification-{criterion.slug}").fill(typed[criterion.slug])
    page.get_by_label("Link 1").fill("https://github.com/openedx/pull/2")
    page.get_by_role("button", name="Add another link").click()
    page.get_by_label("Link 2").fill("not a link")
    page.get_by_role("button", name="Submit the nomination").click()
    page.wait_for_load_state()
    summary = page.locator(".od-errors-summary")
    assert summary.is_visible() and "Nothing was saved" in summary.inner_text()
    first = page.locator(f"#justification-{criteria[0].slug}")
    assert first.get_attribute("aria-invalid") == "true"
    assert page.locator(f"#justification-{criteria[0].slug}-error").is_visible()
    for slug, text in typed.items():
        assert page.locator(f"#justification-{slug}").input_value() == text
    assert [field.input_value() for field in page.locator("input[name='evidence']").all()] == [
        "https://github.com/openedx/pull/2", "not a link"]
    assert page.locator("#evidence-error").is_visible()
    assert not Nomination.objects.exists()
    # The error summary's link takes the keyboard to the field.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == f"justification-{criteria[0].slug}"


def test_supporting_a_nomination(people, page_as):
    """(c) A third person names someone already nominated: the form becomes support, and they see it."""
    submitted_nomination(people.learner1, people.learner2)
    page = page_as(people.learner3)
    page.goto("/distinguished/nominate/")
    page.get_by_label("A peer").check()
    page.get_by_label("The peer's username or e-mail address").fill("learner2")
    page.get_by_label("Distinguished Engineer").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "Leo Doe is already nominated for Distinguished Engineer in this cycle." in page.locator(
        "main").inner_text()
    page.locator("#justification-community-support").fill("Leo answers everyone on the forum.")
    page.get_by_role("button", name="Support this nomination").click()
    page.wait_for_url("**/distinguished/nominations/")
    supported = page.locator("#endorsements")
    assert "Leo Doe, for Distinguished Engineer" in supported.inner_text()
    assert "Under consideration" in supported.inner_text()
    supported.get_by_text("What you wrote").click()
    assert supported.get_by_text("Leo answers everyone on the forum.").is_visible()


def test_a_member_runs_their_membership(people, page_as):
    """(d) Report an activity, give the award's address, appear in the hall of fame, download the certificate."""
    page = page_as(people.member)
    page.goto("/distinguished/membership/")
    page.get_by_label("Kind of activity").select_option("mentorship")
    page.get_by_label("What you did").fill("Mentored two newcomers")
    page.get_by_label("When").fill(date.today().isoformat())
    page.get_by_role("button", name="Report the activity").click()
    page.wait_for_load_state()
    assert "Program staff verify it" in page.locator(".od-messages").inner_text()
    assert "Mentored two newcomers" in page.locator("#activities table").inner_text()
    page.get_by_label("Recipient").fill("Mara Member")
    page.get_by_label("Postal address").fill("1 Example Street\n02139 Cambridge")
    page.get_by_role("button", name="Save the address").click()
    page.wait_for_load_state()
    assert Fulfilment.objects.get().shipping_address == "1 Example Street\n02139 Cambridge"
    page.get_by_role("button", name="Appear in the hall of fame").click()
    page.wait_for_load_state()
    assert "You are listed" in page.locator("#listing").inner_text() and MemberProfile.objects.get().listed
    page.goto("/distinguished/")
    assert page.get_by_role("article", name="Mara Member, Distinguished Engineer").is_visible()
    page.goto("/distinguished/membership/")
    with page.expect_download() as download:
        page.locator("#badges").get_by_role("link", name="Certificate (PDF)").click()
    assert download.value.suggested_filename == "distinguished-certificate-engineer.pdf"


def tab_to(page, selector, limit=120):
    """Press Tab until the element matching ``selector`` has the focus (the keyboard's way there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_peer_nomination_with_the_keyboard_only(people, page_as):
    """(e) Journey (a) again, with Tab, arrow keys, Space and Enter only."""
    page = page_as(people.learner1)
    page.goto("/distinguished/nominate/")
    tab_to(page, "#as-self")
    page.keyboard.press("ArrowDown")  # moves the choice to "A peer"
    assert page.evaluate("document.querySelector('#as-peer').checked")
    tab_to(page, "#nominee")
    page.keyboard.type("learner2")
    tab_to(page, "#track-engineer")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]:not([tabindex='-1'])")
    page.keyboard.press("Enter")
    page.wait_for_url("**/nominate/?as=peer&track=engineer&nominee=learner2")
    for criterion in api.get_track_data(slug="engineer").criteria:
        tab_to(page, f"#justification-{criterion.slug}")
        page.keyboard.type(f"Leo's work: {criterion.name}.")
    tab_to(page, "#evidence-0")
    page.keyboard.type("https://github.com/openedx/openedx-platform/pull/9")
    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/distinguished/nominations/\d+/$"))

    nominee = page_as(people.learner2)
    nominee.goto(consent_link(people.learner2))
    tab_to(nominee, "a[href$='answer=accept']")
    nominee.keyboard.press("Enter")
    nominee.wait_for_url("**/consent/?answer=accept")
    tab_to(nominee, "button[type=submit]")
    with nominee.expect_navigation():
        nominee.keyboard.press("Enter")
    assert "the nomination goes to the review panel" in nominee.locator(".od-messages").inner_text()
    assert Nomination.objects.get().status == "submitted"
    page.goto("/distinguished/nominations/")
    assert page.locator(".od-card .od-status").first.inner_text() == "Submitted"


# Every page of the program, per role ---------------------------------------------------------

@pytest.fixture
def world(people):
    """Nominations in every state the pages show, assigned reviews, a conflict, support and a listed member."""
    peer = api.create_nomination(nominator=people.nominator, cycle_year=2026, track_slug="engineer",
                                 nominee_username="nominee", justifications=full_justifications(),
                                 evidence_links=["https://github.com/openedx/pull/3"], submit=True).nomination
    draft = api.create_nomination(nominator=people.nominator, cycle_year=2026, track_slug="advocate",
                                  nominee_username="learner1").nomination
    reviewed = submitted_nomination(people.learner2, people.learner2)
    for reviewer in ("rev1", "rev2"):
        api.assign_reviewer(nomination_id=reviewed.id, reviewer_username=reviewer, actor=None)
    api.declare_conflict(nomination_id=reviewed.id, reviewer=people.rev2, reason="Same team.")
    endorsement = api.endorse_nomination(endorser=people.endorser, cycle_year=2026, track_slug="engineer",
                                         nominee_username="learner2",
                                         justifications={"community-support": "Always helpful."}).endorsement
    api.set_listing(user=people.member, listed=True, slug="mara-member")
    Activity.objects.create(user=people.member, activity_type_id=api_type_id("content"), title="Blog post",
                            occurred_on=api.list_terms(username="member").items[0].starts_at.date(),
                            source="self_reported", status="rejected", review_note="The link is broken.")
    credential = api.list_credentials(holder=people.member)[0]
    # An invitation waiting for the member's answer on My membership.
    api.ensure_current_deliverables()
    api.update_deliverable(deliverable_id=Deliverable.objects.get(incentive__slug="lead-sessions").pk,
                           actor=people.staff, status="offered")
    return SimpleNamespace(peer=peer, draft=draft, reviewed=reviewed, endorsement=endorsement,
                           credential=credential)


def api_type_id(slug):
    from openedx_distinguished.models import ActivityType  # pylint: disable=import-outside-toplevel

    return ActivityType.objects.get(slug=slug).pk


ROLE_PAGES = {
    "anonymous": lambda w: ["/distinguished/", "/distinguished/program/", "/distinguished/members/mara-member/",
                            f"/distinguished/verify/{w.credential.public_id}/"],
    "learner": lambda w: ["/distinguished/nominate/", "/distinguished/nominate/?as=self&track=innovator",
                          "/distinguished/nominations/", "/distinguished/membership/"],
    "nominator": lambda w: ["/distinguished/nominations/", f"/distinguished/nominations/{w.peer.id}/",
                            f"/distinguished/nominations/{w.draft.id}/edit/",
                            f"/distinguished/nominations/{w.peer.id}/withdraw/"],
    "nominee": lambda w: [f"/distinguished/nominations/{w.peer.id}/",
                          f"/distinguished/nominations/{w.peer.id}/consent/?answer=accept",
                          f"/distinguished/nominations/{w.peer.id}/consent/?answer=decline",
                          "/distinguished/nominations/"],
    "endorser": lambda w: ["/distinguished/nominate/?as=peer&track=engineer&nominee=nominee",
                           "/distinguished/nominations/",
                           f"/distinguished/endorsements/{w.endorsement.id}/withdraw/"],
    "member": lambda w: ["/distinguished/membership/", "/distinguished/members/mara-member/",
                         f"/distinguished/verify/{w.credential.public_id}/"],
    "rev1": lambda w: ["/distinguished/review/", f"/distinguished/review/nominations/{w.reviewed.id}/"],
    "rev2": lambda w: ["/distinguished/review/"],
    "chair": lambda w: ["/distinguished/review/", "/distinguished/review/cycles/2026/scoreboard/",
                        f"/distinguished/review/nominations/{w.reviewed.id}/"],
    "staff": lambda w: [f"/distinguished/nominations/{w.peer.id}/", "/distinguished/review/",
                        "/distinguished/program/"],
}


@pytest.mark.parametrize("role", sorted(ROLE_PAGES))
def test_every_page_is_accessible_and_fits_a_phone(role, people, world, page_as):
    """axe-core finds no serious or critical violation, and nothing scrolls sideways at 390 px."""
    user = None if role == "anonymous" else getattr(people, role)
    for width in WIDTHS:
        page = page_as(user, width=width)
        for path in ROLE_PAGES[role](world):
            response = page.goto(path)
            assert response.status == 200, path
            check_page(page, f"{role}-{path}")


def test_a_refused_form_is_accessible_too(people, page_as):
    """The pages with errors next to their fields pass the same checks."""
    for width in WIDTHS:
        page = page_as(people.learner1, width=width)
        page.goto("/distinguished/nominate/")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        assert page.locator(".od-errors-summary").is_visible()
        check_page(page, "learner-step-one-errors")
        page.goto("/distinguished/membership/")
        page.goto("/distinguished/nominate/?as=self&track=engineer")
        page.get_by_role("button", name="Submit the nomination").click()
        page.wait_for_load_state()
        check_page(page, "learner-step-two-errors")
