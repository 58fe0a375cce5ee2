"""
My nominations, a nomination's page, and what nominators, nominees and endorsers do there:
finish a draft, answer a consent request, withdraw a nomination or one's support.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openedx_distinguished import access, api
from openedx_distinguished.access import NominationAction
from openedx_distinguished.data import ConsentDecision, NominationStanding, NominationStatus
from openedx_distinguished.exceptions import DistinguishedError, InvalidTransition

from .forms import CaseForm, error_summary
from .guard import allowed
from .layout import page
from .wording import NOMINATION_STATUS, next_step

S = NominationStatus

# Statuses in which a nomination can still be withdrawn (``nominations.TRANSITIONS``).
WITHDRAWABLE = (S.DRAFT, S.AWAITING_CONSENT, S.SUBMITTED, S.IN_REVIEW)

# How many nominations and endorsements My nominations lists (newest first); nobody has more in practice.
LIST_LIMIT = 200

MY_NOMINATIONS = "openedx_distinguished:pages:my-nominations"


def _crumbs(*more):
    """The breadcrumbs from the program's page, then ``more`` (label, url) pairs."""
    return ((_("Distinguished Contributors"), reverse("openedx_distinguished:pages:program")),) + more


def _nomination_crumbs():
    return _crumbs((_("My nominations"), reverse(MY_NOMINATIONS)))


def _row(nomination, *, user, history, cycle, roles=None):
    """
    What a page shows of one nomination for ``user``: status, history, next step and the actions
    open to them. ``roles`` are the user's roles on it; a listing gives none, as it lists only
    nominations the user made or that name them.
    """
    username = user.get_username()
    mine = nomination.nominator_username == username
    about_me = (api.ROLE_NOMINEE in roles) if roles is not None else not mine
    staff = roles is not None and api.ROLE_STAFF in roles
    return {
        "nomination": nomination,
        "mine": mine,
        # A reason is shown to whoever wrote it and to program staff (a refusal's reason is the nominee's).
        "history": [{"step": step, "reason": step.reason if staff or step.actor_username == username else ""}
                    for step in history],
        "next": next_step(nomination, as_nominee=about_me and not mine, cycle=cycle),
        "can_edit": mine and nomination.status == S.DRAFT,
        # A nominee asked for consent answers it (declining ends it); withdrawing is for afterwards.
        "can_withdraw": nomination.status in WITHDRAWABLE and (mine or staff or (
            about_me and nomination.status != S.AWAITING_CONSENT)),
        "can_answer": about_me and nomination.status == S.AWAITING_CONSENT,
    }


@login_required
def my_nominations(request):
    """The nominations I made, those about me, and the nominations I support, each with its next step."""
    user = request.user
    listed = api.list_nominations(user=user, limit=LIST_LIMIT).items
    history = api.nomination_history(nomination_ids=[n.id for n in listed])
    cycles = {c.year: c for c in api.list_cycles()}
    rows = [_row(n, user=user, history=history[n.id], cycle=cycles[n.cycle_year]) for n in listed]
    endorsements = api.list_endorsements(user=user, limit=LIST_LIMIT).items
    window = api.nomination_window(user=user)
    return page(request, "openedx_distinguished/pages/my_nominations.html", {
        "made": [row for row in rows if row["mine"]],
        "about": [row for row in rows if not row["mine"]],
        "endorsements": [{"endorsement": e, "can_withdraw": e.withdrawn_at is None
                          and e.standing == NominationStanding.UNDER_CONSIDERATION
                          and cycles[e.cycle_year].phase.value in ("nominations", "review")}
                         for e in endorsements],
        "window": window,
    }, breadcrumbs=_crumbs(), section="nominations")


@login_required
def nomination_page(request, nomination_id):
    """One nomination, for its nominator, its nominee and program staff; the nominee answers consent here."""
    roles = allowed(access.check_nomination, user=request.user, nomination_id=nomination_id,
                    action=NominationAction.VIEW)
    data = api.get_nomination(nomination_id=nomination_id)
    cycle = api.get_cycle_data(year=data.cycle_year)
    row = _row(data, user=request.user, history=api.nomination_history(nomination_ids=[data.id])[data.id],
               cycle=cycle, roles=roles)
    track = api.get_track_data(slug=data.track_slug)
    return page(request, "openedx_distinguished/pages/nomination.html", {
        **row, "cycle": cycle, "roles": roles, "is_staff": api.ROLE_STAFF in roles,
        "case": [{"criterion": c, "text": data.justifications.get(c.slug, "")} for c in track.criteria],
        "endorsements": api.nomination_endorsements(nomination_id=data.id),
    }, breadcrumbs=_nomination_crumbs(), section="nominations")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, nomination_id):
    """Finish a draft: the case form, saved as a draft or submitted."""
    allowed(access.check_nomination, user=request.user, nomination_id=nomination_id, action=NominationAction.EDIT)
    data = api.get_nomination(nomination_id=nomination_id)
    if data.status != S.DRAFT:
        messages.info(request, _("This nomination is no longer a draft: it was submitted."))
        return redirect("openedx_distinguished:pages:nomination", nomination_id)
    track = api.get_track_data(slug=data.track_slug)
    form = CaseForm(track=track, data=request.POST if request.method == "POST" else None, initial=data)
    errors, status = {}, 200
    if request.method == "POST" and form.action() in ("draft", "submit"):
        try:
            outcome = api.save_draft(nomination_id=nomination_id, actor=request.user,
                                     justifications=form.justifications(), evidence_links=form.evidence_links(),
                                     submit=form.action() == "submit")
        except InvalidTransition:
            messages.info(request, _("This nomination is no longer a draft: it was submitted."))
            return redirect("openedx_distinguished:pages:nomination", nomination_id)
        except DistinguishedError as exc:
            errors, status = exc.errors, 400
        else:
            return _after_save(request, outcome)
    return page(request, "openedx_distinguished/pages/edit.html", {
        "nomination": data, "track": track, "form": form.bound(errors), "errors": errors,
        "summary": error_summary(errors, anchors=form.anchors()),
    }, status=status, breadcrumbs=_nomination_crumbs(), section="nominations")


