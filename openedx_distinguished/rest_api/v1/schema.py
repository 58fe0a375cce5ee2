"""
OpenAPI description of the v1 API: how its two authentication schemes appear in the schema.
"""
import inspect

from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema as spectacular_extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer

import openedx_distinguished
from openedx_distinguished.data import ConsentDecision, Recommendation
from openedx_distinguished.parsing import BOUNDED_INT


def extend_schema(**kwargs):
    """
    drf-spectacular's ``extend_schema`` for the methods of this API's views, built on its own
    ``AutoSchema`` whatever ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` the site sets. The LMS sets
    none, so the decorator would extend DRF's own schema class, and the schema endpoint fail.
    """
    spectacular = spectacular_extend_schema(**kwargs)

    def decorator(function):
        if not inspect.isclass(function) and getattr(function, "schema", None) is None:
            function.schema = AutoSchema
        return spectacular(function)
    return decorator


class JwtAuthenticationScheme(OpenApiAuthenticationExtension):
    """Open edX JWTs are sent as ``Authorization: JWT <token>``."""

    target_class = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "An Open edX JWT: `JWT <token>`."}


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """The LMS session cookie (with the CSRF token for unsafe methods)."""

    target_class = (
        "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser"
    )
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document of this plugin's v1 API only (not the whole LMS)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        """The document (left out of itself; described with this module's ``extend_schema``, see there)."""
        return super().get(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        """An unknown ``?format=`` is the API's JSON 404, not a 404 in the schema's YAML."""
        try:
            super().initial(request, *args, **kwargs)
        except (Http404, NotFound):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
            raise

    urlconf = "openedx_distinguished.rest_api.v1.schema_urls"
    custom_settings = {
        "TITLE": "Distinguished Contributor program API",
        "DESCRIPTION": "Tracks, cycles and nominations of the Open edX Distinguished Contributor program.",
        "VERSION": f"v1 ({openedx_distinguished.__version__})",
        # Name the choice sets that several fields share, so the schema has one enum for each.
        # Ids and years in paths are whole numbers (the plugin's bounded path converter).
        "PATH_CONVERTER_OVERRIDES": {BOUNDED_INT: int},
        "ENUM_NAME_OVERRIDES": {
            "RecommendationEnum": [r.value for r in Recommendation],
            "ConsentDecisionEnum": [d.value for d in ConsentDecision],
            "RequestOutcomeEnum": ["nomination", "endorsement"],
        },
    }
