"""
Project funding (ADR 0020): a member owed a funding incentive requests support, staff approve an
amount or decline, payments settle it; the incentive follows, and the cycle's funding budget line
counts it. Through api.py, My membership and the admin, with bad input and for each role.
"""
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from openedx_distinguished import api
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import Deliverable, FundingPayment, FundingRequest

from .factories import UserFactory
from .membership_fixtures import add_term

pytestmark = pytest.mark.django_db

MEMBERSHIP = "/distinguished/membership/"
PROJECT = {"project": "Offline mobile grading", "description": "Sync ORA grading for offline campuses.\nTwo months.",
           "reasons": "Brings Open edX to low-connectivity regions.", "amount": "4000", "currency": "usd"}


@pytest.fixture
def innovator(cycle):
    """A Distinguished Innovator owed the track's incentives, funding among them."""
    person = UserFactory(username="ines", first_name="Ines")
    add_term(person, "innovator", cycle, "active")
    api.ensure_current_deliverables()
    return person


@pytest.fixture
def funding(innovator):
    """The innovator's funding incentive."""
    return Deliverable.objects.get(term__holder_user=innovator, incentive__kind="funding")


def ask(person, deliverable, **changes):
    return api.request_funding(deliverable_id=deliverable.pk, user=person, **{**PROJECT, **changes})


def state():
    return (sorted(FundingRequest.objects.values_list("pk", "status", "amount_approved", "decision_note")),
            sorted(FundingPayment.objects.values_list("pk", "amount")),
            sorted(Deliverable.objects.values_list("pk", "status", "cost", "currency")))


class TestTheLifecycle:
    """Requested, approved (in part), paid in two payments; the incentive and the budget follow."""

    def test_request_approve_pay(self, innovator, funding, users, cycle):
        asked = ask(innovator, funding)
        assert (asked.project, asked.amount_requested, asked.currency, asked.status) == (
            "Offline mobile grading", Decimal("4000.00"), "USD", "requested")
        assert Deliverable.objects.get(pk=funding.pk).status == "accepted"
        approved = api.decide_funding(request_id=asked.id, actor=users["staff"], approve=True, amount="3000",
                                      note="The sync part; the UI work is out of scope.")
        assert (approved.status, approved.amount_approved) == ("approved", Decimal("3000.00"))
        assert Deliverable.objects.get(pk=funding.pk).cost == Decimal("3000.00")
        api.start_cycle_budget(cycle_year=cycle.year)
        line = {ln.deliverable: ln for ln in api.budget_report(cycle_year=cycle.year).lines}["Project funding"]
        assert (line.estimated, line.actual) == (Decimal("10000"), Decimal("3000"))
        first = api.record_payment(request_id=asked.id, actor=users["staff"], amount="1000", paid_on="2026-09-01",
                                   reference="TX-1")
        assert (first.status, first.amount_paid) == ("approved", Decimal("1000.00"))
        with pytest.raises(ValidationError) as too_much:
            api.record_payment(request_id=asked.id, actor=users["staff"], amount="2500", paid_on="2026-10-01")
        assert "2000.00 USD is left to pay" in too_much.value.errors["amount"][0]
        done = api.record_payment(request_id=asked.id, actor=users["staff"], amount="2000", paid_on="2026-10-01")
        assert (done.status, done.amount_paid) == ("paid", Decimal("3000.00"))
        delivered = Deliverable.objects.get(pk=funding.pk)
        assert (delivered.status, delivered.cost) == ("delivered", Decimal("3000.00"))
        with pytest.raises(InvalidTransition):
            api.record_payment(request_id=asked.id, actor=users["staff"], amount="1", paid_on="2026-10-02")
        # Staff cannot set the cost of funded work by hand.
        with pytest.raises(ValidationError) as caught:
            api.update_deliverable(deliverable_id=funding.pk, actor=users["staff"], cost="1")
        assert "approved or paid" in caught.value.errors["cost"][0]

    def test_a_declined_request_cancels_the_incentive(self, innovator, funding, users):
        asked = ask(innovator, funding)
        declined = api.decide_funding(request_id=asked.id, actor=users["staff"], approve=False,
                                      note="Out of the program's scope this year.")
        assert declined.status == "declined"
        assert Deliverable.objects.get(pk=funding.pk).status == "cancelled"
        with pytest.raises(InvalidTransition):
            api.decide_funding(request_id=asked.id, actor=users["staff"], approve=True)
        with pytest.raises(InvalidTransition):
            api.record_payment(request_id=asked.id, actor=users["staff"], amount="10", paid_on="2026-10-01")

    def test_approving_without_an_amount_grants_the_request_and_never_more(self, innovator, funding, users):
        asked = ask(innovator, funding)
        before = state()
        with pytest.raises(ValidationError) as caught:
            api.decide_funding(request_id=asked.id, actor=users["staff"], approve=True, amount="4000.01")
        assert "at most the 4000.00 USD requested" in caught.value.errors["amount"][0]
        assert state() == before
        assert api.decide_funding(request_id=asked.id, actor=users["staff"], approve=True).amount_approved == 4000


