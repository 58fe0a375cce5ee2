"""
Views of the program's definition in the v1 REST API: tracks, cycles and partner organizations, for anyone.
"""
from rest_framework.response import Response

from openedx_distinguished import api

from . import serializers as s
from .common import PublicView, call_api
from .schema import extend_schema


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
