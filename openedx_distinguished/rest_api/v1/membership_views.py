"""
Views of the membership API: terms, activities, evaluations, initiatives, referrals and onboarding.
"""
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from openedx_distinguished import access, api, parsing

from . import serializers as s
from .common import (
    PAGINATION_PARAMETERS,
    WIDGET_CACHE_CONTROL,
    AuthenticatedView,
    PublicView,
    call_api,
    page_bounds,
    page_of,
    paginated,
    validated,
)
from .permissions import allowed, require_staff
from .schema import extend_schema


class TermListView(AuthenticatedView):
    """
    Membership terms: the caller's own, or (program staff) anyone's.

    ``GET /api/distinguished/v1/terms/?username=ada&status=active``: 200; 403 when asking for
    someone else's terms without being staff.
    """

    @extend_schema(parameters=PAGINATION_PARAMETERS + [
        OpenApiParameter("username", OpenApiTypes.STR),
        OpenApiParameter("status", OpenApiTypes.STR, enum=[t.value for t in api.TermStatus]),
    ], responses=page_of(s.TermSerializer))
    def get(self, request):
        """List terms, newest first."""
        offset, limit = page_bounds(request)
        username = request.query_params.get("username") or request.user.username
        if username != request.user.username:
            require_staff(request)
        status = request.query_params.get("status")
        statuses = [status] if status else None
        if status and status not in {t.value for t in api.TermStatus}:
            return Response({"status": [f"Unknown status {status!r}."]}, status=400)
        page = api.list_terms(username=username, statuses=statuses, offset=offset, limit=limit)
        return paginated(request, page, s.TermSerializer, offset, limit)


class TermRevokeView(AuthenticatedView):
    """
    Revoke a term (program staff), e.g. for a code-of-conduct case.

    ``POST /api/distinguished/v1/terms/7/revoke/`` with ``{"reason": "..."}``: 200; 400; 403; 404; 409.
    """

    @extend_schema(request=s.RevokeInputSerializer, responses=s.TermSerializer)
    def post(self, request, pk):
        require_staff(request)
        body = validated(s.RevokeInputSerializer, request.data)
        return Response(s.TermSerializer(call_api(api.revoke_term, term_id=pk, actor=request.user,
                                                  reason=body["reason"])).data)


class ActivityListView(AuthenticatedView):
    """
    The caller's activities, or report one (members). Staff may list anyone's with ``username``
    or ``status``.

    ``POST /api/distinguished/v1/activities/`` with ``{"activity_type": "talk", "title": "...",
    "occurred_on": "2026-06-01", "evidence_url": "https://..."}``: 201 (pending verification);
    400 per field; 403 for non-members.
    """

    @extend_schema(parameters=PAGINATION_PARAMETERS + [
        OpenApiParameter("username", OpenApiTypes.STR),
        OpenApiParameter("status", OpenApiTypes.STR, enum=[a.value for a in api.ActivityStatus]),
    ], responses=page_of(s.ActivitySerializer))
    def get(self, request):
        """List activities, newest first."""
        offset, limit = page_bounds(request)
        staff = api.is_program_staff(user=request.user)
        username = request.query_params.get("username") or (None if staff else request.user.username)
        if username != request.user.username:
            require_staff(request)
        status = request.query_params.get("status") or None  # ``?status=`` filters nothing, like no status
        if status and status not in {a.value for a in api.ActivityStatus}:
            return Response({"status": [f"Unknown status {status!r}."]}, status=400)
        page = api.list_activities(username=username, status=status, offset=offset, limit=limit)
        return paginated(request, page, s.ActivitySerializer, offset, limit)

    @extend_schema(request=s.ActivityInputSerializer, responses={201: s.ActivitySerializer})
    def post(self, request):
        """Report an activity of the caller's own."""
        allowed(access.check_member, user=request.user)
        body = validated(s.ActivityInputSerializer, request.data)
        activity = call_api(api.report_activity, user=request.user, **body)
        return Response(s.ActivitySerializer(activity).data, status=201)