class TestBadInputAndRoles:
    """Every refused field at once, nothing written; only the member asks, once, while it is open."""

    def test_every_bad_field_is_refused_together(self, innovator, funding):
        before = state()
        with pytest.raises(ValidationError) as caught:
            ask(innovator, funding, project="", description="x" * 5001, reasons="  ", amount="-1", currency="dollars")
        assert set(caught.value.errors) == {"project", "description", "reasons", "amount", "currency"}
        with pytest.raises(ValidationError) as zero:
            ask(innovator, funding, amount="0")
        assert set(zero.value.errors) == {"amount"}
        assert state() == before

    @pytest.mark.parametrize("who", ["anonymous", "learner", "other member", "staff"])
    def test_only_the_member_asks(self, innovator, funding, users, cycle, who):
        other = UserFactory(username="other")
        add_term(other, "innovator", cycle, "active")
        person = {"anonymous": AnonymousUser(), "learner": users["learner"], "other member": other,
                  "staff": users["staff"]}[who]
        before = state()
        with pytest.raises(NotFound):
            ask(person, funding)
        assert state() == before

    def test_once_and_only_on_a_funding_incentive_still_open(self, innovator, funding, users):
        ask(innovator, funding)
        with pytest.raises(InvalidTransition):
            ask(innovator, funding)
        recognition = Deliverable.objects.filter(term__holder_user=innovator).exclude(incentive__kind="funding")[0]
        with pytest.raises(ValidationError) as caught:
            ask(innovator, recognition)
        assert "funding incentive only" in caught.value.errors["deliverable"][0]

    def test_not_after_cancellation_or_the_end_of_the_term(self, innovator, funding, users):
        api.update_deliverable(deliverable_id=funding.pk, actor=users["staff"], status="cancelled")
        with pytest.raises(InvalidTransition):
            ask(innovator, funding)
        api.update_deliverable(deliverable_id=funding.pk, actor=users["staff"], status="planned")
        api.revoke_term(term_id=funding.term_id, actor=users["staff"], reason="Code of conduct breach.")
        with pytest.raises(InvalidTransition):
            ask(innovator, funding)

    def test_payment_fields_are_checked_together(self, innovator, funding, users):
        asked = ask(innovator, funding)
        api.decide_funding(request_id=asked.id, actor=users["staff"], approve=True)
        before = state()
        with pytest.raises(ValidationError) as caught:
            api.record_payment(request_id=asked.id, actor=users["staff"], amount="abc", paid_on="tomorrow",
                               reference="\u202eevil")
        assert set(caught.value.errors) == {"amount", "paid_on", "reference"}
        assert state() == before

    def test_retirement_empties_the_members_words(self, innovator, funding, users):
        asked = ask(innovator, funding)
        api.decide_funding(request_id=asked.id, actor=users["staff"], approve=False, note="Ines: not this year.")
        api.retire_user(user_id=innovator.pk)
        row = FundingRequest.objects.get(pk=asked.id)
        assert (row.project, row.description, row.reasons, row.decision_note) == ("", "", "", "")
        assert row.amount_requested == Decimal("4000.00")  # the figures stay for the budget


