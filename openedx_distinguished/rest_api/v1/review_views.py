"""
Views of the review API (``/api/distinguished/v1/review/``): reviewers, chairs and program staff.

Thin adapters: they check the caller's panel role and call ``api.py``. A conflicted reviewer gets
404 for the nomination, exactly like someone outside the panel.
"""
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from openedx_distinguished import access, api
from openedx_distinguished.access import ReviewAction

from . import serializers as s
from .common import PAGINATION_PARAMETERS, AuthenticatedView, call_api, page_bounds, page_of, paginated, validated
from .permissions import allowed, chair_scope, require_review_role, require_staff
from .schema import extend_schema


class MyAssignmentsView(AuthenticatedView):
    """
    The caller's review assignments. ``GET /api/distinguished/v1/review/assignments/``: 200.
    """

    @extend_schema(responses=s.AssignmentSerializer(many=True))
    def get(self, request):
        return Response(s.AssignmentSerializer(api.list_assignments(reviewer=request.user), many=True).data)


class ReviewSheetView(AuthenticatedView):
    """
    A nomination for review: the case, the criteria, the caller's review and, once they have
    reviewed (or for chairs and staff), the other reviews.

    ``GET /api/distinguished/v1/review/nominations/12/``: 200; 404 (not on its panel, or conflicted).
    """

    @extend_schema(responses=s.ReviewSheetSerializer)
    def get(self, request, pk):
        """Return the review sheet; other reviews only after the caller's own (or for chairs and staff)."""
        roles = require_review_role(request, pk, ReviewAction.READ)
        sheet = call_api(api.get_review_sheet, nomination_id=pk, user=request.user,
                         sees_all=access.runs_review(roles))
        return Response(s.ReviewSheetSerializer(sheet).data)


class ReviewView(AuthenticatedView):
    """
    Submit or update the caller's review (assigned reviewers, until the review deadline).

    ``PUT /api/distinguished/v1/review/nominations/12/review/`` with
    ``{"scores": {"significant-contributions": 5, ...}, "recommendation": "accept",
    "panel_comments": "...", "nominee_feedback": "..."}``: 200; 400 per field; 403; 404; 409.
    """

    @extend_schema(request=s.ReviewInputSerializer, responses=s.ReviewSerializer)
    def put(self, request, pk):
        """Create or replace the caller's review of this nomination."""
        require_review_role(request, pk, ReviewAction.REVIEW)
        body = validated(s.ReviewInputSerializer, request.data)
        data = call_api(api.submit_review, nomination_id=pk, reviewer=request.user, scores=body["scores"],
                        recommendation=body["recommendation"], panel_comments=body["panel_comments"],
                        nominee_feedback=body["nominee_feedback"])
        return Response(s.ReviewSerializer(data).data)


class ConflictView(AuthenticatedView):
    """
    Declare a conflict of interest (any member of a panel for the track). The caller's assignment
    is removed and the nomination disappears from their view.

    ``POST /api/distinguished/v1/review/nominations/12/conflict/`` with ``{"reason": "..."}``: 201.
    """

    @extend_schema(request=s.ConflictInputSerializer, responses={201: s.ConflictSerializer})
    def post(self, request, pk):
        """Declare the caller's conflict of interest with this nomination."""
        require_review_role(request, pk, ReviewAction.DECLARE_CONFLICT)
        body = validated(s.ConflictInputSerializer, request.data)
        data = call_api(api.declare_conflict, nomination_id=pk, reviewer=request.user, reason=body["reason"])
        return Response(s.ConflictSerializer(data).data, status=201)


class AssignmentsView(AuthenticatedView):
    """
    Assign a reviewer to a nomination (chairs of its track's panels, program staff).

    ``POST /api/distinguished/v1/review/nominations/12/assignments/`` with ``{"reviewer": "ada"}``:
    201; 400 (not on the panel, conflicted, too late); 403; 404; 409 (already assigned).
    """

    @extend_schema(request=s.AssignInputSerializer, responses={201: s.AssignmentSerializer})
    def post(self, request, pk):
        """Assign the named panel member to review this nomination."""
        require_review_role(request, pk, ReviewAction.ASSIGN)
        body = validated(s.AssignInputSerializer, request.data)
        data = call_api(api.assign_reviewer, nomination_id=pk, reviewer_username=body["reviewer"],
                        actor=request.user)
        return Response(s.AssignmentSerializer(data).data, status=201)


