"""
Views of the program dashboard API (program staff): the KPIs and each cycle's budget.
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from openedx_distinguished import api, parsing

from . import serializers as s
from .common import AuthenticatedView, call_api
from .permissions import require_staff
from .schema import extend_schema


class KpiView(AuthenticatedView):
    """
    The program's indicators against their targets, per year and per track (program staff).

    * ``GET /api/distinguished/v1/kpis/`` every cycle year; ``?year=2026&year=2025`` some years.
    """

    @extend_schema(parameters=[OpenApiParameter("year", OpenApiTypes.INT, many=True)],
                   responses=s.KpiRowSerializer(many=True))
    def get(self, request):
        """List the indicators: per year, the whole program first, then each track."""
        require_staff(request)
        years = [call_api(parsing.year, value=value) for value in request.query_params.getlist("year")]
        rows = call_api(api.compute_kpis, years=years or None)
        return Response(s.KpiRowSerializer(rows, many=True).data)


class BudgetView(AuthenticatedView):
    """
    A cycle's budget in the proposal's shape, with actual costs and variance (program staff).

    * ``GET /api/distinguished/v1/budget/2026/``
    """

    @extend_schema(responses=s.BudgetReportSerializer)
    def get(self, request, year):
        """The budget report of the cycle of ``year``."""
        require_staff(request)
        return Response(s.BudgetReportSerializer(call_api(api.budget_report, cycle_year=year)).data)
