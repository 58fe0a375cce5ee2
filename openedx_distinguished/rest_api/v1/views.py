"""
Views of the v1 REST API: thin adapters that check the caller's role and call ``api.py``.
"""
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.auth.session.authentication import SessionAuthenticationAllowInactiveUser
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, ParseError
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from openedx_distinguished import access, api
from openedx_distinguished.access import NominationAction
from openedx_distinguished.conf import get_setting
from openedx_distinguished.data import NominationStatus
from openedx_distinguished.exceptions import InvalidTransition
from openedx_distinguished.exceptions import NotFound as DomainNotFound
from openedx_distinguished.exceptions import ValidationError as DomainValidationError

from . import serializers as s
from .permissions import allowed, require_nomination_role, require_staff
from .schema import extend_schema


class Conflict(APIException):
    """The object's current state does not allow the request (HTTP 409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the object's current state."
    default_code = "conflict"


def call_api(function, **kwargs):
    """
    Call an ``api`` function and turn its errors into DRF errors (400, 404 or 409, each per field).
    """
    try:
        return function(**kwargs)
    except DomainNotFound as exc:
        raise NotFound(exc.errors) from exc
    except InvalidTransition as exc:
        raise Conflict(exc.errors) from exc
    except DomainValidationError as exc:
        raise DRFValidationError(exc.errors) from exc


def validated(serializer_class, data):
    """
    Validate a request body with ``serializer_class``; a bad body is a 400 with a message per field.
    """
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


MAX_OFFSET = 1_000_000_000

# What the MFE widgets read (the profile's badges, the dashboard's card): one request per page view,
# kept a minute by the reader's browser only (the answer depends on who asks).
WIDGET_CACHE_CONTROL = "private, max-age=60"


def page_bounds(request):
    """Read ``limit`` and ``offset`` from the query string; out-of-range values are a 400 per parameter."""
    default = get_setting("DISTINGUISHED_API_PAGE_SIZE")
    errors = {}
    bounds = {}
    # Offsets are bounded too: no listing is that long, and the database cannot take a larger number.
    for name, fallback, least, most in (("limit", default, 1, default * 4), ("offset", 0, 0, MAX_OFFSET)):
        raw = request.query_params.get(name)
        if raw is None:
            bounds[name] = fallback
            continue
        try:
            value = int(raw)
        except ValueError:
            errors[name] = ["Give a whole number."]
            continue
        if not least <= value <= most:
            errors[name] = [f"Out of range ({least} to {most})."]
            continue
        bounds[name] = value
    if errors:
        raise DRFValidationError(errors)
    return bounds["offset"], bounds["limit"]


def paginated(request, page, serializer_class, offset, limit):
    """
    The listing envelope every v1 list uses: count, next, previous, results.
    """
    def link(new_offset):
        query = request.query_params.copy()
        query["offset"] = new_offset
        query["limit"] = limit
        return request.build_absolute_uri(f"{request.path}?{urlencode(query, doseq=True)}")

    return Response({
        "count": page.total,
        "next": link(offset + limit) if offset + limit < page.total else None,
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
        "results": serializer_class(page.items, many=True).data,
    })


PAGINATION_PARAMETERS = [
    OpenApiParameter("limit", OpenApiTypes.INT, description="Rows per page."),
    OpenApiParameter("offset", OpenApiTypes.INT, description="Rows to skip."),
]


def page_of(serializer_class):
    """The schema of one page of a listing: the envelope ``paginated`` answers, around ``serializer_class``."""
    return inline_serializer(
        name=f"Paginated{serializer_class.__name__.removesuffix('Serializer')}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


@csrf_exempt  # it changes nothing, and an unsafe method must get the 404 too, not the CSRF page
def not_found(request):
    """
    Answer a path under the API that no endpoint serves: the API's JSON 404 (``{"detail": ...}``).

    Like Django's ``APPEND_SLASH``, a path that only lacks its final slash is redirected to the
    endpoint (the catch-all route would otherwise hide it from ``CommonMiddleware``).
    """
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(f"{request.path_info}/", getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return JsonResponse({"detail": "Not found."}, status=404)


class PayloadTooLarge(APIException):
    """The request body is larger than the site accepts (HTTP 413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class JsonErrorsMixin:
    """Every error of the API is its JSON error, including those Django raises below DRF."""

    def handle_exception(self, exc):
        """Turn Django's request-parsing errors into the API's 400 or 413."""
        # The session authentication reads the CSRF token from a form body with Django's own
        # parser, outside DRF's: a malformed or oversized form would get Django's HTML error page.
        if isinstance(exc, RequestDataTooBig):
            exc = PayloadTooLarge()
        elif isinstance(exc, (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent)):
            exc = ParseError(f"Form parse error: {exc}")
        return super().handle_exception(exc)


class AuthenticatedView(JsonErrorsMixin, APIView):
    """Base of the views that need a signed-in caller (JWT or the LMS session)."""

    authentication_classes = (JwtAuthentication, SessionAuthenticationAllowInactiveUser)
    permission_classes = (IsAuthenticated,)
    schema = AutoSchema()


class PublicView(JsonErrorsMixin, APIView):
    """Base of the views anyone may read."""

    authentication_classes = (JwtAuthentication, SessionAuthenticationAllowInactiveUser)
    permission_classes = (AllowAny,)
    schema = AutoSchema()


def _outcome(outcome, created):
    """Answer a nomination outcome: which of a new nomination or an endorsement the request produced."""
    body = {
        "outcome": "nomination" if outcome.nomination else "endorsement",
        "nomination": outcome.nomination,
        "endorsement": outcome.endorsement,
    }
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Response(s.NominationOutcomeSerializer(body).data, status=code)


class TrackListView(PublicView):
    """
    The program's tracks with their criteria and incentives.

    **Example request**: ``GET /api/distinguished/v1/tracks/``

    **Responses**: 200 with a list of tracks.
    """

    @extend_schema(responses=s.TrackSerializer(many=True))
    def get(self, request):
        return Response(s.TrackSerializer(api.list_tracks(), many=True).data)


class TrackDetailView(PublicView):
    """
    One track. ``GET /api/distinguished/v1/tracks/engineer/``: 200, or 404 if there is no such track.
    """

    @extend_schema(responses=s.TrackSerializer)
    def get(self, request, slug):
        return Response(s.TrackSerializer(call_api(api.get_track_data, slug=slug)).data)


class CycleListView(PublicView):
    """
    The yearly cycles, newest first, with the phase each is in now.

    **Example request**: ``GET /api/distinguished/v1/cycles/``: 200.
    """

    @extend_schema(responses=s.CycleSerializer(many=True))
    def get(self, request):
        return Response(s.CycleSerializer(api.list_cycles(), many=True).data)


class CycleDetailView(PublicView):
    """
    One cycle by year. ``GET /api/distinguished/v1/cycles/2026/``: 200, or 404.
    """

    @extend_schema(responses=s.CycleSerializer)
    def get(self, request, year):
        return Response(s.CycleSerializer(call_api(api.get_cycle_data, year=year)).data)


class OrganizationListView(PublicView):
    """
    Partner organizations that can be nominated. ``GET /api/distinguished/v1/organizations/``: 200.
    """

    @extend_schema(responses=s.OrganizationSerializer(many=True))
    def get(self, request):
        return Response(s.OrganizationSerializer(api.list_organizations(), many=True).data)


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
