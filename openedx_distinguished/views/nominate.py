"""
The nomination form at ``/distinguished/nominate/``: whom and for which track (step 1), then the
case (step 2). When the nominee already has a nomination in the track, step 2 becomes "support
this nomination" (ADR 0010). Every step works without JavaScript and keeps what was typed.
"""
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openedx_distinguished import api
from openedx_distinguished.data import ExistingNomination, NominateAs
from openedx_distinguished.exceptions import DistinguishedError

from .forms import CaseForm, error_summary
from .layout import page

NOMINATE = "openedx_distinguished:pages:nominate"
TEMPLATE = "openedx_distinguished/pages/nominate.html"


def _choice(source):
    """What step 1 asks: whom (``as``), the track, and the nominee or organization."""
    return {"as": (source.get("as") or "").strip(), "track": (source.get("track") or "").strip(),
            "nominee": (source.get("nominee") or "").strip()[:254],
            "organization": (source.get("organization") or "").strip()}


def _step_two_url(check, track_slug):
    """Step 2's address: whom and which track, with the username (never an e-mail address) of a peer."""
    query = {"as": check.nominate_as.value, "track": track_slug}
    if check.organization_slug:
        query["organization"] = check.organization_slug
    elif check.nominate_as == NominateAs.PEER:
        query["nominee"] = check.username
    return f"{reverse(NOMINATE)}?{urlencode(query)}"


def _check(request, choice, window):
    """Resolve the nominee step 1 names (find_nominee), in the cycle taking nominations."""
    return api.find_nominee(nominator=request.user, cycle_year=window.cycle.year, track_slug=choice["track"],
                            nominate_as=choice["as"], nominee=choice["nominee"],
                            organization_slug=choice["organization"])


def _step_one(request, window, choice, errors=None, status=200):
    errors = errors or {}
    return page(request, TEMPLATE, {
        "step": 1, "window": window, "choice": choice, "errors": errors,
        "summary": error_summary(errors, anchors={
            "nominate_as": ("as-self", _("Whom you nominate")), "track": ("track-list", _("Track")),
            "nominee": ("nominee", _("The peer")), "organization": ("organization", _("The organization"))}),
        "tracks": api.list_tracks(), "organizations": api.list_organizations(),
        "nominate_as": [c.value for c in NominateAs],
    }, status=status, breadcrumbs=_crumbs(), section="nominate")


def _crumbs():
    return ((_("Distinguished Contributors"), reverse("openedx_distinguished:pages:program")),)


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request):
    """
    Step 1 (whom, which track) and step 2 (the case, or support for an existing nomination).

    GET with ``as``, ``track`` and ``nominee`` (a username) or ``organization`` shows step 2;
    POST ``step=choose`` checks step 1 and redirects there; POST ``step=write`` saves a draft,
    submits, or endorses, and re-renders with the errors next to their fields when refused.
    """
    window = api.nomination_window(user=request.user)
    if not window.is_open:
        return _step_one(request, window, _choice(request.GET))
    if request.method == "POST" and request.POST.get("step") == "choose":
        choice = _choice(request.POST)
        try:
            check = _check(request, choice, window)
        except DistinguishedError as exc:
            return _step_one(request, window, choice, exc.errors, status=400)
        return redirect(_step_two_url(check, choice["track"]))
    choice = _choice(request.GET)
    if not (choice["as"] and choice["track"]):
        return _step_one(request, window, choice)
    try:
        check = _check(request, choice, window)
    except DistinguishedError as exc:
        return _step_one(request, window, choice, exc.errors, status=400)
    form = CaseForm(track=api.get_track_data(slug=choice["track"]),
                    data=request.POST if request.method == "POST" else None,
                    endorsing=check.existing == ExistingNomination.ENDORSABLE)
    errors, status = {}, 200
    # A post that writes goes to the API whatever this page knows now: a form posted a second time
    # finds what its first post made (its form token), and the API says why anything else is refused.
    if request.method == "POST" and form.action() in ("draft", "submit", "endorse"):
        try:
            outcome = _save(request, window.cycle.year, choice["track"], check, form)
        except DistinguishedError as exc:
            errors, status = exc.errors, 400
        else:
            return _saved(request, outcome)
    if check.existing == ExistingNomination.OWN_DRAFT:
        messages.info(request, _("You already have a draft of this nomination: here it is."))
        return redirect("openedx_distinguished:pages:nomination-edit", check.existing_id)
    track = form.track
    endorsing = form.endorsing
    return page(request, TEMPLATE, {
        "step": 2, "window": window, "choice": choice, "check": check, "track": track,
        "endorsing": endorsing, "form": form.bound(errors), "errors": errors,
        "summary": error_summary(errors, anchors=form.anchors()),
        "change_url": f"{reverse(NOMINATE)}?{urlencode({k: v for k, v in choice.items() if v})}",
        "form_token": form.token or uuid.uuid4().hex,
        "existing": check.existing.value,
    }, status=status, breadcrumbs=_crumbs(), section="nominate")


def _save(request, cycle_year, track_slug, check, form):
    """Write what step 2 asks: a draft, a submitted nomination, or support for an existing one."""
    action = form.action()
    nominee = {"nominee_username": check.username} if check.username else {
        "nominee_organization_slug": check.organization_slug}
    values = {"cycle_year": cycle_year, "track_slug": track_slug,
              "justifications": form.justifications(), "evidence_links": form.evidence_links(),
              "form_token": form.token or None, **nominee}
    if action == "endorse":
        return api.endorse_nomination(endorser=request.user, **values)
    return api.create_nomination(nominator=request.user, submit=action == "submit", **values)


def _saved(request, outcome):
    """Say what happened and go where the result can be followed."""
    if outcome.endorsement is not None:
        messages.success(request, _("Thank you: your support is recorded. The review panel reads it with the "
                                    "nomination, and its nominator has been told."))
        return redirect("openedx_distinguished:pages:my-nominations")
    nomination = outcome.nomination
    status = nomination.status.value
    if status == "draft":
        messages.success(request, _("Your draft is saved. Only you can see it until you submit it."))
    elif status == "awaiting_consent":
        messages.success(request, _("Your nomination is submitted. We have asked %(name)s to consent; it goes to "
                                    "the review panel once they accept.") % {"name": nomination.nominee_display_name})
    else:
        messages.success(request, _("Your nomination is submitted and waits for the review panel."))
    return redirect("openedx_distinguished:pages:nomination", nomination.id)