class AssignmentDetailView(AuthenticatedView):
    """
    Take a nomination back from a reviewer who has not reviewed it yet (chairs, staff).

    ``DELETE /api/distinguished/v1/review/nominations/12/assignments/ada/``: 204; 403; 404; 409.
    """

    @extend_schema(responses={204: None})
    def delete(self, request, pk, username):
        require_review_role(request, pk, ReviewAction.ASSIGN)
        call_api(api.unassign_reviewer, nomination_id=pk, reviewer_username=username, actor=request.user)
        return Response(status=204)


class DecisionView(AuthenticatedView):
    """
    Read or record the decision on a nomination (chairs of its track's panels, program staff).
    The decision stays pending, and invisible to nominee and nominator, until the release.

    ``POST /api/distinguished/v1/review/nominations/12/decision/`` with ``{"outcome": "accept",
    "rationale": "...", "feedback": "...", "override_reason": ""}``: 200; 400 (e.g. below quorum
    without ``override_reason``); 403; 404; 409.
    """

    @extend_schema(responses=s.DecisionSerializer)
    def get(self, request, pk):
        """Return the decision recorded on this nomination, pending or released."""
        require_review_role(request, pk, ReviewAction.DECIDE)
        decision = api.get_decision(nomination_id=pk)
        if decision is None:
            return Response({"detail": "No decision has been recorded."}, status=404)
        return Response(s.DecisionSerializer(decision).data)

    @extend_schema(request=s.DecisionInputSerializer, responses=s.DecisionSerializer)
    def post(self, request, pk):
        """Record or change the (pending) decision on this nomination."""
        require_review_role(request, pk, ReviewAction.DECIDE)
        body = validated(s.DecisionInputSerializer, request.data)
        decision = call_api(api.record_decision, nomination_id=pk, actor=request.user, outcome=body["outcome"],
                            rationale=body["rationale"], feedback=body["feedback"],
                            override_reason=body["override_reason"], citation=body["citation"])
        return Response(s.DecisionSerializer(decision).data)


class DecisionReopenView(AuthenticatedView):
    """
    Take back the pending decision on a nomination so that the panel decides it again (program
    staff; audited with the reason). ``POST /api/distinguished/v1/review/nominations/12/decision/reopen/``
    with ``{"reason": "..."}``: 204; 400 (no reason, or already released); 403; 404 (no decision).
    """

    @extend_schema(request=s.ReasonSerializer, responses={204: None})
    def post(self, request, pk):
        """Reopen the decision."""
        require_review_role(request, pk, ReviewAction.REOPEN)
        body = validated(s.ReasonSerializer, request.data)
        call_api(api.reopen_decision, nomination_id=pk, actor=request.user, reason=body["reason"])
        return Response(status=204)


class ScoreboardView(AuthenticatedView):
    """
    The ranked scoreboard of a cycle, per track (chairs see their tracks, staff see all; rows the
    caller is conflicted on are left out).

    ``GET /api/distinguished/v1/review/cycles/2026/scoreboard/?track=engineer``: 200; 403; 404.
    """

    @extend_schema(parameters=[OpenApiParameter("track", OpenApiTypes.STR)],
                   responses=s.AggregateSerializer(many=True))
    def get(self, request, year):
        """Return the ranked rows of the cycle, per track."""
        tracks = chair_scope(request)
        rows = call_api(api.scoreboard, cycle_year=year, track_slug=request.query_params.get("track") or None,
                        track_ids=tracks, hide_for=request.user)
        return Response(s.AggregateSerializer(rows, many=True).data)


