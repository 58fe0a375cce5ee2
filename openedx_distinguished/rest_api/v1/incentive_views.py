"""
Views of the incentive delivery API: the deliverables a member is owed (every one for program
staff, filtered as the board filters them), staff updates, and members' answers to offers; funding
requests (the member asks, staff decide and record payments); invitations (staff send, invitees
list and answer).
"""
from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from openedx_distinguished import access, api, parsing

from . import serializers as s
from .common import PAGINATION_PARAMETERS, AuthenticatedView, call_api, page_bounds, validated
from .permissions import allowed, require_staff
from .schema import extend_schema

FILTERS = [
    OpenApiParameter("cycle", OpenApiTypes.INT, description="Staff: the year of the cycle that started the term."),
    OpenApiParameter("track", OpenApiTypes.STR, description="Staff: a track's slug."),
    OpenApiParameter("kind", OpenApiTypes.STR, description="Staff: recognition, badge, opportunity, access, funding."),
    OpenApiParameter("status", OpenApiTypes.STR, description="Staff: planned, offered, accepted, declined, "
                                                             "delivered, cancelled."),
    OpenApiParameter("owner", OpenApiTypes.STR, description="Staff: the owner's username."),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Staff: only those past due and not settled."),
]


def _year(request):
    """The ``cycle`` filter, a year (read as every year of the API is); anything else is a 400."""
    raw = request.query_params.get("cycle")
    if raw in (None, ""):
        return None
    return call_api(parsing.year, value=raw, field="cycle")


