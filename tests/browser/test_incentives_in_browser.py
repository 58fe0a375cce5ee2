"""
Incentive delivery in a real browser: program staff move a deliverable through its states from the
board (the admin), and the member accepts the invitation from My membership; both pages checked
with axe-core at 1280 and 390 px.
"""
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import Deliverable, Incentive, InvitationReply, Track

from ..factories import UserFactory
from ..membership_fixtures import make_term
from .conftest import WIDTHS, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOARD = "/admin/openedx_distinguished/deliverable/"


@pytest.fixture
def people(cycle, users, live_server, settings):
    """A member of Distinguished Engineer owed the track's incentives, and a superuser of the program."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = live_server.url
    member = UserFactory(username="member", first_name="Mara", last_name="Member")
    term = make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=20)
    api.ensure_current_deliverables()
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    return SimpleNamespace(member=member, admin=admin, term=term, **users)


def status_of(term, slug):
    return Deliverable.objects.get(term=term, incentive__slug=slug).status


def run_action(page, row_text, action):
    """Tick the board's row that shows ``row_text`` and run ``action`` on it."""
    page.locator("#result_list tbody tr", has_text=row_text).locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label=action)
    page.locator("button[name=index], input[name=index]").first.click()
    page.wait_for_load_state()


def test_staff_move_an_invitation_through_its_states_and_the_member_accepts_it(people, page_as):
    board = page_as(people.admin)
    board.goto(BOARD + "?incentive__kind__exact=opportunity")
    run_action(board, "Leads technical sessions", "Offer the selected incentives to their members")
    assert "1 deliverable(s) now offered." in board.locator(".messagelist").inner_text()
    assert status_of(people.term, "lead-sessions") == "offered"

    mine = page_as(people.member)
    mine.goto("/distinguished/membership/")
    offer = mine.get_by_role("group", name="Will you take part in “Leads technical sessions or working groups”?")
    offer.get_by_role("button", name="Accept").click()
    mine.wait_for_load_state()
    assert "you accepted “Leads technical sessions or working groups”" in mine.locator(".od-messages").inner_text()
    assert status_of(people.term, "lead-sessions") == "accepted"
    assert "Status: You accepted" in mine.locator("#awards").inner_text()

    board.goto(BOARD + "?status__exact=accepted")
    run_action(board, "Leads technical sessions", "Mark the selected incentives delivered")
    assert status_of(people.term, "lead-sessions") == "delivered"
    # A move the kind's flow does not allow is refused with its reason.
    board.goto(BOARD + "?incentive__kind__exact=recognition")
    run_action(board, "Recognition at the annual conference", "Offer the selected incentives to their members")
    assert "cannot go from planned to offered" in board.locator(".messagelist").inner_text()
    assert status_of(people.term, "conference-recognition") == "planned"


def test_the_offer_and_the_board_are_accessible_and_fit_a_phone(people, page_as):
    deliverable = Deliverable.objects.get(term=people.term, incentive__slug="architecture-discussions")
    api.update_deliverable(deliverable_id=deliverable.pk, actor=people.admin, status="offered", due_on="2020-01-01")
    for width in WIDTHS:
        page = page_as(people.member, width=width)
        page.goto("/distinguished/membership/#awards")
        check_page(page, "membership-offer")
    board = page_as(people.admin, width=1280)
    board.goto(BOARD)
    assert board.locator("#result_list tbody").get_by_text("Overdue", exact=True).count() == 1
    check_page(board, "incentive-board")