class CycleConflictsView(AuthenticatedView):
    """
    Every conflict of interest in the cycle, automatic and declared (chairs, staff).

    ``GET /api/distinguished/v1/review/cycles/2026/conflicts/``: 200; 403; 404.
    """

    @extend_schema(responses=s.ConflictSerializer(many=True))
    def get(self, request, year):
        tracks = chair_scope(request)
        conflicts = call_api(api.list_conflicts, cycle_year=year, track_ids=tracks, hide_for=request.user)
        return Response(s.ConflictSerializer(conflicts, many=True).data)


class AutoAssignView(AuthenticatedView):
    """
    Give each submitted or in-review nomination N reviewers, balancing load and skipping conflicts.

    ``POST /api/distinguished/v1/review/cycles/2026/auto-assign/`` with an optional
    ``{"per_nomination": 3}``: 200 with what was assigned and which nominations lack reviewers.
    """

    @extend_schema(request=s.AutoAssignInputSerializer, responses=s.AutoAssignReportSerializer)
    def post(self, request, year):
        """Assign reviewers to every nomination that lacks them and report what happened."""
        tracks = chair_scope(request)
        body = validated(s.AutoAssignInputSerializer, request.data)
        report = call_api(api.auto_assign, cycle_year=year, actor=request.user,
                          per_nomination=body.get("per_nomination"), track_ids=tracks)
        return Response(s.AutoAssignReportSerializer(report).data)


class AssignmentsCsvView(AuthenticatedView):
    """
    Export the cycle's assignments as CSV (chairs: their tracks), or import assignments.

    ``GET /api/distinguished/v1/review/cycles/2026/assignments.csv``: 200 ``text/csv``.
    ``POST`` the same URL with ``{"csv": "nomination_id,reviewer\\n12,ada\\n"}`` or a multipart
    ``file``: 200 with counts; 400 listing every bad row (nothing is written then).
    """

    parser_classes = (JSONParser, MultiPartParser, FormParser)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, year):
        """Download the cycle's assignments as CSV."""
        tracks = chair_scope(request)
        text = call_api(api.export_assignments_csv, cycle_year=year, track_ids=tracks, hide_for=request.user)
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="assignments-{year}.csv"'
        return response

    @extend_schema(request=s.CsvImportInputSerializer, responses=s.ImportReportSerializer)
    def post(self, request, year):
        """Import assignments from CSV text or an uploaded file; all rows or none."""
        tracks = chair_scope(request)
        body = validated(s.CsvImportInputSerializer, request.data)
        text = body.get("csv")
        if text is None:
            try:
                text = body["file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                return Response({"file": ["The file must be UTF-8 text."]}, status=400)
        report = call_api(api.import_assignments_csv, cycle_year=year, text=text, actor=request.user,
                          track_ids=tracks)
        return Response(s.ImportReportSerializer(report).data)


def require_release(request, year):
    """Refuse (403) anyone who may not release the cycle's announcement; 404 for an unknown cycle."""
    chair_scope(request)
    call_api(allowed, check=access.check_release, user=request.user, cycle_year=year)


class ReleaseView(AuthenticatedView):
    """
    Release the cycle's announcement: every pending decision becomes visible at once. Idempotent.

    ``POST /api/distinguished/v1/review/cycles/2026/release/``: 200 (``already_released`` tells a
    repeat); 400 before the announcement date or with undecided nominations; 403 for anyone but
    program staff and chairs of every track of the cycle (ADR 0015).
    """

    @extend_schema(request=None, responses=s.ReleaseReportSerializer)
    def post(self, request, year):
        require_release(request, year)
        report = call_api(api.release_announcement, cycle_year=year, actor=request.user)
        return Response(s.ReleaseReportSerializer(report).data)


class AuditView(AuthenticatedView):
    """
    The review's audit log for a cycle, newest first (program staff).

    ``GET /api/distinguished/v1/review/cycles/2026/audit/``: 200; 403.
    """

    @extend_schema(parameters=PAGINATION_PARAMETERS, responses=page_of(s.AuditEntrySerializer))
    def get(self, request, year):
        """Return one page of the cycle's audit log."""
        require_staff(request)
        offset, limit = page_bounds(request)
        page = call_api(api.list_audit, cycle_year=year, offset=offset, limit=limit)
        return paginated(request, page, s.AuditEntrySerializer, offset, limit)
