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
from openedx_distinguished.exceptions import DistinguishedError, ValidationError

from .forms import error_summary
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
    runs_review = api.is_program_staff(user=request.user) or api.is_chair(user=request.user)
    cycles = [c for c in api.list_cycles() if c.phase not in (CyclePhase.UPCOMING, CyclePhase.CLOSED)]
    return page(request, "openedx_distinguished/review/assignments.html", {
        "assignments": api.list_assignments(reviewer=request.user),
        "runs_review": runs_review,
        "cycles": cycles if runs_review else [],
    }, section="review")


# Keys of the decision form's errors, with the id and label of the field each belongs to.
DECISION_FIELDS = {
    "outcome": ("outcome", _("Outcome")),
    "rationale": ("rationale", _("Rationale")),
    "feedback": ("feedback", _("Feedback for the nominee")),
    "citation": ("citation", _("Public citation")),
    "quorum_override_reason": ("override_reason", _("Reason to decide below quorum")),
}
REVIEW_FIELDS = {
    "recommendation": ("recommendation", _("Recommendation")),
    "panel_comments": ("panel_comments", _("Comments for the panel")),
    "nominee_feedback": ("nominee_feedback", _("Feedback for the nominee")),
}


def _sheet(request, nomination_id, roles, *, review_form=None, review_errors=None, decision_form=None,
           decision_errors=None, status=200):
    """The review sheet, with whatever the person typed and the errors it met kept in place."""
    review_errors, decision_errors = review_errors or {}, decision_errors or {}
    sheet = api.get_review_sheet(nomination_id=nomination_id, user=request.user, sees_all=access.runs_review(roles))
    own_scores = sheet.own_review.scores if sheet.own_review else {}
    criteria = [
        {"criterion": c, "justification": sheet.nomination.justifications.get(c.slug, ""),
         "value": str((review_form or {}).get(f"score-{c.slug}") or own_scores.get(c.slug, ""))}
        for c in sheet.criteria
    ]
    anchors = {"scores": ("rubric", _("Scores")), **REVIEW_FIELDS}
    return page(request, "openedx_distinguished/review/sheet.html", {
        "sheet": sheet,
        "criteria": criteria,
        "rubric": [str(n) for n in range(RUBRIC_MIN, RUBRIC_MAX + 1)],
        "rubric_min": RUBRIC_MIN, "rubric_max": RUBRIC_MAX,
        "recommendations": [r.value for r in Recommendation],
        "form": review_form or {},
        "review_errors": review_errors,
        "review_summary": error_summary(review_errors, anchors=anchors),
        "decision_form": decision_form or {},
        "decision_errors": decision_errors,
        "decision_summary": error_summary(decision_errors, anchors=DECISION_FIELDS),
        "can_review": api.ROLE_ASSIGNED in roles and sheet.editable,
        "can_declare_conflict": bool(roles & access.REVIEW_RULES[ReviewAction.DECLARE_CONFLICT]),
        "runs_review": access.runs_review(roles),
        "can_reopen": bool(roles & access.REVIEW_RULES[ReviewAction.REOPEN]),
        "decision": api.get_decision(nomination_id=nomination_id) if access.runs_review(roles) else None,
    }, status=status, breadcrumbs=_crumbs(), section="review")


@login_required
@require_http_methods(["GET", "POST"])
def review_sheet(request, nomination_id):
    """The nomination, the review form (assigned reviewers) and the decision form (chairs, staff)."""
    roles = _roles(request, nomination_id, ReviewAction.READ)
    if request.method != "POST":
        return _sheet(request, nomination_id, roles)
    _roles(request, nomination_id, ReviewAction.REVIEW)
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
        return _sheet(request, nomination_id, roles, review_form=request.POST, review_errors=exc.errors, status=400)
    messages.success(request, _("Your review is saved."))
    return redirect(_sheet_url(nomination_id))


@login_required
@require_http_methods(["GET", "POST"])
def declare_conflict(request, nomination_id):
    """
    Declare a conflict of interest, after a page that says what it changes: the nomination leaves
    the reviewer's list and view, and a review they wrote stops counting. Only a POST with
    ``confirm`` declares; anything else shows the page again with the reason kept.
    """
    _roles(request, nomination_id, ReviewAction.DECLARE_CONFLICT)
    reason = request.POST.get("reason", "") if request.method == "POST" else ""
    errors = {}
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            api.declare_conflict(nomination_id=nomination_id, reviewer=request.user, reason=reason)
        except DistinguishedError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Conflict declared; the nomination has been taken off your list."))
            return redirect("openedx_distinguished:pages:review")
    sheet = api.get_review_sheet(nomination_id=nomination_id, user=request.user)
    crumbs = _crumbs() + ((sheet.nomination.nominee_display_name, _sheet_url(nomination_id)),)
    return page(request, "openedx_distinguished/review/conflict.html", {
        "sheet": sheet, "reason": reason, "errors": errors,
        "summary": error_summary(errors, anchors={"reason": ("reason", _("Reason"))}),
    }, status=400 if errors else 200, breadcrumbs=crumbs, section="review")


@login_required
@require_POST
def record_decision(request, nomination_id):
    """Record the (pending, confidential) decision on a nomination; a refusal keeps every field typed."""
    roles = _roles(request, nomination_id, ReviewAction.DECIDE)
    try:
        api.record_decision(nomination_id=nomination_id, actor=request.user,
                            outcome=request.POST.get("outcome", ""), rationale=request.POST.get("rationale", ""),
                            feedback=request.POST.get("feedback", ""),
                            override_reason=request.POST.get("override_reason", ""),
                            citation=request.POST.get("citation", ""))
    except DistinguishedError as exc:
        return _sheet(request, nomination_id, roles, decision_form=request.POST, decision_errors=exc.errors,
                      status=400)
    messages.success(request, _("Decision recorded. It stays confidential until the announcement is released."))
    return redirect(_sheet_url(nomination_id))


