"""
The MFE widgets' translations (ADR 0024).
"""
from drf_spectacular.types import OpenApiTypes
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from openedx_distinguished import api

from .common import PublicView
from .schema import extend_schema

# The same for everyone and changed only by a deployment: shared caches may keep it for an hour.
MESSAGES_CACHE_CONTROL = "public, max-age=3600"


class WidgetMessagesView(PublicView):
    """
    The widgets' messages in one language: ``GET /api/distinguished/v1/widget-messages/<language>/``.

    ``{"language": "fr", "messages": {"distinguished.profile.heading": "…"}}``: message id →
    translation, for the messages the site's catalogues translate (none for English). The profile
    and dashboard widgets ask for their app's language and keep English for what is missing. 404 for
    a language the site does not offer.
    """

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, language):
        """Return the translated messages."""
        try:
            found = api.site_language(code=language)
        except api.UnknownLanguage as exc:
            raise NotFound({"language": ["This site does not offer that language."]}) from exc
        response = Response({"language": found, "messages": api.widget_messages(language=found)})
        response["Cache-Control"] = MESSAGES_CACHE_CONTROL
        return response
