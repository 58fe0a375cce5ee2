"""
Incentive delivery where people use it: the incentive board in the admin (filters, bulk moves,
overdue, edits through the API), the offers on My membership, and the REST endpoints; with bad
input, for each role, and with query counts that do not grow with the rows.
"""
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openedx_distinguished import api
from openedx_distinguished.models import Deliverable, MembershipTerm

from .factories import UserFactory
from .membership_fixtures import add_term, credentialed_member, many_members

pytestmark = pytest.mark.django_db

BOARD = reverse("admin:openedx_distinguished_deliverable_changelist")
MEMBERSHIP = "/distinguished/membership/"
API = "/api/distinguished/v1/deliverables/"


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def member(cycle, users, panels, settings):
    """Margaret, a released Distinguished Engineer."""
    return credentialed_member(users, panels, settings)


@pytest.fixture
def term(member):
    return MembershipTerm.objects.get(holder_user=member)


def owed(term, slug):
    return Deliverable.objects.get(term=term, incentive__slug=slug)


def visible(response):
    html = unescape(response.content.decode())
    main = html[html.index('<main id="main"'):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def statuses():
    return dict(Deliverable.objects.values_list("incentive__slug", "status"))


class TestTheBoard:
    """The admin changelist of deliverables, as program staff work from it."""

    def test_filters_and_overdue(self, client, superuser, term, users):
        late = owed(term, "lead-sessions")
        api.update_deliverable(deliverable_id=late.pk, actor=users["staff"], due_on="2020-01-01",
                               owner=users["staff"])
        client.force_login(superuser)
        page = client.get(BOARD)
        assert page.status_code == 200
        assert {d.pk for d in page.context["cl"].result_list} == set(
            Deliverable.objects.values_list("pk", flat=True))
        assert page.content.decode().count(">Overdue</strong>") == 1
        cases = (("?overdue=yes", {late.pk}),
                 ("?incentive__kind__exact=access", {owed(term, "architecture-discussions").pk}),
                 (f"?owner__id__exact={users['staff'].pk}", {late.pk}),
                 ("?status__exact=delivered", set()))
        for query, expected in cases:
            assert {d.pk for d in client.get(BOARD + query).context["cl"].result_list} == expected, query

    def test_bulk_moves_follow_each_kinds_flow(self, client, superuser, term):
        client.force_login(superuser)
        chosen = [owed(term, slug).pk for slug in ("conference-recognition", "lead-sessions")]
        response = client.post(BOARD, {"action": "mark_offered", "_selected_action": chosen}, follow=True)
        said = [str(m) for m in response.context["messages"]]
        # Recognition is given, not offered: refused with its reason; the opportunity is offered.
        assert any("cannot go from planned to offered" in m for m in said)
        assert "1 deliverable(s) now offered." in said
        assert statuses()["conference-recognition"] == "planned" and statuses()["lead-sessions"] == "offered"
        client.post(BOARD, {"action": "mark_delivered", "_selected_action": chosen[:1]})
        assert statuses()["conference-recognition"] == "delivered"

    def test_edits_go_through_the_api_and_bad_ones_change_nothing(self, client, superuser, term, users):
        deliverable = owed(term, "lead-sessions")
        url = reverse("admin:openedx_distinguished_deliverable_change", args=[deliverable.pk])
        client.force_login(superuser)
        assert client.get(url).status_code == 200
        form = {"owner": users["staff"].pk, "due_on": "2027-04-30", "cost": "300", "currency": "eur",
                "notes": "Workshop lead, spring meetup."}
        assert client.post(url, form).status_code == 302
        deliverable.refresh_from_db()
        assert (deliverable.owner, str(deliverable.due_on), deliverable.cost, deliverable.currency) == (
            users["staff"], "2027-04-30", 300, "EUR")
        assert deliverable.updated_by == superuser
        # Refused fields show by their fields (an owner who is not program staff, a bad currency),
        # and nothing is saved.
        response = client.post(url, {**form, "owner": users["learner"].pk, "currency": "E1", "notes": "Changed."})
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert errors["owner"] == ["Choose a member of the program staff."]
        assert errors["currency"] == ["Give a three-letter currency code, such as USD."]
        assert Deliverable.objects.get(pk=deliverable.pk).notes == "Workshop lead, spring meetup."
        # Nothing is added or deleted here.
        assert client.get(reverse("admin:openedx_distinguished_deliverable_add")).status_code == 403
        assert client.post(BOARD, {"action": "delete_selected", "_selected_action": [deliverable.pk]}
                           ).status_code in (200, 302)
        assert Deliverable.objects.filter(pk=deliverable.pk).exists()

    def test_a_physical_awards_cost_is_refused_by_its_field(self, client, superuser, term):
        deliverable = owed(term, "engineer-badge")
        client.force_login(superuser)
        url = reverse("admin:openedx_distinguished_deliverable_change", args=[deliverable.pk])
        response = client.post(url, {"owner": "", "due_on": "", "cost": "120", "currency": "USD", "notes": ""})
        assert response.status_code == 200
        assert "on its shipment" in response.context["adminform"].form.errors["cost"][0]
        assert Deliverable.objects.get(pk=deliverable.pk).cost is None

    @pytest.mark.parametrize("who", ["learner", "member"])
    def test_people_who_are_not_staff_are_kept_out(self, client, users, member, who):
        client.force_login(users["learner"] if who == "learner" else member)
        response = client.get(BOARD)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

    def test_queries_do_not_grow_with_the_rows(self, client, superuser, term, cycle,
                                               django_assert_max_num_queries):
        client.force_login(superuser)
        client.get(BOARD)
        with django_assert_max_num_queries(14) as few:
            client.get(BOARD)
        for number in range(30):
            add_term(UserFactory(username=f"bulk{number}"), "advocate", cycle, "active")
        api.ensure_current_deliverables()
        assert Deliverable.objects.count() > 100
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(BOARD + "?all=")

    def test_queries_flat_at_10_100_and_1000_members(self, client, superuser, cycle):
        """The board as staff open it (its first page, and one cycle's overdue rows) as the program grows."""
        client.force_login(superuser)
        counts, made = [], 0
        for size in (10, 100, 1000):
            many_members(cycle, size - made, prefix=f"b{size}-")
            made = size
            Deliverable.objects.filter(incentive__kind="opportunity").update(due_on="2020-01-01")
            assert Deliverable.objects.filter(term__holder_user__username__startswith="b").values(
                "term_id").distinct().count() == size
            sizes = []
            for query in ("", f"?term__cycle__id__exact={cycle.pk}&overdue=yes"):
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(BOARD + query).status_code == 200
                sizes.append(len(captured))
            counts.append(tuple(sizes))
        assert counts[0] == counts[1] == counts[2], counts


def test_the_dashboard_shows_delivery_per_track(client, superuser, term, users, cycle):
    staff = users["staff"]
    api.update_deliverable(deliverable_id=owed(term, "conference-recognition").pk, actor=staff, status="delivered")
    api.update_deliverable(deliverable_id=owed(term, "lead-sessions").pk, actor=staff, due_on="2020-01-01")
    client.force_login(superuser)
    response = client.get(reverse("admin:openedx_distinguished_dashboard") + f"?year={cycle.year}")
    html = unescape(response.content.decode())
    table = html[html.index('id="od-delivery"'):]
    table = table[:table.index("</table>")]
    row = " ".join(re.sub(r"<[^>]+>", " ", table[table.index("Distinguished Engineer"):]).split())
    assert row.startswith("Distinguished Engineer 4 1 (25 %) 0 / 0 1")
    assert f'{BOARD}?overdue=yes&term__cycle__id__exact={cycle.pk}' in table


class TestMyMembership:
    """Offers on My membership, answered by their member."""

    def test_an_offer_is_accepted_from_the_page(self, client, member, term, users):
        deliverable = owed(term, "lead-sessions")
        api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status="offered",
                               due_on="2027-05-01")
        client.force_login(member)
        text = visible(client.get(MEMBERSHIP))
        assert ("Leads technical sessions or working groups Status: Offered to you: waiting for your answer"
                " — expected by May 1, 2027") in text
        assert "Will you take part in “Leads technical sessions or working groups”? Accept Decline" in text
        response = client.post(MEMBERSHIP, {"form": "answer", "deliverable": deliverable.pk, "answer": "accept"})
        assert response.status_code == 302 and response["Location"] == MEMBERSHIP + "#awards"
        assert owed(term, "lead-sessions").status == "accepted"
        after = visible(client.get(MEMBERSHIP))
        assert "Status: You accepted" in after and "Will you take part" not in after

    def test_a_bad_answer_or_a_closed_offer_is_refused_on_the_page(self, client, member, term, users):
        deliverable = owed(term, "lead-sessions")
        client.force_login(member)
        closed = client.post(MEMBERSHIP, {"form": "answer", "deliverable": deliverable.pk, "answer": "accept"})
        assert closed.status_code == 400 and "This offer is no longer open." in visible(closed)
        api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status="offered")
        bad = client.post(MEMBERSHIP, {"form": "answer", "deliverable": deliverable.pk, "answer": "maybe"})
        assert bad.status_code == 400 and "Choose to accept or to decline." in visible(bad)
        assert owed(term, "lead-sessions").status == "offered"

    @pytest.mark.parametrize("value", ["abc", "99999999", ""])
    def test_no_such_incentive_is_not_found(self, client, member, value):
        client.force_login(member)
        assert client.post(MEMBERSHIP, {"form": "answer", "deliverable": value, "answer": "accept"}
                           ).status_code == 404

    def test_what_is_given_shows_its_status_without_a_form(self, client, member, term, users):
        api.update_deliverable(deliverable_id=owed(term, "conference-recognition").pk, actor=users["staff"],
                               status="delivered")
        client.force_login(member)
        text = visible(client.get(MEMBERSHIP))
        assert "Recognition at the annual conference Status: Delivered" in text
        assert "Will you take part" not in text


