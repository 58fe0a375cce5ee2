"""
Views of the incentive delivery API: the deliverables a member is owed (every one for program
staff, filtered as the board filters them), staff updates, and members' answers to offers.
"""
from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from openedx_distinguished import access, api, parsing

from . import serializers as s
from .permissions import allowed, require_staff
from .schema import extend_schema
from .views import PAGINATION_PARAMETERS, AuthenticatedView, call_api, page_bounds, validated

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
        if not api.is_program_staff(request.user):
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
