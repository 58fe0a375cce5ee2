"""
The member's activity report on My membership (the old activity page redirects there) and the cron command.
"""
from io import StringIO

import pytest
from django.core.management import call_command

from openedx_distinguished.models import Activity, Track

from .factories import UserFactory
from .membership_fixtures import make_term, released_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(cycle, users, panels):
    person = UserFactory(username="member")
    released_cycle(users, panels, [person])
    return person


def test_the_old_activity_page_leads_to_my_membership(client, member):
    client.force_login(member)
    response = client.get("/distinguished/activities/")
    assert response.status_code == 301 and response["Location"] == "/distinguished/membership/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Distinguished Engineer" in page.content.decode()


def test_member_reports_through_the_page(client, member):
    client.force_login(member)
    response = client.post("/distinguished/membership/", {
        "form": "activity", "activity_type": "event", "title": "Spoke at a meetup", "occurred_on": "2026-05-01",
        "evidence_url": ""}, follow=True)
    assert "Program staff verify it" in response.content.decode()
    assert Activity.objects.get().status == "pending"


def test_bad_report_on_the_page(client, member):
    client.force_login(member)
    response = client.post("/distinguished/membership/", {
        "form": "activity", "activity_type": "event", "title": "", "occurred_on": "2026-05-01"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="title-error"' in html and 'aria-invalid="true"' in html
    assert not Activity.objects.exists()


@pytest.mark.parametrize("who", ["learner", "nominator"])
def test_non_members_cannot_report(client, users, member, who):
    client.force_login(users[who])
    assert client.get("/distinguished/membership/").status_code == 200  # their (empty) membership page
    response = client.post("/distinguished/membership/", {
        "form": "activity", "activity_type": "event", "title": "Spoke", "occurred_on": "2026-05-01"})
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, member):
    response = client.get("/distinguished/membership/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_jobs_command_is_idempotent(member, cycle, settings):
    settings.DISTINGUISHED_RENEWAL_NOTICE_DAYS = 30
    make_term(UserFactory(username="ending"), Track.objects.get(slug="engineer"), cycle, starts_days_ago=350)
    out = StringIO()
    call_command("distinguished_run_jobs", "-v", "2", stdout=out)
    text = out.getvalue()
    assert "renewal due: 1 term(s) flagged" in text
    assert "evaluation 2026: 1 lapse, 0 lifetime, 0 renew" in text
    assert "term(s) evaluated" in text
    out = StringIO()
    call_command("distinguished_run_jobs", stdout=out)
    assert "renewal due: 0 term(s) flagged" in out.getvalue()
    assert "evaluation 2026: 0 lapse, 0 lifetime, 0 renew" in out.getvalue()