class DeliverableListView(AuthenticatedView):
    """
    The incentives owed to the caller's current terms (and their organizations'), or every one for
    program staff, with the board's filters. ``GET /api/distinguished/v1/deliverables/``: 200; 400
    (an unknown filter value).
    """

    @extend_schema(parameters=PAGINATION_PARAMETERS + FILTERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        """List deliverables."""
        if not api.is_program_staff(user=request.user):
            mine = api.list_deliverables(holder=request.user)
            return Response({"count": len(mine), "results": s.DeliverableSerializer(mine, many=True).data})
        offset, limit = page_bounds(request)
        query = request.query_params
        page = call_api(api.list_all_deliverables, cycle_year=_year(request), track=query.get("track"),
                        kind=query.get("kind"), status=query.get("status"), owner=query.get("owner"),
                        overdue=query.get("overdue") in ("1", "true", "yes"), offset=offset, limit=limit)
        return Response({"count": page.total, "results": s.DeliverableSerializer(page.items, many=True).data})


class DeliverableDetailView(AuthenticatedView):
    """
    Move a deliverable along its kind's flow and record its owner, due date, cost and notes
    (program staff). ``PATCH /api/distinguished/v1/deliverables/7/`` with ``{"status": "offered",
    "owner": "staff", "due_on": "2027-05-01"}``: 200; 400; 403; 404; 409 (a move its flow does not allow).
    """

    @extend_schema(request=s.DeliverableUpdateSerializer, responses=s.DeliverableSerializer)
    def patch(self, request, pk):
        """Update the deliverable."""
        require_staff(request)
        body = dict(validated(s.DeliverableUpdateSerializer, request.data))
        if "owner" in body:
            username = body["owner"]
            body["owner"] = None if username in (None, "") else get_user_model().objects.filter(
                username=username).first()
            if username and body["owner"] is None:
                raise ValidationError({"owner": ["No such user."]})
        else:
            body["owner"] = ...
        return Response(s.DeliverableSerializer(call_api(api.update_deliverable, deliverable_id=pk,
                                                         actor=request.user, **body)).data)


class DeliverableAnswerView(AuthenticatedView):
    """
    Accept or decline an offer (the member, or the member organization's contacts).
    ``POST /api/distinguished/v1/deliverables/7/answer/`` with ``{"answer": "accept"}``: 200; 400;
    404 (not yours); 409 (not an open offer).
    """

    @extend_schema(request=s.OfferAnswerSerializer, responses=s.DeliverableSerializer)
    def post(self, request, pk):
        """Answer the offer."""
        allowed(access.check_deliverable_holder, user=request.user, deliverable_id=pk)
        body = validated(s.OfferAnswerSerializer, request.data)
        return Response(s.DeliverableSerializer(call_api(
            api.answer_offer, deliverable_id=pk, user=request.user, accept=body["answer"] == "accept")).data)


class FundingRequestView(AuthenticatedView):
    """
    Ask for support of a project on a funding incentive (its member, or the member organization's
    contacts). ``POST /api/distinguished/v1/deliverables/7/funding/`` with ``{"project": "...",
    "description": "...", "reasons": "...", "amount": "1500", "currency": "USD"}``: 201; 400 (each
    field's message); 404 (not yours); 409 (not a funding incentive, or already asked).
    """

    @extend_schema(request=s.FundingRequestInputSerializer, responses={201: s.FundingRequestSerializer})
    def post(self, request, pk):
        """Request funding."""
        allowed(access.check_deliverable_holder, user=request.user, deliverable_id=pk)
        body = validated(s.FundingRequestInputSerializer, request.data)
        asked = call_api(api.request_funding, deliverable_id=pk, user=request.user, **body)
        return Response(s.FundingRequestSerializer(asked).data, status=status.HTTP_201_CREATED)


class FundingDecisionView(AuthenticatedView):
    """
    Approve all or part of a funding request, or decline it, with a note for the member (program
    staff). ``POST /api/distinguished/v1/funding-requests/3/decision/`` with ``{"approve": true,
    "amount": "1000", "note": "..."}``: 200; 400; 403; 404; 409 (decided already).
    """

    @extend_schema(request=s.FundingDecisionSerializer, responses=s.FundingRequestSerializer)
    def post(self, request, pk):
        """Decide the request."""
        require_staff(request)
        body = validated(s.FundingDecisionSerializer, request.data)
        return Response(s.FundingRequestSerializer(call_api(
            api.decide_funding, request_id=pk, actor=request.user, approve=body["approve"],
            amount=body["amount"], note=body["note"])).data)


class FundingPaymentView(AuthenticatedView):
    """
    Record a payment on an approved request (program staff); once the approved amount is paid the
    incentive is delivered. ``POST /api/distinguished/v1/funding-requests/3/payments/`` with
    ``{"amount": "500", "paid_on": "2027-02-01", "reference": "TR-1"}``: 201; 400 (more than is
    left, a bad date); 403; 404; 409 (not approved).
    """

    @extend_schema(request=s.FundingPaymentSerializer, responses={201: s.FundingRequestSerializer})
    def post(self, request, pk):
        """Record a payment."""
        require_staff(request)
        body = validated(s.FundingPaymentSerializer, request.data)
        paid = call_api(api.record_payment, request_id=pk, actor=request.user, **body)
        return Response(s.FundingRequestSerializer(paid).data, status=status.HTTP_201_CREATED)


class InvitationListView(AuthenticatedView):
    """
    The caller's invitations (their current terms' and their organizations'), soonest first, with
    their answers. ``GET /api/distinguished/v1/invitations/``: 200.
    """

    @extend_schema(responses=inline_serializer(name="InvitationList", fields={
        "count": serializers.IntegerField(), "results": s.InvitationSerializer(many=True)}))
    def get(self, request):
        """List my invitations."""
        mine = api.list_invitations(holder=request.user)
        return Response({"count": len(mine), "results": s.InvitationSerializer(mine, many=True).data})


class InvitationSendView(AuthenticatedView):
    """
    Send an invitation to every eligible member of its track, by e-mail and on My membership
    (program staff); sending again invites only the newly eligible.
    ``POST /api/distinguished/v1/invitations/4/send/``: 200 ``{"invited": 12}``; 403; 404; 409 (started).
    """

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        """Send the invitation."""
        require_staff(request)
        return Response({"invited": call_api(api.send_invitation, invitation_id=pk)})


class InvitationAnswerView(AuthenticatedView):
    """
    Say whether one attends (the invited member, or the member organization's contacts), and change
    it until the event starts. ``POST /api/distinguished/v1/invitations/replies/9/`` with
    ``{"answer": "yes"}``: 200; 400; 404 (not yours); 409 (it has started).
    """

    @extend_schema(request=s.InvitationAnswerSerializer, responses=s.InvitationSerializer)
    def post(self, request, pk):
        """Answer the invitation."""
        allowed(access.check_invitation_reply, user=request.user, reply_id=pk)
        body = validated(s.InvitationAnswerSerializer, request.data)
        return Response(s.InvitationSerializer(call_api(
            api.answer_invitation, reply_id=pk, user=request.user, attend=body["answer"] == "yes")).data)
