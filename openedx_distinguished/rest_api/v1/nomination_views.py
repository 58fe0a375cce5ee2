"""
Views of nominations and endorsements in the v1 REST API: thin adapters that check the caller's
role and call ``api.py``.
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from openedx_distinguished import access, api
from openedx_distinguished.access import NominationAction
from openedx_distinguished.data import NominationStatus

from . import serializers as s
from .common import PAGINATION_PARAMETERS, AuthenticatedView, call_api, page_bounds, page_of, paginated, validated
from .permissions import allowed, require_nomination_role, require_staff
from .schema import extend_schema


def _outcome(outcome, created):
    """Answer a nomination outcome: which of a new nomination or an endorsement the request produced."""
    body = {
        "outcome": "nomination" if outcome.nomination else "endorsement",
        "nomination": outcome.nomination,
        "endorsement": outcome.endorsement,
    }
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Response(s.NominationOutcomeSerializer(body).data, status=code)


class NominationListView(AuthenticatedView):
    """
    The caller's nominations (made by them, or naming them once submitted); start a nomination.

    **Example requests**:

    * ``GET /api/distinguished/v1/nominations/?cycle=2026&status=submitted``; program staff may
      add ``scope=all`` to see every nomination.
    * ``POST /api/distinguished/v1/nominations/`` with ``{"cycle": 2026, "track": "engineer",
      "nominee_username": "ada", "justifications": {"significant-contributions": "..."},
      "evidence_links": ["https://github.com/..."]}``

    **Responses**: 200 (list); 201 with ``outcome`` "nomination" (a new draft) or "endorsement"
    (the nominee already had an active nomination); 400 with a message per field; 401.
    """

    @extend_schema(
        # Its own name: drf-spectacular would call it nominations_retrieve, like the detail's GET.
        operation_id="nominations_list",
        parameters=PAGINATION_PARAMETERS + [
            OpenApiParameter("cycle", OpenApiTypes.INT),
            OpenApiParameter("status", OpenApiTypes.STR, enum=[st.value for st in NominationStatus]),
            OpenApiParameter("scope", OpenApiTypes.STR, enum=["mine", "all"]),
        ],
        responses=page_of(s.NominationSerializer),
    )
    def get(self, request):
        """List the nominations the caller may see (``scope=all``: every nomination, for program staff)."""
        offset, limit = page_bounds(request)
        filters = validated(s.NominationFilterSerializer, request.query_params)
        if filters["scope"] == "all":
            require_staff(request)
        page = api.list_nominations(
            user=request.user, include_all=filters["scope"] == "all", cycle_year=filters.get("cycle"),
            status=filters.get("status"), offset=offset, limit=limit,
        )
        return paginated(request, page, s.NominationSerializer, offset, limit)

    @extend_schema(request=s.NominationCreateSerializer, responses={201: s.NominationOutcomeSerializer})
    def post(self, request):
        """Start a draft nomination, or endorse the nominee's existing one (``outcome`` tells which)."""
        body = validated(s.NominationCreateSerializer, request.data)
        outcome = call_api(
            api.create_nomination,
            nominator=request.user,
            cycle_year=body["cycle"],
            track_slug=body["track"],
            nominee_username=body.get("nominee_username"),
            nominee_organization_slug=body.get("nominee_organization"),
            justifications=body.get("justifications"),
            evidence_links=body.get("evidence_links"),
        )
        return _outcome(outcome, created=True)


class NominationDetailView(AuthenticatedView):
    """
    One nomination: read it (nominator, nominee, program staff), or edit the draft (nominator).

    **Example request**: ``PATCH /api/distinguished/v1/nominations/12/`` with
    ``{"evidence_links": ["https://..."]}``.

    **Responses**: 200; 400 per field; 403 (seen but not yours to edit); 404 (not visible to
    the caller); 409 (no longer a draft).
    """

    @extend_schema(responses=s.NominationSerializer)
    def get(self, request, pk):
        require_nomination_role(request, pk, NominationAction.VIEW)
        return Response(s.NominationSerializer(call_api(api.get_nomination, nomination_id=pk)).data)

    @extend_schema(request=s.NominationUpdateSerializer, responses=s.NominationSerializer)
    def patch(self, request, pk):
        """Replace the draft's justifications and/or evidence links (the nominator, while nominations are open)."""
        require_nomination_role(request, pk, NominationAction.EDIT)
        body = validated(s.NominationUpdateSerializer, request.data)
        nomination = call_api(api.update_draft, nomination_id=pk, justifications=body.get("justifications"),
                              evidence_links=body.get("evidence_links"))
        return Response(s.NominationSerializer(nomination).data)