def visible(response):
    html = unescape(response.content.decode())
    main = html[html.index('<main id="main"'):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


class TestThePages:
    """The request on My membership, the decision and payments in the admin."""

    def test_the_member_requests_from_my_membership(self, client, innovator, funding):
        client.force_login(innovator)
        assert "Request funding for a project" in visible(client.get(MEMBERSHIP))
        refused = client.post(MEMBERSHIP, {"form": "funding", "deliverable": funding.pk, **PROJECT, "amount": "lots"})
        html = unescape(refused.content.decode())
        assert refused.status_code == 400
        assert f'id="amount-{funding.pk}-error">Give an amount above zero' in html
        assert 'value="Offline mobile grading"' in html  # what was typed stays
        assert f'href="#amount-{funding.pk}"' in html  # the summary leads to the field
        assert not FundingRequest.objects.exists()
        sent = client.post(MEMBERSHIP, {"form": "funding", "deliverable": funding.pk, **PROJECT})
        assert sent.status_code == 302 and sent["Location"] == MEMBERSHIP + "#awards"
        text = visible(client.get(MEMBERSHIP))
        assert "Your request: Offline mobile grading" in text
        assert "4,000.00 USD requested — waiting for the program staff's decision" in text
        assert "Request funding for a project" not in text

    def test_someone_else_cannot_post_the_members_request(self, client, users, funding):
        client.force_login(users["learner"])
        response = client.post(MEMBERSHIP, {"form": "funding", "deliverable": funding.pk, **PROJECT})
        assert response.status_code == 404 and not FundingRequest.objects.exists()

    def test_staff_decide_and_record_payments_in_the_admin(self, client, innovator, funding, users):
        asked = ask(innovator, funding)

        def post(url, data):
            """The change form as the browser posts it, with its payments inline's management form."""
            count = str(FundingPayment.objects.filter(funding_request_id=asked.id).count())
            return client.post(url, {**data, "payments-TOTAL_FORMS": count, "payments-INITIAL_FORMS": count,
                                     **{f"payments-{n}-id": pk for n, pk in enumerate(
                                         FundingPayment.objects.filter(funding_request_id=asked.id)
                                         .values_list("pk", flat=True))},
                                     **{f"payments-{n}-funding_request": asked.id for n in range(int(count))}})

        admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
        client.force_login(admin)
        url = reverse("admin:openedx_distinguished_fundingrequest_change", args=[asked.id])
        assert client.get(reverse("admin:openedx_distinguished_fundingrequest_changelist")).status_code == 200
        assert client.get(url).status_code == 200
        too_much = post(url, {"decision": "approve", "amount": "9000", "note": ""})
        assert too_much.status_code == 200
        assert "at most the 4000.00 USD" in too_much.context["adminform"].form.errors["amount"][0]
        no_reason = post(url, {"decision": "decline", "note": ""})
        assert no_reason.context["adminform"].form.errors["note"] == ["Say why, for the member."]
        early = post(url, {"payment_amount": "10", "payment_on": "2026-10-01"})
        assert "approved requests only" in early.context["adminform"].form.errors["payment_amount"][0]
        assert FundingRequest.objects.get().status == "requested"
        approved = post(url, {"decision": "approve", "amount": "2500", "note": "Go ahead."})
        assert approved.status_code == 302, approved.context["adminform"].form.errors
        paid = post(url, {"payment_amount": "2500", "payment_on": "2026-10-01", "payment_reference": "TX-9"})
        assert paid.status_code == 302
        row = FundingRequest.objects.get()
        assert (row.status, row.amount_approved, row.decided_by) == ("paid", Decimal("2500.00"), admin)
        assert list(row.payments.values_list("amount", "reference")) == [(Decimal("2500.00"), "TX-9")]
        # On the board, the cost of funded work is the request's, not typed by hand.
        board = reverse("admin:openedx_distinguished_deliverable_change", args=[funding.pk])
        typed = client.post(board, {"owner": "", "due_on": "", "cost": "99", "currency": "USD", "notes": ""})
        assert "approved or paid" in typed.context["adminform"].form.errors["cost"][0]
        assert client.post(board, {"owner": "", "due_on": "", "cost": "2500.00", "currency": "USD",
                                   "notes": "Paid in October."}).status_code == 302
        assert Deliverable.objects.get(pk=funding.pk).cost == Decimal("2500.00")
        client.force_login(innovator)
        text = visible(client.get(MEMBERSHIP))
        assert "Approved: 2,500.00 USD; paid so far: 2,500.00 USD." in text
        assert "From the program staff: Go ahead." in text

    @pytest.mark.parametrize("who", ["learner", "innovator"])
    def test_people_who_are_not_staff_are_kept_out_of_the_admin(self, client, users, innovator, funding, who):
        asked = ask(innovator, funding)
        client.force_login(users["learner"] if who == "learner" else innovator)
        response = client.post(reverse("admin:openedx_distinguished_fundingrequest_change", args=[asked.id]),
                               {"decision": "approve"})
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert FundingRequest.objects.get().status == "requested"
