"""
The v1 REST API: each endpoint for each role that could misuse it, bad input, and query counts.
"""
import pytest
from edx_rest_framework_extensions.auth.jwt.tests.utils import generate_jwt

from openedx_distinguished import api
from openedx_distinguished.models import Endorsement, Nomination, NominationTransition

from .factories import UserFactory
from .review_fixtures import full_justifications

pytestmark = pytest.mark.django_db

BASE = "/api/distinguished/v1"
ROLES = ["anonymous", "learner", "nominee", "nominator", "staff"]


def body(**overrides):
    data = {"cycle": 2026, "track": "engineer", "nominee_username": "nominee",
            "justifications": full_justifications(), "evidence_links": ["https://github.com/openedx"]}
    data.update(overrides)
    return data


def snapshot():
    return (list(Nomination.objects.order_by("pk").values()), Endorsement.objects.count(),
            NominationTransition.objects.count())


@pytest.fixture
def as_role(users, client_for):
    def make(role):
        return client_for(None if role == "anonymous" else users[role])
    return make


@pytest.fixture
def draft(cycle, users):
    return api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="engineer",
                                 nominee_username="nominee", justifications=full_justifications()).nomination


@pytest.fixture
def awaiting(draft, users):
    api.submit_nomination(nomination_id=draft.id, actor=users["nominator"])
    return draft


