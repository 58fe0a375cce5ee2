"""
The REST API of funding and invitations (issue 19): a member requests funding, staff decide and
record payments; staff send an invitation, invitees list and answer it. Each endpoint for every
role that could misuse it, with bad bodies (400 with a message per field, nothing changed).
"""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import Deliverable, FundingPayment, FundingRequest, Incentive, InvitationReply

from .factories import UserFactory
from .membership_fixtures import add_term

pytestmark = pytest.mark.django_db

V1 = "/api/distinguished/v1/"
PROJECT = {"project": "Offline mobile grading", "description": "Sync ORA grading offline.",
           "reasons": "Low-connectivity regions.", "amount": "4000", "currency": "USD"}


@pytest.fixture
def people(cycle, users):
    """An innovator (owed funding), two engineers (one of them is invited), and the usual roles."""
    found = {name: UserFactory(username=name) for name in ("ines", "ada", "bob")}
    add_term(found["ines"], "innovator", cycle, "active")
    add_term(found["ada"], "engineer", cycle, "active")
    add_term(found["bob"], "engineer", cycle, "active")
    api.ensure_current_deliverables()
    return {**users, **found}


@pytest.fixture
def funding(people):
    return Deliverable.objects.get(term__holder_user=people["ines"], incentive__kind="funding")


def state():
    return (sorted(FundingRequest.objects.values_list("pk", "status", "amount_approved")),
            sorted(FundingPayment.objects.values_list("pk", "amount")),
            sorted(InvitationReply.objects.values_list("pk", "answer")))


class TestFunding:
    """Asked by the member, decided and paid by staff; nobody else."""

    def test_the_whole_flow(self, client_for, people, funding):
        asked = client_for(people["ines"]).post(f"{V1}deliverables/{funding.pk}/funding/", PROJECT, format="json")
        assert asked.status_code == 201, asked.json()
        body = asked.json()
        assert (body["status"], body["amount_requested"], body["deliverable"]) == ("requested", "4000.00", funding.pk)
        staff = client_for(people["staff"])
        decided = staff.post(f"{V1}funding-requests/{body['id']}/decision/",
                             {"approve": True, "amount": "3000", "note": "The sync part."}, format="json")
        assert decided.status_code == 200 and decided.json()["amount_approved"] == "3000.00"
        again = staff.post(f"{V1}funding-requests/{body['id']}/decision/", {"approve": False}, format="json")
        assert again.status_code == 409
        paid = staff.post(f"{V1}funding-requests/{body['id']}/payments/",
                          {"amount": "3000", "paid_on": "2026-10-01", "reference": "TX-1"}, format="json")
        assert paid.status_code == 201 and paid.json()["status"] == "paid"
        assert Deliverable.objects.get(pk=funding.pk).status == "delivered"
        assert Deliverable.objects.get(pk=funding.pk).cost == Decimal("3000.00")

    @pytest.mark.parametrize("who, status", [("anonymous", 401), ("learner", 404), ("ada", 404), ("staff", 404)])
    def test_only_the_member_asks(self, client_for, people, funding, who, status):
        caller = None if who == "anonymous" else people[who]
        before = state()
        response = client_for(caller).post(f"{V1}deliverables/{funding.pk}/funding/", PROJECT, format="json")
        assert response.status_code == status
        assert state() == before

    def test_a_bad_request_says_what_is_wrong_and_changes_nothing(self, client_for, people, funding):
        before = state()
        response = client_for(people["ines"]).post(f"{V1}deliverables/{funding.pk}/funding/",
                                                   {**PROJECT, "amount": "-5", "project": ""}, format="json")
        assert response.status_code == 400 and {"amount", "project"} <= set(response.json())
        missing = client_for(people["ines"]).post(f"{V1}deliverables/{funding.pk}/funding/", {}, format="json")
        assert missing.status_code == 400 and "project" in missing.json()
        assert state() == before

    def test_not_a_funding_incentive_is_refused(self, client_for, people, funding):
        other = Deliverable.objects.filter(term__holder_user=people["ines"]).exclude(incentive__kind="funding").first()
        response = client_for(people["ines"]).post(f"{V1}deliverables/{other.pk}/funding/", PROJECT, format="json")
        assert response.status_code == 400 and set(response.json()) == {"deliverable"}
        api.request_funding(deliverable_id=funding.pk, user=people["ines"], **PROJECT)
        twice = client_for(people["ines"]).post(f"{V1}deliverables/{funding.pk}/funding/", PROJECT, format="json")
        assert twice.status_code == 409 and FundingRequest.objects.count() == 1

    @pytest.mark.parametrize("who, status", [("anonymous", 401), ("learner", 403), ("ines", 403)])
    def test_only_staff_decide_and_pay(self, client_for, people, funding, who, status):
        asked = api.request_funding(deliverable_id=funding.pk, user=people["ines"], **PROJECT)
        caller = client_for(None if who == "anonymous" else people[who])
        before = state()
        assert caller.post(f"{V1}funding-requests/{asked.id}/decision/", {"approve": True},
                           format="json").status_code == status
        api.decide_funding(request_id=asked.id, actor=people["staff"], approve=True)
        before = state()
        assert caller.post(f"{V1}funding-requests/{asked.id}/payments/", {"amount": "1", "paid_on": "2026-10-01"},
                           format="json").status_code == status
        assert state() == before

    def test_staff_bad_bodies(self, client_for, people, funding):
        asked = api.request_funding(deliverable_id=funding.pk, user=people["ines"], **PROJECT)
        staff = client_for(people["staff"])
        assert staff.post(f"{V1}funding-requests/{asked.id}/decision/", {"approve": "maybe"},
                          format="json").status_code == 400
        assert staff.post(f"{V1}funding-requests/{asked.id}/decision/", {"approve": True, "amount": "5000"},
                          format="json").json().keys() == {"amount"}
        assert staff.post(f"{V1}funding-requests/{asked.id}/payments/", {"amount": "1", "paid_on": "2026-10-01"},
                          format="json").status_code == 409  # not approved yet
        api.decide_funding(request_id=asked.id, actor=people["staff"], approve=True, amount="100")
        before = state()
        refused = staff.post(f"{V1}funding-requests/{asked.id}/payments/", {"amount": "101", "paid_on": "someday"},
                             format="json")
        assert refused.status_code == 400 and {"amount", "paid_on"} <= set(refused.json())
        assert staff.post(f"{V1}funding-requests/999999/decision/", {"approve": True},
                          format="json").status_code == 404
        assert state() == before