class NominationSubmitView(AuthenticatedView):
    """
    Submit a draft (nominator only). ``POST /api/distinguished/v1/nominations/12/submit/``.

    **Responses**: 200 with ``outcome`` "nomination" (submitted, or awaiting the nominee's consent)
    or "endorsement" (someone else's nomination of the nominee came first); 400; 403; 404; 409.
    """

    @extend_schema(request=None, responses=s.NominationOutcomeSerializer)
    def post(self, request, pk):
        require_nomination_role(request, pk, NominationAction.SUBMIT)
        return _outcome(call_api(api.submit_nomination, nomination_id=pk, actor=request.user), created=False)


class NominationWithdrawView(AuthenticatedView):
    """
    Withdraw a nomination without a decision (nominator, nominee or program staff).

    ``POST /api/distinguished/v1/nominations/12/withdraw/`` with an optional ``{"reason": "..."}``.

    **Responses**: 200; 400; 404; 409 (already decided or withdrawn).
    """

    @extend_schema(request=s.ReasonSerializer, responses=s.NominationSerializer)
    def post(self, request, pk):
        """Withdraw the nomination, with an optional reason that is recorded in its history."""
        require_nomination_role(request, pk, NominationAction.WITHDRAW)
        body = validated(s.ReasonSerializer, request.data)
        nomination = call_api(api.withdraw_nomination, nomination_id=pk, actor=request.user, reason=body["reason"])
        return Response(s.NominationSerializer(nomination).data)


class NominationConsentView(AuthenticatedView):
    """
    The nominee accepts or declines a peer nomination of them (the nominee only).

    ``POST /api/distinguished/v1/nominations/12/consent/`` with ``{"decision": "accept"}``.

    **Responses**: 200; 400; 403 (not the nominee); 404; 409 (not awaiting consent).
    """

    @extend_schema(request=s.ConsentSerializer, responses=s.NominationSerializer)
    def post(self, request, pk):
        """Accept or decline being nominated; only the nominee (or a contact of the organization) may."""
        require_nomination_role(request, pk, NominationAction.CONSENT)
        body = validated(s.ConsentSerializer, request.data)
        nomination = call_api(api.respond_to_nomination, nomination_id=pk, actor=request.user,
                              decision=body["decision"], reason=body["reason"])
        return Response(s.NominationSerializer(nomination).data)


class EndorsementListView(AuthenticatedView):
    """
    The endorsements the caller made. ``GET /api/distinguished/v1/endorsements/``: 200.
    """

    @extend_schema(parameters=PAGINATION_PARAMETERS, responses=page_of(s.EndorsementSerializer))
    def get(self, request):
        offset, limit = page_bounds(request)
        page = api.list_endorsements(user=request.user, offset=offset, limit=limit)
        return paginated(request, page, s.EndorsementSerializer, offset, limit)


class EndorsementWithdrawView(AuthenticatedView):
    """
    Withdraw the caller's support of a nomination (the endorser, or program staff), until the
    review deadline. ``POST /api/distinguished/v1/endorsements/7/withdraw/``.

    **Responses**: 200; 400 (the review is over); 404 (not the caller's); 409 (already withdrawn).
    """

    @extend_schema(request=None, responses=s.EndorsementSerializer)
    def post(self, request, pk):
        """Withdraw the endorsement; the nominator, nominee and panel no longer see it."""
        allowed(access.check_endorser, user=request.user, endorsement_id=pk)
        endorsement = call_api(api.withdraw_endorsement, endorsement_id=pk, actor=request.user)
        return Response(s.EndorsementSerializer(endorsement).data)