class TestTheApi:
    """GET /deliverables/, PATCH /deliverables/<id>/, POST /deliverables/<id>/answer/."""

    def test_members_list_their_own_without_staff_fields(self, client_for, member, term, users):
        api.update_deliverable(deliverable_id=owed(term, "lead-sessions").pk, actor=users["staff"], notes="Staff.")
        body = client_for(member).get(API).json()
        assert body["count"] == Deliverable.objects.filter(term=term).count()
        assert {row["notes"] for row in body["results"]} == {None}
        assert {row["owner"] for row in body["results"]} == {None}
        assert client_for(users["learner"]).get(API).json() == {"count": 0, "results": []}
        assert client_for(None).get(API).status_code == 401

    def test_staff_list_filter_and_bad_filters_are_400(self, client_for, term, users):
        staff = client_for(users["staff"])
        everything = staff.get(API).json()
        assert everything["count"] == Deliverable.objects.count()
        assert {row["notes"] for row in everything["results"]} == {""}
        assert staff.get(API + "?kind=access").json()["count"] == 1
        bad = staff.get(API + "?kind=money&status=lost&cycle=twenty")
        assert bad.status_code == 400 and set(bad.json()) <= {"kind", "status", "cycle"} and "cycle" in bad.json()
        worse = staff.get(API + "?kind=money&status=lost")
        assert worse.status_code == 400 and set(worse.json()) == {"kind", "status"}
        # Digits that are not ASCII ones are not a year (int() would refuse "²" with a 500).
        for odd in ("²", "٢٠٢٦", "99999"):
            refused = staff.get(API + f"?cycle={odd}")
            assert refused.status_code == 400 and "cycle" in refused.json(), odd

    def test_staff_update_and_the_flow_is_enforced(self, client_for, term, users):
        staff = client_for(users["staff"])
        deliverable = owed(term, "lead-sessions")
        done = staff.patch(f"{API}{deliverable.pk}/", {"status": "offered", "owner": "staff", "due_on": "2027-05-01",
                                                       "cost": "99.9"}, format="json")
        assert done.status_code == 200
        assert (done.json()["status"], done.json()["owner"], done.json()["cost"]) == ("offered", "staff", "99.90")
        skipped = staff.patch(f"{API}{deliverable.pk}/", {"status": "accepted"}, format="json")
        assert skipped.status_code == 409 and "status" in skipped.json()
        unknown = staff.patch(f"{API}{deliverable.pk}/", {"owner": "nobody-here"}, format="json")
        assert unknown.status_code == 400 and "owner" in unknown.json()
        learner = staff.patch(f"{API}{deliverable.pk}/", {"owner": "learner"}, format="json")
        assert learner.status_code == 400 and "owner" in learner.json()
        assert staff.patch(f"{API}999999/", {"status": "planned"}, format="json").status_code == 404
        assert owed(term, "lead-sessions").status == "offered"
        cleared = staff.patch(f"{API}{deliverable.pk}/", {"owner": None}, format="json")
        assert cleared.status_code == 200 and cleared.json()["owner"] is None

    def test_the_member_answers_once(self, client_for, member, term, users):
        deliverable = owed(term, "architecture-discussions")
        api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status="offered")
        mine = client_for(member)
        assert mine.post(f"{API}{deliverable.pk}/answer/", {"answer": "perhaps"}, format="json").status_code == 400
        answered = mine.post(f"{API}{deliverable.pk}/answer/", {"answer": "decline"}, format="json")
        assert answered.status_code == 200 and answered.json()["status"] == "declined"
        again = mine.post(f"{API}{deliverable.pk}/answer/", {"answer": "accept"}, format="json")
        assert again.status_code == 409
        assert owed(term, "architecture-discussions").status == "declined"

    def test_listing_queries_do_not_grow(self, client_for, term, users, cycle, django_assert_max_num_queries):
        staff = client_for(users["staff"])
        staff.get(API)
        with django_assert_max_num_queries(8) as few:
            staff.get(API)
        for number in range(30):
            add_term(UserFactory(username=f"bulk{number}"), "advocate", cycle, "active")
        api.ensure_current_deliverables()
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert staff.get(API + "?limit=100").json()["count"] > 100
