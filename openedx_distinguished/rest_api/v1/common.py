"""
What every view of the v1 REST API shares: the base views (JSON errors, authentication), turning
the domain's errors into HTTP ones, request bodies, pagination, and the API's own 404.
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

from openedx_distinguished.conf import get_setting
from openedx_distinguished.exceptions import InvalidTransition
from openedx_distinguished.exceptions import NotFound as DomainNotFound
from openedx_distinguished.exceptions import ValidationError as DomainValidationError


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