class ActivityReviewView(AuthenticatedView):
    """
    Verify or reject a reported activity (program staff), with an optional note the member sees.

    ``POST /api/distinguished/v1/activities/5/reject/`` with ``{"note": "No evidence of attendance."}``
    (or ``.../verify/``): 200; 400; 403; 404; 409.
    """

    verified = True

    @extend_schema(request=s.ActivityReviewInputSerializer, responses=s.ActivitySerializer)
    def post(self, request, pk):
        """Verify or reject the activity."""
        require_staff(request)
        body = validated(s.ActivityReviewInputSerializer, request.data)
        return Response(s.ActivitySerializer(call_api(api.review_activity, activity_id=pk, actor=request.user,
                                                      verified=self.verified, note=body["note"])).data)


class ActivityImportView(AuthenticatedView):
    """
    Import verified activities (program staff): ``{"rows": [{"external_id": ..., "username": ...,
    "activity_type": ..., "title": ..., "occurred_on": "YYYY-MM-DD"}]}``, ``{"csv": "..."}`` or a
    multipart ``file`` (UTF-8 CSV, at most 2 MB). The person may be given by username or e-mail
    (``username`` or ``email``), the activity type by its code or name in any case. All or
    nothing; rows already imported (same ``external_id``) are skipped.

    **Responses**: 200 with counts; 400 listing every bad row; 403.
    """

    parser_classes = (JSONParser, MultiPartParser, FormParser)

    @extend_schema(request=s.ActivityImportSerializer, responses=s.ImportReportSerializer)
    def post(self, request):
        """Import the rows (JSON, CSV text or a CSV file), all or nothing."""
        require_staff(request)
        body = validated(s.ActivityImportSerializer, request.data)
        if body.get("file"):
            text = call_api(api.read_import_file, data=body["file"].read(api.MAX_IMPORT_BYTES + 1))
            report = call_api(api.import_activities_csv, text=text, actor=request.user)
        elif body.get("csv"):
            report = call_api(api.import_activities_csv, text=body["csv"], actor=request.user)
        else:
            report = call_api(api.import_activities, rows=body["rows"], actor=request.user)
        return Response(s.ImportReportSerializer(report).data)


class QualifyingRunView(AuthenticatedView):
    """
    Mark a course run as a qualifying event or working group (program staff).

    ``POST /api/distinguished/v1/qualifying-runs/`` with ``{"course_key": "course-v1:...",
    "activity_type": "event", "title": "..."}``: 201; 400 (invalid course key); 403.
    """

    @extend_schema(request=s.QualifyingRunSerializer, responses={201: s.QualifyingRunSerializer})
    def post(self, request):
        """Mark (or re-mark) the course run."""
        require_staff(request)
        body = validated(s.QualifyingRunSerializer, request.data)
        call_api(api.mark_qualifying_course_run, **body)
        return Response(body, status=201)


class EvaluationView(AuthenticatedView):
    """
    The annual evaluation of a cycle (program staff): list it, run it, confirm it.

    * ``GET /api/distinguished/v1/evaluations/2026/?pending=true``
    * ``POST /api/distinguished/v1/evaluations/2026/`` runs the evaluation (idempotent).
    """

    @extend_schema(parameters=PAGINATION_PARAMETERS + [OpenApiParameter("pending", OpenApiTypes.BOOL)],
                   responses=page_of(s.EvaluationSerializer))
    def get(self, request, year):
        """List the cycle's evaluations."""
        require_staff(request)
        offset, limit = page_bounds(request)
        page = call_api(api.list_evaluations, cycle_year=year, offset=offset, limit=limit,
                        pending_only=request.query_params.get("pending") in ("1", "true"))
        return paginated(request, page, s.EvaluationSerializer, offset, limit)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, year):
        """Evaluate the cycle's terms against the retention rule."""
        require_staff(request)
        return Response(call_api(api.evaluate_terms, cycle_year=year))


