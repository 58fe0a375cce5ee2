"""
The panel's and staff's year in a real browser (issue 15): the chair adds a reviewer, records
decisions (one refused for the quorum, keeping what was typed), reads the release page's blockers
and releases when due; staff run and confirm the annual evaluation, with a blocked lapse; staff
import a CSV with a bad row, fix it and apply. Every page is checked with axe-core at 1280 and
390 px.
"""
from datetime import date, timedelta

import pytest

from openedx_distinguished import api
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    Decision,
    MembershipTerm,
    Panel,
    PanelMember,
    ReviewAssignment,
    Track,
)

from ..factories import UserFactory
from ..membership_fixtures import make_term
from ..review_fixtures import at_announcement, score_all, submitted_nomination
from .conftest import WIDTHS, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def year(cycle, users, panels, live_server, settings):
    """Two nominations: one reviewed by rev1 and rev2, one reviewed by rev1 only. The chair chairs every track."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = live_server.url
    api.add_signing_key()
    PanelMember.objects.create(panel=Panel.objects.get(slug="biz-dev"), user=panels["chair"], role="chair")
    strong = submitted_nomination(users["nominator"], users["nominee"])
    thin = submitted_nomination(users["learner"], users["learner"])
    for nomination, reviewers in ((strong, ("rev1", "rev2")), (thin, ("rev1",))):
        for reviewer in reviewers:
            api.assign_reviewer(nomination_id=nomination.id, reviewer_username=reviewer, actor=None)
            api.submit_review(nomination_id=nomination.id, reviewer=panels[reviewer],
                              scores=score_all("engineer", 4), recommendation="accept")
    return strong, thin


def test_the_chair_runs_the_review_to_the_release(year, panels, cycle, page_as):
    strong, thin = year
    page = page_as(panels["chair"])
    page.goto("/distinguished/review/cycles/2026/scoreboard/")
    check_page(page, "chair-scoreboard")
    # Adds a reviewer to the thin nomination; the endorser-free panel offers rev3 and rev4.
    row = page.locator(f"#nomination-{thin.id}")
    row.get_by_label("Reviewer to add to the nomination of Learner").select_option("rev4")
    row.get_by_role("button", name="Add").click()
    page.wait_for_load_state()
    assert "Rev4 now reviews the nomination of Learner." in page.locator(".od-messages").inner_text() \
        or "rev4 now reviews the nomination of Learner." in page.locator(".od-messages").inner_text()
    assert ReviewAssignment.objects.filter(nomination_id=thin.id, reviewer=panels["rev4"]).exists()

    # The release page lists what blocks it before anyone presses anything.
    page.get_by_role("link", name="Release the announcement…").click()
    page.wait_for_url("**/release/")
    blockers = page.locator("section", has=page.get_by_role("heading", name="What still blocks the release"))
    assert "The date: not before" in blockers.inner_text()
    assert blockers.get_by_role("link", name="Nominee").is_visible() and blockers.get_by_role(
        "link", name="Learner").is_visible()
    assert page.get_by_role("button", name="Release the announcement now").count() == 0
    check_page(page, "chair-release-blocked")

    # A decision below the quorum is refused, and keeps every field typed.
    blockers.get_by_role("link", name="Learner").click()
    page.select_option("#outcome", "defer")
    page.fill("#rationale", "Promising, but one review is not enough to judge.")
    page.fill("#feedback", "Add links to the merged work, please.")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert page.locator("#override_reason-error").is_visible()
    assert page.locator("#rationale").input_value() == "Promising, but one review is not enough to judge."
    assert page.locator("#feedback").input_value() == "Add links to the merged work, please."
    assert page.locator("#outcome").input_value() == "defer"
    check_page(page, "chair-decision-refused")
    page.fill("#override_reason", "The third reviewer left the panel.")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert "Decision recorded." in page.locator(".od-messages").inner_text()

    page.goto(f"/distinguished/review/nominations/{strong.id}/")
    check_page(page, "chair-review-sheet")
    page.select_option("#outcome", "accept")
    page.fill("#rationale", "Unanimous and well evidenced.")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert Decision.objects.count() == 2

    # The date comes: the release goes ahead, and says what it did.
    at_announcement(cycle)
    page.goto("/distinguished/review/cycles/2026/release/")
    assert "Nothing: the release can go ahead." in page.content()
    check_page(page, "chair-release-ready")
    page.get_by_role("button", name="Release the announcement now").click()
    page.wait_for_load_state()
    assert "Every decision of the cycle was published" in page.locator("main").inner_text()
    check_page(page, "chair-release-done")
    assert MembershipTerm.objects.filter(holder_user__username="nominee").count() == 1


def test_a_reviewer_declares_a_conflict_after_reading_what_it_changes(year, panels, page_as):
    strong, _thin = year
    page = page_as(panels["rev2"])
    page.goto(f"/distinguished/review/nominations/{strong.id}/")
    check_page(page, "reviewer-sheet-with-anchors")
    assert page.locator("#criterion-significant-contributions-anchors").is_visible()
    page.get_by_role("link", name="Declare a conflict…").click()
    page.wait_for_url("**/conflict/")
    assert "stops your review from counting" in page.content()
    check_page(page, "reviewer-conflict-page")
    page.fill("#reason", "We work at the same company.")
    page.get_by_role("button", name="Yes, declare the conflict").click()
    page.wait_for_url("**/distinguished/review/")
    assert "Conflict declared" in page.locator(".od-messages").inner_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_of_the_panel_fits_a_phone(year, panels, users, page_as, width):
    strong, _thin = year
    pages = {panels["chair"]: ["/distinguished/review/cycles/2026/scoreboard/",
                               "/distinguished/review/cycles/2026/release/",
                               f"/distinguished/review/nominations/{strong.id}/"],
             panels["rev1"]: [f"/distinguished/review/nominations/{strong.id}/",
                              f"/distinguished/review/nominations/{strong.id}/conflict/"]}
    for person, paths in pages.items():
        page = page_as(person, width=width)
        for path in paths:
            assert page.goto(path).status == 200, path
            check_page(page, f"{person.username}-{path}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_release_page_ready_and_done_fits_a_phone(year, panels, cycle, page_as, width):
    for nomination, outcome in zip(year, ("accept", "decline")):
        api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome=outcome,
                            rationale="Clear.", override_reason="One reviewer only.")
    at_announcement(cycle)
    page = page_as(panels["chair"], width=width)
    page.goto("/distinguished/review/cycles/2026/release/")
    check_page(page, "chair-release-ready")
    page.get_by_role("button", name="Release the announcement now").click()
    page.wait_for_load_state()
    assert "Accept: 1" in page.locator("main").inner_text() and "Decline: 1" in page.locator("main").inner_text()
    check_page(page, "chair-release-done")


@pytest.fixture
def staff():
    return UserFactory(username="programstaff", first_name="Pat", is_staff=True, is_superuser=True)


def test_staff_run_and_confirm_the_evaluation_with_a_blocked_lapse(cycle, staff, page_as):
    track = Track.objects.get(slug="engineer")
    terms = {name: make_term(UserFactory(username=name.lower(), first_name=name), track, cycle,
                             starts_days_ago=368) for name in ("Ada", "Grace", "Linus")}
    for name, slug, status in (("Ada", "event", "verified"), ("Grace", "working_group", "pending")):
        Activity.objects.create(user=terms[name].holder_user, activity_type=ActivityType.objects.get(slug=slug),
                                title=slug, occurred_on=(terms[name].ends_at - timedelta(days=20)).date(),
                                source="self_reported", status=status)
    page = page_as(staff)
    page.goto("/admin/openedx_distinguished/cycle/")
    page.get_by_role("link", name="Evaluation", exact=True).first.click()
    page.wait_for_url("**/evaluation/2026/")
    assert "3 terms it covers are not evaluated yet." in page.content()
    check_page(page, "staff-evaluation-before")
    page.get_by_role("button", name="Run the evaluation now").click()
    page.wait_for_load_state()
    grace = page.locator("tr", has_text="Grace")
    assert "Blocked until its activities are verified" in grace.inner_text()
    check_page(page, "staff-evaluation-run")
    page.get_by_role("button", name="Review and confirm the ready recommendations…").click()
    page.wait_for_load_state()
    summary = page.locator("#content-main").inner_text()
    assert "Renew: 1" in summary and "Ada (Distinguished Engineer)" in summary
    assert "Lapse (to alumni): 1" in summary and "Linus (Distinguished Engineer)" in summary
    assert "Grace (Distinguished Engineer): 1 qualifying activity awaits verification" in summary
    check_page(page, "staff-evaluation-summary")
    page.get_by_role("button", name="Yes, confirm 2").click()
    page.wait_for_load_state()
    assert "Applied: 1 renewed, 1 lapsed, 0 lifetime." in page.locator(".messagelist").inner_text()
    statuses = dict(MembershipTerm.objects.filter(pk__in=[t.pk for t in terms.values()])
                    .values_list("holder_user__username", "status"))
    assert statuses == {"ada": "renewed", "grace": "active", "linus": "lapsed"}


def test_staff_import_a_csv_fix_its_bad_row_and_apply(cycle, staff, page_as, tmp_path):
    UserFactory(username="ada", email="ada@example.org", first_name="Ada")
    UserFactory(username="grace", email="grace@example.org", first_name="Grace")
    bad = ("External_id,Email,Activity_type,Title,Occurred_on\n"
           "meetup-1,ada@example.org,Event,Open edX Meetup,2026-03-03\n"
           "meetup-2,nobody@example.org,Event,Open edX Meetup,2026-03-03\n")
    upload = tmp_path / "attendance.csv"
    upload.write_text(bad, encoding="utf-8")
    page = page_as(staff)
    page.goto("/admin/openedx_distinguished/activity/")
    page.get_by_role("link", name="Import activities").click()
    page.wait_for_url("**/activity/import/")
    check_page(page, "staff-import-form")
    page.set_input_files("#file", str(upload))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert "1 new, 0 imported before (skipped), 1 with errors." in page.content()
    assert "no user with the e-mail address 'nobody@example.org'" in page.get_by_role(
        "table", name="Every row of the file").inner_text()
    assert page.get_by_role("button", name="Import 1 activity").count() == 0
    check_page(page, "staff-import-preview-errors")
    assert not Activity.objects.exists()
    page.fill("#text", bad.replace("nobody@example.org", "grace@example.org"))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    check_page(page, "staff-import-preview-ready")
    page.get_by_role("button", name="Import 2 activities").click()
    page.wait_for_url("**/activity/")
    assert "Imported 2 activities" in page.locator(".messagelist").inner_text()
    assert sorted(Activity.objects.values_list("user__username", flat=True)) == ["ada", "grace"]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_staff_pages_are_accessible(cycle, staff, page_as, width):
    make_term(UserFactory(username="ada"), Track.objects.get(slug="engineer"), cycle, starts_days_ago=368)
    api.evaluate_terms(cycle_year=cycle.year)
    UserFactory(username="grace", email="grace@example.org")
    page = page_as(staff, width=width)
    for path in ("/admin/openedx_distinguished/program/evaluation/2026/",
                 "/admin/openedx_distinguished/activity/import/"):
        assert page.goto(path).status == 200, path
        check_page(page, f"staff-{path}")
    # The pages that answer a form: the evaluation's summary and an import's preview with an error.
    page.goto("/admin/openedx_distinguished/program/evaluation/2026/")
    page.get_by_role("button", name="Review and confirm the ready recommendations…").click()
    page.wait_for_load_state()
    assert "Lapse (to alumni): 1" in page.content()
    check_page(page, "staff-evaluation-summary")
    page.goto("/admin/openedx_distinguished/activity/import/")
    page.fill("#text", "external_id,email,activity_type,title,occurred_on\n"
                       "m-1,grace@example.org,Event,Meetup,2026-03-03\nm-2,nobody@example.org,Talk,=1+1,2026-03-03\n")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert "1 with errors" in page.content()
    check_page(page, "staff-import-preview")
    # The activities' reject action asks why first.
    ada = Activity.objects.create(user=UserFactory(username=f"speaker{width}"), source="self_reported",
                                  activity_type=ActivityType.objects.get(slug="talk"), title="A talk",
                                  occurred_on=date(2026, 3, 3))
    page.goto("/admin/openedx_distinguished/activity/")
    page.locator(f"input[name='_selected_action'][value='{ada.pk}']").check()
    page.select_option("select[name='action']", "reject_selected")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()
    assert "the members read it" in page.content()
    check_page(page, "staff-reject-activities")
