"""
Admin pages and actions of membership: revoke, evaluate, confirm, verify and reject.
"""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import Activity, MembershipTerm, QualifyingCourseRun, TermEvaluation, Track

from .factories import UserFactory
from .membership_fixtures import make_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def term(cycle, users):
    """A term that ended three days ago, waiting for its evaluation."""
    return make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=368)


def changelist(name):
    return reverse(f"admin:openedx_distinguished_{name}_changelist")


def test_pages_render(client, superuser, term):
    client.force_login(superuser)
    for name in ("membershipterm", "termevaluation", "activity", "activitytype", "qualifyingcourserun",
                 "initiative", "onboarding", "referralcode"):
        assert client.get(changelist(name)).status_code == 200, name
    assert client.get(reverse("admin:openedx_distinguished_initiative_add")).status_code == 200
    assert client.get(reverse("admin:openedx_distinguished_membershipterm_change", args=[term.pk])).status_code == 200


def test_revoke_asks_for_a_reason_then_revokes(client, superuser, term):
    client.force_login(superuser)
    asked = client.post(changelist("membershipterm"), {"action": "revoke_selected", "_selected_action": [term.pk]})
    assert asked.status_code == 200 and "Say why" in asked.content.decode()
    assert MembershipTerm.objects.get(pk=term.pk).status == "active"
    client.post(changelist("membershipterm"), {"action": "revoke_selected", "_selected_action": [term.pk],
                                               "apply": "1", "reason": ""})
    assert MembershipTerm.objects.get(pk=term.pk).status == "active"
    done = client.post(changelist("membershipterm"), {"action": "revoke_selected", "_selected_action": [term.pk],
                                                      "apply": "1", "reason": "Harassment report upheld."},
                       follow=True)
    assert any("Revoked 1." in str(m) for m in done.context["messages"])
    revoked = MembershipTerm.objects.get(pk=term.pk)
    assert (revoked.status, revoked.revoked_reason) == ("revoked", "Harassment report upheld.")


def test_evaluate_and_confirm_actions(client, superuser, term, cycle):
    client.force_login(superuser)
    response = client.post(changelist("cycle"), {"action": "evaluate_terms", "_selected_action": [cycle.pk]},
                           follow=True)
    assert any("1 lapse" in str(m) for m in response.context["messages"])
    evaluation = TermEvaluation.objects.get()
    # The action shows what it would do first, and changes nothing until that page's form comes back.
    selection = {"action": "confirm_selected", "_selected_action": [evaluation.pk]}
    summary = client.post(changelist("termevaluation"), selection)
    assert summary.status_code == 200 and "Lapse (to alumni): 1" in summary.content.decode()
    assert MembershipTerm.objects.get(pk=term.pk).status == "active"
    response = client.post(changelist("termevaluation"), {**selection, "apply": "yes"}, follow=True)
    assert any("applied 0 renewed, 1 lapsed" in str(m) for m in response.context["messages"])
    assert MembershipTerm.objects.get(pk=term.pk).status == "lapsed"


def test_verify_and_reject_actions(client, superuser, users, program):
    client.force_login(superuser)
    first = api.report_activity(user=users["nominee"], activity_type="talk", title="Talk",
                                occurred_on=(timezone.now() - timedelta(days=3)).date())
    second = api.report_activity(user=users["nominee"], activity_type="talk", title="Talk 2",
                                 occurred_on=(timezone.now() - timedelta(days=2)).date())
    # Each action shows a confirmation page first, listing the activities, and changes nothing.
    page = client.post(changelist("activity"), {"action": "verify_selected", "_selected_action": [first.id]})
    assert page.status_code == 200 and "Talk" in page.content.decode() and 'name="apply"' in page.content.decode()
    page = client.post(changelist("activity"), {"action": "reject_selected", "_selected_action": [second.id]})
    assert "the members read it" in page.content.decode()
    assert set(Activity.objects.values_list("status", flat=True)) == {"pending"}
    client.post(changelist("activity"), {"action": "verify_selected", "_selected_action": [first.id], "apply": "1"})
    # A rejection without its reason is refused next to nothing written.
    response = client.post(changelist("activity"), {"action": "reject_selected", "_selected_action": [second.id],
                                                    "apply": "1", "reason": " "}, follow=True)
    assert any("Give the reason" in str(m) for m in response.context["messages"])
    assert Activity.objects.get(pk=second.id).status == "pending"
    client.post(changelist("activity"), {"action": "reject_selected", "_selected_action": [second.id], "apply": "1",
                                         "reason": "No trace of this talk."})
    response = client.post(changelist("activity"), {"action": "verify_selected", "_selected_action": [second.id],
                                                    "apply": "1"}, follow=True)
    assert any("already rejected" in str(m) for m in response.context["messages"])
    assert dict(Activity.objects.values_list("pk", "status")) == {first.id: "verified", second.id: "rejected"}
    assert Activity.objects.get(pk=second.id).review_note == "No trace of this talk."


def test_qualifying_run_form_validates_the_course_key(client, superuser, program):
    client.force_login(superuser)
    from openedx_distinguished.models import ActivityType  # pylint: disable=import-outside-toplevel
    event = ActivityType.objects.get(slug="event")
    add = reverse("admin:openedx_distinguished_qualifyingcourserun_add")
    response = client.post(add, {"course_key": "not a key", "activity_type": event.pk, "title": "X"})
    assert response.status_code == 200 and "Not a valid course key" in response.content.decode()
    assert not QualifyingCourseRun.objects.exists()
    client.post(add, {"course_key": "course-v1:OpenedX+Conf+2026", "activity_type": event.pk, "title": "Conf"})
    assert QualifyingCourseRun.objects.get().course_key == "course-v1:OpenedX+Conf+2026"


@pytest.mark.parametrize("role", ["learner", "nominee", "nominator"])
def test_non_staff_cannot_use_the_actions(client, users, term, role):
    client.force_login(users[role])
    response = client.post(changelist("membershipterm"), {"action": "revoke_selected", "_selected_action": [term.pk],
                                                          "apply": "1", "reason": "x"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert MembershipTerm.objects.get(pk=term.pk).status == "active"
