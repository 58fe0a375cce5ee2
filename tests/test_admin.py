"""
The admin: program staff read and act on nominations through the API; nobody edits a status directly.
"""
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from openedx_distinguished import api
from openedx_distinguished.models import Nomination, NominationTransition, Track

from .factories import UserFactory
from .review_fixtures import full_justifications

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:openedx_distinguished_nomination_changelist")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def nominations(cycle, users):
    """Three nominations by the same nominator; the first submitted."""
    made = []
    for index in range(3):
        nominee = UserFactory(username=f"candidate{index}")
        outcome = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="engineer",
                                        nominee_username=nominee.username, justifications=full_justifications())
        made.append(outcome.nomination)
    api.submit_nomination(nomination_id=made[0].id, actor=users["nominator"])
    return made


def test_program_staff_see_every_admin_page(client, superuser, nominations, organization):
    client.force_login(superuser)
    for name in ("program", "track", "cycle", "partnerorganization", "nomination"):
        assert client.get(reverse(f"admin:openedx_distinguished_{name}_changelist")).status_code == 200
    detail = client.get(reverse("admin:openedx_distinguished_nomination_change", args=[nominations[0].id]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Because of Delivered significant contributions." in html
    assert "awaiting_consent" in html  # the recorded transitions inline
    track = Track.objects.get(slug="engineer")
    assert client.get(reverse("admin:openedx_distinguished_track_change", args=[track.pk])).status_code == 200


def test_nomination_search_and_filters(client, superuser, nominations):
    client.force_login(superuser)
    response = client.get(CHANGELIST, {"q": "candidate1"})
    assert [n.pk for n in response.context["cl"].result_list] == [nominations[1].id]
    response = client.get(CHANGELIST, {"status__exact": "draft"})
    assert {n.pk for n in response.context["cl"].result_list} == {nominations[1].id, nominations[2].id}


def test_changelist_queries_do_not_grow(client, superuser, cycle, users, django_assert_max_num_queries):
    client.force_login(superuser)
    client.get(CHANGELIST)
    with django_assert_max_num_queries(12) as few:
        client.get(CHANGELIST)
    for index in range(20):
        nominee = UserFactory(username=f"bulk{index}")
        api.create_nomination(nominator=UserFactory(username=f"bulk-nominator{index}"), cycle_year=2026,
                              track_slug="engineer", nominee_username=nominee.username)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(CHANGELIST)


def test_status_is_not_editable_and_nothing_is_added_or_deleted(client, superuser, nominations):
    client.force_login(superuser)
    target = nominations[1].id
    url = reverse("admin:openedx_distinguished_nomination_change", args=[target])
    client.post(url, {"status": "accepted"})
    assert Nomination.objects.get(pk=target).status == "draft"
    assert client.get(reverse("admin:openedx_distinguished_nomination_add")).status_code == 403
    response = client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [target]})
    assert Nomination.objects.filter(pk=target).exists()
    assert response.status_code in (200, 302)


def test_withdraw_action_goes_through_the_api(client, superuser, nominations):
    client.force_login(superuser)
    Nomination.objects.filter(pk=nominations[2].id).update(status="accepted")
    response = client.post(CHANGELIST, {
        "action": "withdraw_selected",
        "_selected_action": [n.id for n in nominations],
    }, follow=True)
    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert statuses[nominations[0].id] == "withdrawn"
    assert statuses[nominations[1].id] == "withdrawn"
    assert statuses[nominations[2].id] == "accepted"
    text = [str(m) for m in response.context["messages"]]
    assert any("Withdrew 2 nomination(s)." in m for m in text)
    assert any(f"Nomination {nominations[2].id}" in m and "cannot become withdrawn" in m for m in text)
    transition = NominationTransition.objects.filter(nomination_id=nominations[0].id).last()
    assert (transition.to_status, transition.actor) == ("withdrawn", superuser)


@pytest.mark.parametrize("role", ["anonymous", "learner", "nominee", "nominator"])
def test_non_staff_are_sent_to_the_login_page(client, users, nominations, role):
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.post(CHANGELIST, {"action": "withdraw_selected", "_selected_action": [nominations[0].id]})
    assert Nomination.objects.get(pk=nominations[0].id).status == "awaiting_consent"


def test_staff_without_change_permission_cannot_withdraw(client, nominations):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_nomination"))
    client.force_login(viewer)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "withdraw_selected" not in response.content.decode()
    client.post(CHANGELIST, {"action": "withdraw_selected", "_selected_action": [nominations[0].id]})
    assert Nomination.objects.get(pk=nominations[0].id).status == "awaiting_consent"