class TestPublicEndpoints:
    """Endpoints anyone may read."""
    @pytest.mark.parametrize("role", ROLES)
    def test_tracks_are_public_with_criteria(self, program, as_role, role, users):
        response = as_role(role).get(f"{BASE}/tracks/")
        assert response.status_code == 200
        tracks = response.json()
        assert [t["slug"] for t in tracks] == ["engineer", "advocate", "innovator"]
        assert [t["name"] for t in tracks] == ["Distinguished Engineer", "Distinguished Advocate",
                                               "Distinguished Innovator"]
        assert all(len(t["criteria"]) >= 4 and t["incentives"] for t in tracks)
        assert {"slug", "name", "description", "weight"} <= set(tracks[0]["criteria"][0])

    def test_track_detail_and_404(self, program, client_for):
        assert client_for().get(f"{BASE}/tracks/advocate/").json()["name"] == "Distinguished Advocate"
        response = client_for().get(f"{BASE}/tracks/astronaut/")
        assert response.status_code == 404
        assert "track" in response.json()

    def test_cycles_with_phase(self, cycle, client_for):
        cycles = client_for().get(f"{BASE}/cycles/").json()
        assert [(c["year"], c["phase"]) for c in cycles] == [(2026, "nominations")]
        assert client_for().get(f"{BASE}/cycles/2026/").json()["phase"] == "nominations"
        assert client_for().get(f"{BASE}/cycles/1999/").status_code == 404

    def test_organizations(self, organization, client_for):
        assert client_for().get(f"{BASE}/organizations/").json() == [
            {"slug": "acme", "name": "Acme Learning", "website": "https://partner.example.com"}]

    def test_schema_is_served(self, program, client_for):
        # Asked for by Accept header: the LMS ignores ?format= (its URL_FORMAT_OVERRIDE is None).
        response = client_for().get(f"{BASE}/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        schema = response.json()
        assert schema["info"]["title"] == "Distinguished Contributor program API"
        assert f"{BASE}/nominations/{{id}}/consent/" in schema["paths"]
        assert {"jwtAuth", "sessionAuth"} <= set(schema["components"]["securitySchemes"])


class TestCreate:
    """Starting a nomination, and what bad input does."""
    def test_anonymous_cannot_nominate(self, cycle, client_for):
        response = client_for().post(f"{BASE}/nominations/", body(), format="json")
        assert response.status_code == 401
        assert not Nomination.objects.exists()

    def test_create_draft(self, cycle, users, client_for):
        response = client_for(users["nominator"]).post(f"{BASE}/nominations/", body(), format="json")
        assert response.status_code == 201
        data = response.json()
        assert data["outcome"] == "nomination"
        assert data["endorsement"] is None
        assert data["nomination"]["status"] == "draft"
        assert data["nomination"]["kind"] == "peer"
        assert Nomination.objects.get().nominator == users["nominator"]

    def test_create_with_jwt(self, cycle, users, client_for):
        client = client_for()
        client.credentials(HTTP_AUTHORIZATION=f"JWT {generate_jwt(users['nominator'])}")
        response = client.post(f"{BASE}/nominations/", body(), format="json")
        assert response.status_code == 201, response.content
        assert Nomination.objects.get().nominator == users["nominator"]

    def test_create_that_becomes_an_endorsement(self, awaiting, users, client_for):
        response = client_for(users["learner"]).post(
            f"{BASE}/nominations/", body(justifications={"community-support": "Helpful."}), format="json")
        assert response.status_code == 201
        data = response.json()
        assert data["outcome"] == "endorsement"
        assert data["nomination"] is None
        assert data["endorsement"]["nomination"] == awaiting.id
        assert data["endorsement"]["justifications"] == {"community-support": "Helpful."}
        listed = client_for(users["learner"]).get(f"{BASE}/endorsements/").json()
        assert [e["nomination"] for e in listed["results"]] == [awaiting.id]

    @pytest.mark.parametrize("overrides, field", [
        ({"cycle": "twenty"}, "cycle"),
        ({"track": "no such track!"}, "track"),
        ({"track": "astronaut"}, "track"),
        ({"cycle": 1999}, "cycle"),
        ({"nominee_username": "ghost"}, "nominee_username"),
        ({"nominee_username": None}, "nominee_username"),
        ({"justifications": "text"}, "justifications"),
        ({"justifications": {"made-up": "x"}}, "justifications"),
        ({"evidence_links": ["not a url"]}, "evidence_links"),
        ({"evidence_links": "https://example.com"}, "evidence_links"),
    ])
    def test_bad_input_is_a_400_per_field_and_writes_nothing(self, cycle, users, client_for, overrides, field):
        before = snapshot()
        response = client_for(users["nominator"]).post(f"{BASE}/nominations/", body(**overrides), format="json")
        assert response.status_code == 400
        assert field in response.json(), response.json()
        assert snapshot() == before

    def test_missing_nominee_is_a_400(self, cycle, users, client_for):
        data = body()
        del data["nominee_username"]
        response = client_for(users["nominator"]).post(f"{BASE}/nominations/", data, format="json")
        assert response.status_code == 400
        assert "nominee" in response.json()
        assert not Nomination.objects.exists()

    def test_cap_is_a_400(self, cycle, users, client_for):
        client = client_for(users["nominator"])
        for index in range(3):
            UserFactory(username=f"peer{index}")
            assert client.post(f"{BASE}/nominations/", body(nominee_username=f"peer{index}"),
                               format="json").status_code == 201
        response = client.post(f"{BASE}/nominations/", body(), format="json")
        assert response.status_code == 400
        assert "limit" in response.json()["non_field_errors"][0]
        assert Nomination.objects.count() == 3


class TestRetrieve:
    """Who may read one nomination."""
    @pytest.mark.parametrize("role, status", [
        ("anonymous", 401), ("learner", 404), ("nominee", 404), ("nominator", 200), ("staff", 200),
    ])
    def test_draft_visibility(self, draft, as_role, role, status):
        assert as_role(role).get(f"{BASE}/nominations/{draft.id}/").status_code == status

    @pytest.mark.parametrize("role, status", [
        ("anonymous", 401), ("learner", 404), ("nominee", 200), ("nominator", 200), ("staff", 200),
    ])
    def test_submitted_visibility(self, awaiting, as_role, role, status):
        response = as_role(role).get(f"{BASE}/nominations/{awaiting.id}/")
        assert response.status_code == status
        if status == 200:
            assert response.json()["status"] == "awaiting_consent"

    def test_unknown_id_is_404(self, cycle, users, client_for):
        assert client_for(users["staff"]).get(f"{BASE}/nominations/424242/").status_code == 404


class TestList:
    """Listing nominations: visibility, filters, pagination, query counts."""
    @pytest.mark.parametrize("role, expected", [
        ("learner", 0), ("nominee", 1), ("nominator", 1), ("staff", 0),
    ])
    def test_each_role_lists_their_own(self, awaiting, as_role, role, expected):
        data = as_role(role).get(f"{BASE}/nominations/").json()
        assert data["count"] == expected
        assert [n["id"] for n in data["results"]] == [awaiting.id] * expected

    def test_anonymous_cannot_list(self, awaiting, client_for):
        assert client_for().get(f"{BASE}/nominations/").status_code == 401

    def test_scope_all_is_for_staff_only(self, awaiting, users, client_for):
        assert client_for(users["staff"]).get(f"{BASE}/nominations/?scope=all").json()["count"] == 1
        assert client_for(users["nominator"]).get(f"{BASE}/nominations/?scope=all").status_code == 403

    def test_filters_and_pagination(self, cycle, users, client_for):
        client = client_for(users["nominator"])
        for index in range(3):
            UserFactory(username=f"peer{index}")
            client.post(f"{BASE}/nominations/", body(nominee_username=f"peer{index}"), format="json")
        page = client.get(f"{BASE}/nominations/?limit=2").json()
        assert page["count"] == 3 and len(page["results"]) == 2 and page["next"] and page["previous"] is None
        second = client.get(page["next"]).json()
        assert len(second["results"]) == 1 and second["next"] is None
        assert client.get(f"{BASE}/nominations/?status=submitted").json()["count"] == 0
        assert client.get(f"{BASE}/nominations/?cycle=2026&status=draft").json()["count"] == 3

    @pytest.mark.parametrize("query, field", [
        ("limit=0", "limit"), ("limit=abc", "limit"), ("offset=-1", "offset"), ("limit=100000", "limit"),
        ("status=bogus", "status"), ("cycle=x", "cycle"), ("scope=everything", "scope"),
    ])
    def test_bad_query_parameters(self, awaiting, users, client_for, query, field):
        response = client_for(users["nominator"]).get(f"{BASE}/nominations/?{query}")
        assert response.status_code == 400
        assert field in response.json()

    def test_listing_queries_do_not_grow_with_rows(self, cycle, users, client_for, organization,
                                                   django_assert_max_num_queries):
        client = client_for(users["staff"])

        def fill(count, offset):
            for index in range(count):
                nominator = UserFactory(username=f"n{offset + index}")
                nominee = UserFactory(username=f"e{offset + index}")
                outcome = api.create_nomination(nominator=nominator, cycle_year=2026, track_slug="engineer",
                                                nominee_username=nominee.username,
                                                justifications=full_justifications())
                api.submit_nomination(nomination_id=outcome.nomination.id, actor=nominator)
                endorser = users["learner"] if index == 0 else UserFactory(username=f"d{offset + index}")
                api.create_nomination(nominator=endorser, cycle_year=2026, track_slug="engineer",
                                      nominee_username=nominee.username)

        fill(2, 0)
        with django_assert_max_num_queries(6) as small:
            assert client.get(f"{BASE}/nominations/?scope=all").json()["count"] == 2
        fill(30, 100)
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(f"{BASE}/nominations/?scope=all").json()["count"] == 32
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client_for(users["learner"]).get(f"{BASE}/endorsements/").json()["count"] == 2

    def test_track_listing_queries_are_constant(self, program, client_for, django_assert_max_num_queries):
        with django_assert_max_num_queries(3):
            client_for().get(f"{BASE}/tracks/")


class TestUpdate:
    """Who may edit a draft, and how."""
    @pytest.mark.parametrize("role, status", [
        ("anonymous", 401), ("learner", 404), ("nominee", 404), ("staff", 403), ("nominator", 200),
    ])
    def test_only_the_nominator_edits_a_draft(self, draft, as_role, role, status):
        response = as_role(role).patch(f"{BASE}/nominations/{draft.id}/",
                                       {"evidence_links": ["https://example.com/new"]}, format="json")
        assert response.status_code == status
        links = Nomination.objects.get(pk=draft.id).evidence_links
        assert (links == ["https://example.com/new"]) == (status == 200)

    def test_bad_update_changes_nothing(self, draft, users, client_for):
        before = snapshot()
        response = client_for(users["nominator"]).patch(
            f"{BASE}/nominations/{draft.id}/", {"evidence_links": ["mailto:x@example.com"]}, format="json")
        assert response.status_code == 400 and "evidence_links" in response.json()
        assert snapshot() == before

    def test_editing_after_submit_is_a_conflict(self, awaiting, users, client_for):
        response = client_for(users["nominator"]).patch(f"{BASE}/nominations/{awaiting.id}/",
                                                        {"evidence_links": []}, format="json")
        assert response.status_code == 409
        assert "status" in response.json()


class TestSubmit:
    """Who may submit a draft."""
    @pytest.mark.parametrize("role, status", [
        ("anonymous", 401), ("learner", 404), ("nominee", 404), ("staff", 403), ("nominator", 200),
    ])
    def test_only_the_nominator_submits(self, draft, as_role, role, status):
        response = as_role(role).post(f"{BASE}/nominations/{draft.id}/submit/")
        assert response.status_code == status
        expected = "awaiting_consent" if status == 200 else "draft"
        assert Nomination.objects.get(pk=draft.id).status == expected


class TestConsent:
    """The nominee's consent to a peer nomination."""
    @pytest.mark.parametrize("role, status", [
        ("anonymous", 401), ("learner", 404), ("nominator", 403), ("staff", 403), ("nominee", 200),
    ])
    def test_only_the_nominee_consents(self, awaiting, as_role, role, status):
        response = as_role(role).post(f"{BASE}/nominations/{awaiting.id}/consent/", {"decision": "accept"},
                                      format="json")
        assert response.status_code == status
        expected = "submitted" if status == 200 else "awaiting_consent"
        assert Nomination.objects.get(pk=awaiting.id).status == expected

    def test_organization_contact_consents_for_it(self, cycle, users, organization, client_for):
        outcome = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="advocate",
                                        nominee_organization_slug="acme",
                                        justifications=full_justifications("advocate"))
        api.submit_nomination(nomination_id=outcome.nomination.id, actor=users["nominator"])
        response = client_for(users["nominee"]).post(
            f"{BASE}/nominations/{outcome.nomination.id}/consent/", {"decision": "decline"}, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "consent_refused"

    def test_bad_decision_is_a_400(self, awaiting, users, client_for):
        response = client_for(users["nominee"]).post(f"{BASE}/nominations/{awaiting.id}/consent/",
                                                     {"decision": "perhaps"}, format="json")
        assert response.status_code == 400 and "decision" in response.json()
        assert Nomination.objects.get(pk=awaiting.id).status == "awaiting_consent"


class TestWithdraw:
    """Withdrawing a nomination."""
    @pytest.mark.parametrize("role, status", [
        ("anonymous", 401), ("learner", 404), ("nominee", 200), ("nominator", 200), ("staff", 200),
    ])
    def test_who_may_withdraw(self, awaiting, as_role, role, status):
        response = as_role(role).post(f"{BASE}/nominations/{awaiting.id}/withdraw/", {"reason": "r"},
                                      format="json")
        assert response.status_code == status
        expected = "withdrawn" if status == 200 else "awaiting_consent"
        assert Nomination.objects.get(pk=awaiting.id).status == expected

    def test_withdrawing_twice_is_a_conflict(self, awaiting, users, client_for):
        client = client_for(users["nominator"])
        assert client.post(f"{BASE}/nominations/{awaiting.id}/withdraw/").status_code == 200
        assert client.post(f"{BASE}/nominations/{awaiting.id}/withdraw/").status_code == 409
        assert NominationTransition.objects.filter(nomination_id=awaiting.id, to_status="withdrawn").count() == 1