class TestInvitations:
    """Staff send; invitees list and answer theirs; nobody answers for someone else."""

    @pytest.fixture
    def invitation(self, people):
        return api.create_invitation(
            incentive_id=Incentive.objects.get(slug="architecture-discussions").pk, title="Architecture summit",
            starts_at=timezone.now() + timedelta(days=7), ends_at=timezone.now() + timedelta(days=7, hours=2))

    @pytest.mark.parametrize("who, status", [("anonymous", 401), ("learner", 403), ("ada", 403)])
    def test_only_staff_send(self, client_for, people, invitation, who, status):
        caller = client_for(None if who == "anonymous" else people[who])
        assert caller.post(f"{V1}invitations/{invitation.pk}/send/").status_code == status
        assert not InvitationReply.objects.exists()

    def test_send_list_and_answer(self, client_for, people, invitation):
        sent = client_for(people["staff"]).post(f"{V1}invitations/{invitation.pk}/send/")
        assert sent.status_code == 200 and sent.json() == {"invited": 2}
        ada = client_for(people["ada"])
        listed = ada.get(f"{V1}invitations/").json()
        assert listed["count"] == 1
        (mine,) = listed["results"]
        assert (mine["title"], mine["answer"], mine["is_open"]) == ("Architecture summit", "waiting", True)
        answered = ada.post(f"{V1}invitations/replies/{mine['reply']}/", {"answer": "yes"}, format="json")
        assert answered.status_code == 200 and answered.json()["answer"] == "yes"
        assert client_for(people["ines"]).get(f"{V1}invitations/").json() == {"count": 0, "results": []}

    @pytest.mark.parametrize("who, status", [("anonymous", 401), ("learner", 404), ("bob", 404), ("ines", 404)])
    def test_nobody_answers_for_someone_else(self, client_for, people, invitation, who, status):
        api.send_invitation(invitation_id=invitation.pk)
        reply = InvitationReply.objects.get(term__holder_user=people["ada"])
        before = state()
        caller = client_for(None if who == "anonymous" else people[who])
        assert caller.post(f"{V1}invitations/replies/{reply.pk}/", {"answer": "no"},
                           format="json").status_code == status
        assert state() == before

    def test_bad_answers_and_late_answers(self, client_for, people, invitation):
        api.send_invitation(invitation_id=invitation.pk)
        reply = InvitationReply.objects.get(term__holder_user=people["ada"])
        ada = client_for(people["ada"])
        assert ada.post(f"{V1}invitations/replies/{reply.pk}/", {"answer": "maybe"},
                        format="json").json().keys() == {"answer"}
        invitation.starts_at = timezone.now() - timedelta(minutes=1)
        invitation.save()
        assert ada.post(f"{V1}invitations/replies/{reply.pk}/", {"answer": "yes"}, format="json").status_code == 409
        assert client_for(people["staff"]).post(f"{V1}invitations/{invitation.pk}/send/").status_code == 409
        assert InvitationReply.objects.get(pk=reply.pk).answer == "waiting"

    def test_listing_queries_do_not_grow(self, client_for, people, cycle, django_assert_max_num_queries):
        ada = client_for(people["ada"])
        incentive = Incentive.objects.get(slug="architecture-discussions")
        start = timezone.now() + timedelta(days=7)

        def invite(count):
            for number in range(count):
                made = api.create_invitation(incentive_id=incentive.pk, title=f"Session {number}",
                                             starts_at=start, ends_at=start + timedelta(hours=1))
                api.send_invitation(invitation_id=made.pk)

        invite(1)
        with django_assert_max_num_queries(6) as few:
            assert ada.get(f"{V1}invitations/").json()["count"] == 1
        invite(20)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert ada.get(f"{V1}invitations/").json()["count"] == 21