class EvaluationConfirmView(AuthenticatedView):
    """
    Confirm the cycle's pending recommendations in bulk (program staff): renewals start the next
    term, lifetime starts a term without end, lapses make the holders alumni.

    ``POST /api/distinguished/v1/evaluations/2026/confirm/`` with an optional ``{"terms": [1, 2]}``.
    """

    @extend_schema(request=s.ConfirmInputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, year):
        require_staff(request)
        body = validated(s.ConfirmInputSerializer, request.data)
        return Response(call_api(api.confirm_evaluations, cycle_year=year, actor=request.user,
                                 term_ids=body.get("terms")))


class InitiativeListView(PublicView):
    """
    Community initiatives (anyone may read; program staff create).

    ``GET /api/distinguished/v1/initiatives/?year=2026``; ``POST`` with ``{"title": ..., "year":
    2026, "status": "proposed", "link": "https://...", "leads": ["ada"]}``: 201; 400; 401/403.
    """

    @extend_schema(parameters=PAGINATION_PARAMETERS + [OpenApiParameter("year", OpenApiTypes.INT)],
                   responses=page_of(s.InitiativeSerializer))
    def get(self, request):
        """List initiatives, newest year first."""
        offset, limit = page_bounds(request)
        year = request.query_params.get("year") or None
        page = api.list_initiatives(year=call_api(parsing.year, value=year) if year else None, offset=offset,
                                    limit=limit, public=not api.is_program_staff(user=request.user))
        return paginated(request, page, s.InitiativeSerializer, offset, limit)

    @extend_schema(request=s.InitiativeSerializer, responses={201: s.InitiativeSerializer})
    def post(self, request):
        """Create an initiative."""
        if not request.user.is_authenticated:
            return Response({"detail": "Authentication credentials were not provided."}, status=401)
        require_staff(request)
        body = validated(s.InitiativeSerializer, request.data)
        made = call_api(api.save_initiative, title=body["title"], year=body["year"], status=body["status"],
                        link=body["link"], description=body["description"], lead_usernames=body["leads"])
        return Response(s.InitiativeSerializer(made).data, status=201)


class InitiativeDetailView(AuthenticatedView):
    """
    Update an initiative (program staff). ``PUT /api/distinguished/v1/initiatives/3/``: 200; 400; 403; 404.
    """

    @extend_schema(request=s.InitiativeSerializer, responses=s.InitiativeSerializer)
    def put(self, request, pk):
        """Replace the initiative's fields."""
        require_staff(request)
        body = validated(s.InitiativeSerializer, request.data)
        saved = call_api(api.save_initiative, initiative_id=pk, title=body["title"], year=body["year"],
                         status=body["status"], link=body["link"], description=body["description"],
                         lead_usernames=body["leads"])
        return Response(s.InitiativeSerializer(saved).data)


class ReferralView(AuthenticatedView):
    """
    The caller's referral link (members). ``GET /api/distinguished/v1/referral/``: 200 with
    ``code`` and ``url``; 400 for non-members.
    """

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        code = call_api(api.referral_code, user=request.user)
        url = request.build_absolute_uri(reverse("openedx_distinguished:pages:join", args=[code]))
        return Response({"code": code, "url": url})


class DashboardCardView(AuthenticatedView):
    """
    What the learner dashboard's widget shows the caller: ``GET /api/distinguished/v1/me/dashboard/``.
    200 with ``kind`` "member" (current terms and renewal progress), "call" (nominations are open)
    or "none"; 401 anonymous. Kept a minute by the caller's browser.
    """

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        response = Response(call_api(api.dashboard_card, user=request.user))
        response["Cache-Control"] = WIDGET_CACHE_CONTROL
        return response


class OnboardingView(AuthenticatedView):
    """
    Record a partner organization a member brought in (program staff).

    ``POST /api/distinguished/v1/onboardings/`` with ``{"member": "ada", "organization": "acme",
    "year": 2026}`` (or ``organization_name`` for an organization that is not a partner yet): 201.
    """

    @extend_schema(request=s.OnboardingInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        """Record the onboarded organization."""
        require_staff(request)
        body = validated(s.OnboardingInputSerializer, request.data)
        call_api(api.record_onboarded_organization, member_username=body["member"],
                 organization_slug=body["organization"] or None, organization_name=body["organization_name"],
                 year=body["year"], actor=request.user)
        return Response({"recorded": True}, status=201)
