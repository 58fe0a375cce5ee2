"""
The review workspace under ``/distinguished/review/``: panel members work here without the admin.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from openedx_distinguished import access, api
from openedx_distinguished.access import ReviewAction
from openedx_distinguished.data import RUBRIC_MAX, RUBRIC_MIN, CyclePhase, Recommendation
from openedx_distinguished.exceptions import DistinguishedError

from .guard import allowed
from .layout import page


def _roles(request, nomination_id, action):
    """The caller's review roles if they may take ``action``: 404 for outsiders and conflicted reviewers, else 403."""
    return allowed(access.check_review, user=request.user, nomination_id=nomination_id, action=action)


def _crumbs():
    return ((_("Review workspace"), reverse("openedx_distinguished:pages:review")),)


def _sheet_url(nomination_id):
    return reverse("openedx_distinguished:pages:review-sheet", args=[nomination_id])


def _error_lines(exc):
    return [f"{'' if field == 'non_field_errors' else field + ': '}{message}"
            for field, messages_ in exc.errors.items() for message in messages_]


@login_required
def assignments(request):
    """The reviewer's work list, and for chairs and staff the scoreboards of the running cycles."""
    runs_review = api.is_program_staff(request.user) or api.is_chair(request.user)
    cycles = [c for c in api.list_cycles() if c.phase not in (CyclePhase.UPCOMING, CyclePhase.CLOSED)]
    return page(request, "openedx_distinguished/review/assignments.html", {
        "assignments": api.list_assignments(reviewer=request.user),
        "runs_review": runs_review,
        "cycles": cycles if runs_review else [],
    }, section="review")


@login_required
@require_http_methods(["GET", "POST"])
def review_sheet(request, nomination_id):
    """The nomination, the review form (assigned reviewers) and the decision form (chairs, staff)."""
    roles = _roles(request, nomination_id, ReviewAction.READ)
    status = 200
    form = None
    if request.method == "POST":
        _roles(request, nomination_id, ReviewAction.REVIEW)
        form = request.POST
        scores = {}
        for key, value in request.POST.items():
            if key.startswith("score-"):
                # ASCII digits only: "²".isdigit() is true, and int() refuses it.
                scores[key[len("score-"):]] = int(value) if value.isascii() and value.isdigit() and len(value) < 4 \
                    else value
        try:
            api.submit_review(nomination_id=nomination_id, reviewer=request.user, scores=scores,
                              recommendation=request.POST.get("recommendation", ""),
                              panel_comments=request.POST.get("panel_comments", ""),
                              nominee_feedback=request.POST.get("nominee_feedback", ""))
        except DistinguishedError as exc:
            for line in _error_lines(exc):
                messages.error(request, line)
            status = 400
        else:
            messages.success(request, "Your review is saved.")
            return redirect(_sheet_url(nomination_id))
    sheet = api.get_review_sheet(nomination_id=nomination_id, user=request.user, sees_all=access.runs_review(roles))
    own_scores = sheet.own_review.scores if sheet.own_review else {}
    criteria = [
        {"criterion": c, "justification": sheet.nomination.justifications.get(c.slug, ""),
         "value": str((form or {}).get(f"score-{c.slug}") or own_scores.get(c.slug, ""))}
        for c in sheet.criteria
    ]
    return page(request, "openedx_distinguished/review/sheet.html", {
        "sheet": sheet,
        "criteria": criteria,
        "rubric": [str(n) for n in range(RUBRIC_MIN, RUBRIC_MAX + 1)],
        "recommendations": [r.value for r in Recommendation],
        "form": form or {},
        "can_review": api.ROLE_ASSIGNED in roles and sheet.editable,
        "can_declare_conflict": bool(roles & access.REVIEW_RULES[ReviewAction.DECLARE_CONFLICT]),
        "runs_review": access.runs_review(roles),
        "can_reopen": bool(roles & access.REVIEW_RULES[ReviewAction.REOPEN]),
        "decision": api.get_decision(nomination_id=nomination_id) if access.runs_review(roles) else None,
    }, status=status, breadcrumbs=_crumbs(), section="review")


@login_required
@require_POST
def declare_conflict(request, nomination_id):
    """Declare a conflict of interest; the nomination then leaves the reviewer's view."""
    _roles(request, nomination_id, ReviewAction.DECLARE_CONFLICT)
    try:
        api.declare_conflict(nomination_id=nomination_id, reviewer=request.user,
                             reason=request.POST.get("reason", ""))
    except DistinguishedError as exc:
        for line in _error_lines(exc):
            messages.error(request, line)
        return redirect(_sheet_url(nomination_id))
    messages.success(request, "Conflict declared; the nomination has been taken off your list.")
    return redirect("openedx_distinguished:pages:review")


@login_required
@require_POST
def record_decision(request, nomination_id):
    """Record the (pending, confidential) decision on a nomination."""
    _roles(request, nomination_id, ReviewAction.DECIDE)
    try:
        api.record_decision(nomination_id=nomination_id, actor=request.user,
                            outcome=request.POST.get("outcome", ""), rationale=request.POST.get("rationale", ""),
                            feedback=request.POST.get("feedback", ""),
                            override_reason=request.POST.get("override_reason", ""))
    except DistinguishedError as exc:
        for line in _error_lines(exc):
            messages.error(request, line)
    else:
        messages.success(request, "Decision recorded. It stays confidential until the announcement is released.")
    return redirect(_sheet_url(nomination_id))


@login_required
@require_POST
def reopen_decision(request, nomination_id):
    """Take back the pending decision (program staff), with the reason for the audit log."""
    _roles(request, nomination_id, ReviewAction.REOPEN)
    try:
        api.reopen_decision(nomination_id=nomination_id, actor=request.user, reason=request.POST.get("reason", ""))
    except DistinguishedError as exc:
        for line in _error_lines(exc):
            messages.error(request, line)
    else:
        messages.success(request, _("The decision is reopened: the panel can decide again."))
    return redirect(_sheet_url(nomination_id))


@login_required
def scoreboard(request, year):
    """The ranked scoreboard of a cycle, per track (chairs: their tracks; staff: all)."""
    tracks = allowed(access.review_scope, user=request.user)
    try:
        rows = api.scoreboard(cycle_year=year, track_ids=tracks, hide_for=request.user)
        cycle = api.get_cycle_data(year)
    except DistinguishedError as exc:
        raise Http404("No such cycle.") from exc
    by_track = {}
    for row in rows:
        by_track.setdefault(row.track_slug, []).append(row)
    names = {t.slug: t.name for t in api.list_tracks()}
    return page(request, "openedx_distinguished/review/scoreboard.html", {
        "cycle": cycle,
        "tracks": [(names.get(slug, slug), track_rows) for slug, track_rows in by_track.items()],
    }, breadcrumbs=_crumbs(), section="review")