def test_an_innovator_requests_funding_from_my_membership(people, page_as, cycle):
    innovator = UserFactory(username="ines", first_name="Ines", last_name="Innovator")
    make_term(innovator, Track.objects.get(slug="innovator"), cycle, starts_days_ago=20)
    api.ensure_current_deliverables()
    for width in WIDTHS:
        page = page_as(innovator, width=width)
        page.goto("/distinguished/membership/#awards")
        check_page(page, "membership-funding-form")
    page = page_as(innovator)
    page.goto("/distinguished/membership/")
    form = page.get_by_role("group", name="Request funding for a project")
    form.get_by_label("Project").fill("Offline mobile grading")
    form.get_by_label("What it is and what the money pays for").fill("Sync ORA grading offline.")
    form.get_by_label("Why it matters for Open edX").fill("Low-connectivity campuses.")
    form.get_by_label("Amount").fill("a lot")
    form.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    # Refused next to its field, with what was typed kept.
    assert "Give an amount above zero" in page.locator(".od-error").first.inner_text()
    assert page.get_by_label("Project").input_value() == "Offline mobile grading"
    check_page(page, "membership-funding-refused")
    page.get_by_label("Amount").fill("4000")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    assert "Your request: Offline mobile grading" in page.locator("#awards").inner_text()
    for width in WIDTHS:
        page = page_as(innovator, width=width)
        page.goto("/distinguished/membership/#awards")
        check_page(page, "membership-funding-requested")


def test_a_member_answers_an_invitation_and_gets_the_event(people, page_as):
    start = timezone.now() + timedelta(days=7)
    invitation = api.create_invitation(
        incentive_id=Incentive.objects.get(slug="architecture-discussions").pk, title="Architecture summit",
        starts_at=start, ends_at=start + timedelta(hours=2), location="https://meet.example.org/arch",
        details="Events bus; plugin slots.")
    api.send_invitation(invitation_id=invitation.pk)
    for width in WIDTHS:
        page = page_as(people.member, width=width)
        page.goto("/distinguished/membership/#awards")
        check_page(page, "membership-invitation")
    page = page_as(people.member)
    page.goto("/distinguished/membership/")
    page.get_by_role("group", name="Will you attend “Architecture summit”?").get_by_role(
        "button", name="Yes, I will attend").click()
    page.wait_for_load_state()
    assert "you will attend “Architecture summit”" in page.locator(".od-messages").inner_text()
    assert InvitationReply.objects.get().answer == "yes"
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to your calendar (.ics)").click()
    assert download.value.suggested_filename == f"invitation-{invitation.pk}.ics"
    assert "SUMMARY:Architecture summit" in Path(download.value.path()).read_text("utf-8")


def test_the_dashboards_delivery_table_is_accessible_and_fits_a_phone(people, page_as):
    deliverable = Deliverable.objects.get(term=people.term, incentive__slug="lead-sessions")
    api.update_deliverable(deliverable_id=deliverable.pk, actor=people.admin, due_on="2020-01-01")
    for width in WIDTHS:
        page = page_as(people.admin, width=width)
        page.goto(f"/admin/openedx_distinguished/program/dashboard/?year={people.term.cycle.year}")
        table = page.locator("#od-delivery")
        assert "Distinguished Engineer" in table.inner_text()
        assert table.get_by_role("link", name="1").count() == 1  # the overdue one, linked to the board
        check_page(page, "dashboard-delivery")


def test_the_funding_and_invitation_admin_pages_are_accessible(people, page_as, cycle):
    innovator = UserFactory(username="ines", first_name="Ines", last_name="Innovator")
    make_term(innovator, Track.objects.get(slug="innovator"), cycle, starts_days_ago=20)
    api.ensure_current_deliverables()
    funding = Deliverable.objects.get(term__holder_user=innovator, incentive__kind="funding")
    asked = api.request_funding(deliverable_id=funding.pk, user=innovator, project="Offline grading",
                                description="Sync.", reasons="Reach.", amount="4000", currency="USD")
    start = timezone.now() + timedelta(days=7)
    invitation = api.create_invitation(incentive_id=Incentive.objects.get(slug="architecture-discussions").pk,
                                       title="Architecture summit", starts_at=start, ends_at=start + timedelta(hours=1))
    api.send_invitation(invitation_id=invitation.pk)
    for width in WIDTHS:
        page = page_as(people.admin, width=width)
        for path in (f"/admin/openedx_distinguished/fundingrequest/{asked.id}/change/",
                     "/admin/openedx_distinguished/invitation/",
                     f"/admin/openedx_distinguished/invitation/{invitation.pk}/change/"):
            assert page.goto(path).status == 200, path
            check_page(page, path)
