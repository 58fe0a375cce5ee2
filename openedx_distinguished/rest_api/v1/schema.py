"""
OpenAPI description of the v1 API: how its two authentication schemes appear in the schema.
"""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularAPIView

import openedx_distinguished
from openedx_distinguished.data import ConsentDecision, Recommendation


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

    urlconf = "openedx_distinguished.rest_api.v1.schema_urls"
    custom_settings = {
        "TITLE": "Distinguished Contributor program API",
        "DESCRIPTION": "Tracks, cycles and nominations of the Open edX Distinguished Contributor program.",
        "VERSION": f"v1 ({openedx_distinguished.__version__})",
        # Name the choice sets that several fields share, so the schema has one enum for each.
        "ENUM_NAME_OVERRIDES": {
            "RecommendationEnum": [r.value for r in Recommendation],
            "ConsentDecisionEnum": [d.value for d in ConsentDecision],
            "RequestOutcomeEnum": ["nomination", "endorsement"],
        },
    }
