"""
The floors: the least work that answers the same request, served through the same middleware.
"""
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import condition
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from openedx_distinguished.views.layout import page

# The hall of fame's context, computed by the benchmark before it measures (plain dicts and lists).
HALL_OF_FAME = {"context": None}


class ProfileFloorView(APIView):
    """A bare DRF view: no authentication classes, one query on the unique username index."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request, username):
        """Answer with the user's name and no badges."""
        row = get_user_model().objects.filter(username=username).values_list("username", flat=True).first()
        if row is None:
            raise Http404()
        return Response({"username": row, "badges": []})


def hall_of_fame_floor(request):
    """
    The hall of fame template rendered from a context made beforehand, in the same frame as the
    page (``views.layout.page``, no query for a visitor): no query, no filter, no grouping.
    """
    # The frame's sign-in link comes back to the page it is on: render it for the hall of fame's path.
    request.path = request.path_info = reverse("openedx_distinguished:pages:hall-of-fame")
    return page(request, "openedx_distinguished/hall_of_fame.html", HALL_OF_FAME["context"], section="hall-of-fame")


@condition(etag_func=lambda request: '"bench-floor"')
def not_modified_floor(request):
    """A bare Django view with an ETag: a conditional GET that matches is answered 304 without calling it."""
    return HttpResponse("floor")
