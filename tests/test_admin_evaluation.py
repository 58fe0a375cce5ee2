"""
The admin's annual evaluation page (ADR 0016): which terms a cycle's evaluation covers, running it,
its recommendations and their state, and a confirmation that shows what it will do and asks again.
"""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from openedx_distinguished import api
from openedx_distinguished.models import Activity, ActivityType, MembershipTerm, TermEvaluation, Track

from .factories import CycleFactory, UserFactory
from .membership_fixtures import make_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def terms(cycle):
    """Ada ended with a verified event, Grace ended with a working group awaiting verification, Later ends soon."""
    track = Track.objects.get(slug="engineer")
    made = {name: make_term(UserFactory(username=name.lower(), first_name=name), track, cycle, starts_days_ago=days)
            for name, days in (("Ada", 368), ("Grace", 368), ("Later", 340))}
    for name, slug, status in (("Ada", "event", "verified"), ("Grace", "working_group", "pending")):
        Activity.objects.create(user=made[name].holder_user, activity_type=ActivityType.objects.get(slug=slug),
                                title=slug, occurred_on=(made[name].ends_at - timedelta(days=20)).date(),
                                source="self_reported", status=status)
    return made


def page(cycle):
    return reverse("admin:openedx_distinguished_evaluation", args=[cycle.year])


def test_the_page_says_what_the_evaluation_covers_and_runs_it(client, superuser, cycle, terms):
    client.force_login(superuser)
    html = client.get(page(cycle)).content.decode()
    assert "The evaluation covers the current terms that were running on" in html
    assert "3 terms it covers are not evaluated yet." in html
    response = client.post(page(cycle), {"step": "run"}, follow=True)
    assert any("Evaluated: 1 to renew, 2 to lapse" in str(m) for m in response.context["messages"])
    html = response.content.decode()
    assert "0 terms it covers are not evaluated yet." in html
    assert "Blocked until its activities are verified</strong> (1 activity awaits verification)" in html
    assert "Waiting for the term&#x27;s end" in html and "Ready to confirm: 1" in html


def test_confirming_shows_the_summary_and_asks_again(client, superuser, cycle, terms):
    client.force_login(superuser)
    api.evaluate_terms(cycle_year=cycle.year)
    summary = client.post(page(cycle), {"step": "review"})
    html = summary.content.decode()
    assert "Confirming applies 1 recommendation now" in html
    assert "Renew: 1" in html and "Ada (Distinguished Engineer)" in html and "Lapse (to alumni): 0" in html
    assert "Grace (Distinguished Engineer): 1 qualifying activity awaits verification" in html
    assert "Later (Distinguished Engineer): The term ends on" in html
    assert set(MembershipTerm.objects.values_list("status", flat=True)) == {"active"}
    # The confirmation without the summary's "yes" only shows the summary again.
    client.post(page(cycle), {"step": "confirm"})
    assert not TermEvaluation.objects.filter(confirmed_at__isnull=False).exists()
    response = client.post(page(cycle), {"step": "confirm", "confirm": "yes"}, follow=True)
    notes = [str(m) for m in response.context["messages"]]
    assert "Applied: 1 renewed, 0 lapsed, 0 lifetime." in notes
    assert sum("held" in note for note in notes) == 2
    assert MembershipTerm.objects.get(pk=terms["Ada"].pk).status == "renewed"
    assert MembershipTerm.objects.get(pk=terms["Grace"].pk).status == "active"


def test_the_admin_action_on_one_cycle_at_a_time(client, superuser, cycle, terms):
    client.force_login(superuser)
    api.evaluate_terms(cycle_year=cycle.year)
    later_cycle = CycleFactory(year=cycle.year + 1, opened_days_ago=-300)
    ending = make_term(UserFactory(username="eve"), Track.objects.get(slug="advocate"), later_cycle,
                       starts_days_ago=60)
    TermEvaluation.objects.create(term=ending, cycle=later_cycle, recommendation="lapse", reasons=[],
                                  evaluated_at=ending.starts_at)
    response = client.post(reverse("admin:openedx_distinguished_termevaluation_changelist"), {
        "action": "confirm_selected", "_selected_action": list(TermEvaluation.objects.values_list("pk", flat=True)),
        "apply": "yes"}, follow=True)
    assert any("one cycle at a time" in str(m) for m in response.context["messages"])
    assert not TermEvaluation.objects.filter(confirmed_at__isnull=False).exists()


@pytest.mark.parametrize("who", ["anonymous", "learner", "nominee", "nominator"])
def test_the_page_is_for_program_staff(client, cycle, terms, users, who):
    if who != "anonymous":
        client.force_login(users[who])
    for response in (client.get(page(cycle)), client.post(page(cycle), {"step": "run"}),
                     client.post(page(cycle), {"step": "confirm", "confirm": "yes"})):
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert not TermEvaluation.objects.exists()


def test_program_staff_without_the_superuser_flag_run_it(client, cycle, terms):
    holder = UserFactory(username="coordinator", is_staff=True)
    holder.user_permissions.add(Permission.objects.get(codename="manage_program"))
    client.force_login(holder)
    assert client.get(page(cycle)).status_code == 200
    client.post(page(cycle), {"step": "run"})
    assert TermEvaluation.objects.count() == 3


def test_an_unknown_cycle_is_a_404_and_the_index_goes_to_the_latest(client, superuser, cycle):
    client.force_login(superuser)
    assert client.get(reverse("admin:openedx_distinguished_evaluation", args=[1999])).status_code == 404
    response = client.get(reverse("admin:openedx_distinguished_evaluations"))
    assert response.status_code == 302 and response["Location"] == page(cycle)


def test_the_cycle_list_links_each_cycles_evaluation(client, superuser, cycle):
    client.force_login(superuser)
    html = client.get(reverse("admin:openedx_distinguished_cycle_changelist")).content.decode()
    assert f'href="{page(cycle)}"' in html
