"""
Views of the credentials API: a member's credentials, revocation, and award fulfilment.
"""
from drf_spectacular.types import OpenApiTypes
from rest_framework.response import Response

from openedx_distinguished import access, api

from . import serializers as s
from .common import (
    PAGINATION_PARAMETERS,
    WIDGET_CACHE_CONTROL,
    AuthenticatedView,
    PublicView,
    call_api,
    page_bounds,
    validated,
)
from .permissions import allowed, require_staff
from .schema import extend_schema


class MyCredentialsView(AuthenticatedView):
    """
    The caller's credentials with their links (verification page, JSON, VC-JWT, baked images, PDF,
    LinkedIn). ``GET /api/distinguished/v1/credentials/``: 200.
    """

    @extend_schema(responses=s.CredentialSerializer(many=True))
    def get(self, request):
        return Response(s.CredentialSerializer(api.list_credentials(holder=request.user), many=True).data)


class CredentialRevokeView(AuthenticatedView):
    """
    Revoke a credential (program staff), with the reason for the record and, optionally, what
    verifiers are told (``public_reason``; a generic text otherwise).

    ``POST /api/distinguished/v1/credentials/<public_id>/revoke/`` with ``{"reason": "...",
    "public_reason": "..."}``: 200; 400; 403; 404; 409.
    """

    @extend_schema(request=s.RevokeInputSerializer, responses=s.CredentialSerializer)
    def post(self, request, public_id):
        """Revoke the credential."""
        require_staff(request)
        body = validated(s.RevokeInputSerializer, request.data)
        credential = call_api(api.revoke_credential, public_id=public_id, reason=body["reason"],
                              public_reason=body["public_reason"], actor=request.user)
        return Response(s.CredentialSerializer(credential).data)


class FulfilmentListView(AuthenticatedView):
    """
    Award fulfilments: the caller's own (with the address they gave), or every one for program
    staff. ``GET /api/distinguished/v1/fulfilments/``: 200.
    """

    @extend_schema(parameters=PAGINATION_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        """List fulfilments."""
        offset, limit = page_bounds(request)
        staff = api.is_program_staff(user=request.user)
        page = api.list_fulfilments(holder=None if staff else request.user, offset=offset, limit=limit,
                                    with_address=True)
        return Response({"count": page.total, "results": list(page.items)})


class FulfilmentAddressView(AuthenticatedView):
    """
    Give the shipping address of a physical award (the holder only; it is visible to them and to
    program staff). ``PUT /api/distinguished/v1/fulfilments/4/address/`` with ``{"name": ...,
    "address": ...}``: 200; 400; 404 (not yours); 409 (already shipped).
    """

    @extend_schema(request=s.AddressInputSerializer, responses={200: OpenApiTypes.OBJECT})
    def put(self, request, pk):
        """Record the address."""
        allowed(access.check_fulfilment_holder, user=request.user, fulfilment_id=pk)
        body = validated(s.AddressInputSerializer, request.data)
        return Response(call_api(api.set_shipping_address, fulfilment_id=pk, name=body["name"],
                                 address=body["address"]))


class FulfilmentDetailView(AuthenticatedView):
    """
    Update a fulfilment (program staff): status, tracking number, cost.
    ``PATCH /api/distinguished/v1/fulfilments/4/`` with ``{"status": "shipped", "tracking_number": "..."}``.
    """

    @extend_schema(request=s.FulfilmentUpdateSerializer, responses={200: OpenApiTypes.OBJECT})
    def patch(self, request, pk):
        """Change what is given."""
        require_staff(request)
        body = validated(s.FulfilmentUpdateSerializer, request.data)
        return Response(call_api(api.update_fulfilment, fulfilment_id=pk, actor=request.user, **body))


class ProfileBadgesView(PublicView):
    """
    The badges a learner profile shows: ``GET /api/distinguished/v1/profiles/<username>/``.

    A member's current and lifetime badges, with image and verification links, only if they chose
    to be listed and their profile is not private (``account_privacy``); the user themself and
    program staff always see them. 200 (``badges`` may be empty), for an unknown username too: the
    endpoint does not tell which usernames exist.
    """

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, username):
        """Return the visible badges."""
        response = Response(call_api(api.profile_badges, username=username, viewer=request.user,
                                     viewer_is_staff=api.is_program_staff(user=request.user)))
        response["Cache-Control"] = WIDGET_CACHE_CONTROL
        return response


class MyListingView(AuthenticatedView):
    """
    The caller's public-presence choice. ``PUT /api/distinguished/v1/me/listing/`` with
    ``{"listed": true, "slug": "ada-lovelace"}``: 200; 400 (slug taken or invalid).
    """

    @extend_schema(request=s.ListingInputSerializer, responses={200: OpenApiTypes.OBJECT})
    def put(self, request):
        """Record whether the caller appears in the hall of fame, feed and profile badges."""
        body = validated(s.ListingInputSerializer, request.data)
        return Response(call_api(api.set_listing, user=request.user, listed=body["listed"], slug=body.get("slug")))