def _after_save(request, outcome):
    """Say what saving the draft did and go where it can be followed."""
    if outcome.endorsement is not None:
        messages.success(request, _("Someone else's nomination of this nominee was submitted first, so your case "
                                    "now supports it. The review panel reads it with that nomination."))
        return redirect(MY_NOMINATIONS)
    status = outcome.nomination.status
    if status == S.DRAFT:
        messages.success(request, _("Your draft is saved."))
    elif status == S.AWAITING_CONSENT:
        messages.success(request, _("Your nomination is submitted. We have asked %(name)s to consent.")
                         % {"name": outcome.nomination.nominee_display_name})
    else:
        messages.success(request, _("Your nomination is submitted and waits for the review panel."))
    return redirect("openedx_distinguished:pages:nomination", outcome.nomination.id)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, nomination_id):
    """Withdraw a nomination, after a confirmation page (nominator, nominee or program staff)."""
    allowed(access.check_nomination, user=request.user, nomination_id=nomination_id,
            action=NominationAction.WITHDRAW)
    data = api.get_nomination(nomination_id=nomination_id)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            api.withdraw_nomination(nomination_id=nomination_id, actor=request.user,
                                    reason=request.POST.get("reason", ""))
        except InvalidTransition:
            messages.error(request, _("This nomination can no longer be withdrawn: it is %(status)s.")
                           % {"status": _status_text(data.status)})
            return redirect("openedx_distinguished:pages:nomination", nomination_id)
        except DistinguishedError as exc:
            errors, status = exc.errors, 400
        else:
            messages.success(request, _("The nomination is withdrawn."))
            return redirect("openedx_distinguished:pages:nomination", nomination_id)
    return page(request, "openedx_distinguished/pages/confirm.html", {
        "nomination": data, "action": "withdraw", "errors": errors, "reason": request.POST.get("reason", ""),
        "summary": error_summary(errors, anchors={"reason": ("reason", _("Reason"))}),
    }, status=status, breadcrumbs=_nomination_crumbs(), section="nominations")


@login_required
@require_http_methods(["GET", "POST"])
def consent(request, nomination_id):
    """The nominee accepts or declines a peer nomination, after a confirmation page."""
    allowed(access.check_nomination, user=request.user, nomination_id=nomination_id,
            action=NominationAction.CONSENT)
    data = api.get_nomination(nomination_id=nomination_id)
    answer = request.POST.get("answer") if request.method == "POST" else request.GET.get("answer")
    if data.status != S.AWAITING_CONSENT:
        messages.info(request, _("This nomination is not waiting for your answer any more."))
        return redirect("openedx_distinguished:pages:nomination", nomination_id)
    if answer not in (ConsentDecision.ACCEPT.value, ConsentDecision.DECLINE.value):
        return redirect("openedx_distinguished:pages:nomination", nomination_id)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            api.respond_to_nomination(nomination_id=nomination_id, actor=request.user, decision=answer,
                                      reason=request.POST.get("reason", ""))
        except InvalidTransition:
            messages.info(request, _("This nomination is not waiting for your answer any more."))
            return redirect("openedx_distinguished:pages:nomination", nomination_id)
        except DistinguishedError as exc:
            errors, status = exc.errors, 400
        else:
            if answer == ConsentDecision.ACCEPT.value:
                messages.success(request, _("Thank you: the nomination goes to the review panel."))
            else:
                messages.success(request, _("You declined the nomination. It will not be reviewed."))
            return redirect("openedx_distinguished:pages:nomination", nomination_id)
    return page(request, "openedx_distinguished/pages/confirm.html", {
        "nomination": data, "action": answer, "errors": errors, "reason": request.POST.get("reason", ""),
        "summary": error_summary(errors, anchors={"reason": ("reason", _("Reason"))}),
        "cycle": api.get_cycle_data(year=data.cycle_year),
    }, status=status, breadcrumbs=_nomination_crumbs(), section="nominations")


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_endorsement(request, endorsement_id):
    """Withdraw one's support of a nomination, after a confirmation page."""
    endorsement = allowed(access.check_endorser, user=request.user, endorsement_id=endorsement_id)
    if request.method == "POST":
        try:
            api.withdraw_endorsement(endorsement_id=endorsement_id, actor=request.user)
        except DistinguishedError as exc:
            for lines in exc.errors.values():
                for line in lines:
                    messages.error(request, line)
        else:
            messages.success(request, _("Your support is withdrawn. The panel no longer sees it."))
        return redirect(reverse(MY_NOMINATIONS) + "#endorsements")
    return page(request, "openedx_distinguished/pages/confirm.html", {
        "endorsement": endorsement, "action": "withdraw-endorsement", "errors": {}, "summary": [],
    }, breadcrumbs=_nomination_crumbs(), section="nominations")


def _status_text(status):
    """A nomination status in words, as it reads inside a sentence."""
    return str(NOMINATION_STATUS.get(status, status)).lower()