@login_required
@require_POST
def reopen_decision(request, nomination_id):
    """Take back the pending decision (program staff), with the reason for the audit log."""
    _roles(request, nomination_id, ReviewAction.REOPEN)
    _tell(request, lambda: api.reopen_decision(nomination_id=nomination_id, actor=request.user,
                                               reason=request.POST.get("reason", "")),
          lambda _done: _("The decision is reopened: the panel can decide again."))
    return redirect(_sheet_url(nomination_id))


def _scoreboard_url(year):
    return reverse("openedx_distinguished:pages:review-scoreboard", args=[year])


@login_required
def scoreboard(request, year):
    """
    The ranked scoreboard of a cycle, per track (chairs: their tracks; staff: all), with each
    nomination's reviewers to add or remove, automatic assignment, and the way to the release.
    """
    tracks = allowed(access.review_scope, user=request.user)
    try:
        rows = api.scoreboard(cycle_year=year, track_ids=tracks, hide_for=request.user)
        cycle = api.get_cycle_data(year=year)
        reviewers = api.nomination_reviewers(cycle_year=year, track_ids=tracks, hide_for=request.user)
    except DistinguishedError as exc:
        raise Http404("No such cycle.") from exc
    by_track = {}
    for row in rows:
        by_track.setdefault(row.track_slug, []).append((row, reviewers.get(row.nomination_id)))
    names = {t.slug: t.name for t in api.list_tracks()}
    return page(request, "openedx_distinguished/review/scoreboard.html", {
        "cycle": cycle,
        "tracks": [(names.get(slug, slug), track_rows) for slug, track_rows in by_track.items()],
        # Reviewers change until the review deadline (the phases before it).
        "assigning": cycle.phase in (CyclePhase.NOMINATIONS, CyclePhase.REVIEW),
        "may_release": api.may_release(user=request.user, cycle_year=year),
    }, breadcrumbs=_crumbs(), section="review")


def _chair_of(request, nomination_id):
    """Chairs of the nomination's track and staff, not conflicted on it (404 for the conflicted and outsiders)."""
    return _roles(request, nomination_id, ReviewAction.ASSIGN)


def _tell(request, act, said):
    """Do ``act()`` and say what it did (``said(result)``), or why it could not: as messages. The result or None."""
    try:
        result = act()
    except DistinguishedError as exc:
        for line in _error_lines(exc):
            messages.error(request, line)
        return None
    messages.success(request, said(result))
    return result


@login_required
@require_POST
def assign(request, year, nomination_id):
    """Add a reviewer to a nomination, from the scoreboard."""
    _chair_of(request, nomination_id)
    username = request.POST.get("reviewer", "")

    def act():
        if not username:
            raise ValidationError({"reviewer": [_("Choose a reviewer to add.")]})
        return api.assign_reviewer(nomination_id=nomination_id, reviewer_username=username, actor=request.user)
    _tell(request, act, lambda done: _("{reviewer} now reviews the nomination of {nominee}.").format(
        reviewer=done.reviewer_username, nominee=done.nominee_display_name))
    return redirect(f"{_scoreboard_url(year)}#nomination-{nomination_id}")


@login_required
@require_POST
def unassign(request, year, nomination_id):
    """Take a nomination back from a reviewer who has not reviewed it, from the scoreboard."""
    _chair_of(request, nomination_id)
    username = request.POST.get("reviewer", "")
    _tell(request, lambda: api.unassign_reviewer(nomination_id=nomination_id, reviewer_username=username,
                                                 actor=request.user),
          lambda _done: _("{reviewer} no longer reviews this nomination.").format(reviewer=username))
    return redirect(f"{_scoreboard_url(year)}#nomination-{nomination_id}")


@login_required
@require_POST
def auto_assign(request, year):
    """Give every nomination of the chair's tracks its reviewers, least-loaded first."""
    tracks = allowed(access.review_scope, user=request.user)
    report = _tell(request, lambda: api.auto_assign(cycle_year=year, actor=request.user, track_ids=tracks),
                   lambda done: _("{count} assignments made.").format(count=len(done.assigned)))
    if report is not None:
        if report.short:
            messages.warning(request, _("{count} nominations are still short of reviewers: the panels have nobody "
                                        "else without a conflict.").format(count=len(report.short)))
    return redirect(_scoreboard_url(year))


@login_required
@require_http_methods(["GET", "POST"])
def release(request, year):
    """
    The release of a cycle's announcement: what it does and what still blocks it, before anyone
    presses the button; then what it did. Program staff and chairs of every track (ADR 0015).
    """
    try:
        api.get_cycle_data(year=year)
    except DistinguishedError as exc:
        raise Http404("No such cycle.") from exc
    allowed(access.check_release, user=request.user, cycle_year=year)
    report, errors, status = None, {}, 200
    if request.method == "POST":
        try:
            report = api.release_announcement(cycle_year=year, actor=request.user)
        except DistinguishedError as exc:
            errors, status = exc.errors, 400
    preview = api.release_preview(cycle_year=year)
    return page(request, "openedx_distinguished/review/release.html", {
        "preview": preview, "report": report, "errors": errors,
        "summary": error_summary(errors),
        # Outcomes counted, in the order of the rubric's recommendations, as enums for the words filter.
        "to_publish": [(r, preview.outcomes[r.value]) for r in Recommendation if r.value in preview.outcomes],
        "published": [(r, report.outcomes[r.value]) for r in Recommendation if report and r.value in report.outcomes],
    }, status=status, breadcrumbs=_crumbs() + ((_("Scoreboard"), _scoreboard_url(year)),), section="review")
