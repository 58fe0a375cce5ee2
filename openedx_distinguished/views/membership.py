"""
My membership: terms, renewal progress, activities, badges and certificates, incentives and
awards, the hall-of-fame listing and the referral link, in one page with its forms.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from openedx_distinguished import access, api, parsing
from openedx_distinguished.exceptions import DistinguishedError, NotFound, ValidationError

from .forms import error_summary
from .guard import allowed
from .layout import page

MEMBERSHIP = "openedx_distinguished:pages:membership"

# The fields of each form of the page, for the error summary's links: (element id, label).
ACTIVITY_FIELDS = {
    "activity_type": ("activity_type", gettext_lazy("Kind of activity")),
    "title": ("title", gettext_lazy("What you did")),
    "occurred_on": ("occurred_on", gettext_lazy("When")),
    "evidence_url": ("evidence_url", gettext_lazy("Evidence link")),
    "description": ("description", gettext_lazy("Details")),
}


def _back(anchor):
    """Back to a section of My membership after a form was saved."""
    return redirect(f"{reverse(MEMBERSHIP)}#{anchor}")


def _report_activity(request):
    """Report an activity (current members)."""
    allowed(access.check_member, user=request.user)
    api.report_activity(user=request.user, activity_type=request.POST.get("activity_type", ""),
                        title=request.POST.get("title", ""), occurred_on=request.POST.get("occurred_on", ""),
                        evidence_url=request.POST.get("evidence_url", ""),
                        description=request.POST.get("description", ""))
    messages.success(request, _("Thank you: your activity is recorded. Program staff verify it; you will get an "
                                "e-mail when they have."))
    return _back("activities")


def _set_listing(request):
    """Appear in public, or stop."""
    listed = request.POST.get("listed") == "yes"
    api.set_listing(user=request.user, listed=listed)
    messages.success(request, _("You now appear in the hall of fame and on your profile's badges.") if listed
                     else _("You no longer appear in the hall of fame, the feed or your profile's badges."))
    return _back("listing")


def _own(request, field, check, missing):
    """
    The id the form posted in ``field``, once ``check`` (the rule book) says it is the person's:
    a 404 (``missing``) for an id that is not one, or not theirs.
    """
    try:
        pk = parsing.whole_number(request.POST.get(field, ""), field=field)
    except ValidationError as exc:
        raise Http404(missing) from exc
    allowed(check, user=request.user, **{f"{field}_id": pk})
    return pk


def _give_address(request):
    """Where to ship an award (its holder, or the holding organization's contacts)."""
    fulfilment_id = _own(request, "fulfilment", access.check_fulfilment_holder, "No such award.")
    api.set_shipping_address(fulfilment_id=fulfilment_id, name=request.POST.get("name", ""),
                             address=request.POST.get("address", ""))
    messages.success(request, _("Thank you: the award will be shipped to this address."))
    return _back("awards")


def _posted_answer(request, yes, no, refusal):
    """Whether the form's ``answer`` is ``yes`` (True) or ``no`` (False); a ValidationError otherwise."""
    answer = request.POST.get("answer", "")
    if answer not in (yes, no):
        raise ValidationError({"answer": [refusal]})
    return answer == yes


def _answer_offer(request):
    """Accept or decline an incentive offered (its member, or the member organization's contacts)."""
    deliverable_id = _own(request, "deliverable", access.check_deliverable_holder, "No such incentive.")
    accept = _posted_answer(request, "accept", "decline", _("Choose to accept or to decline."))
    answered = api.answer_offer(deliverable_id=deliverable_id, user=request.user, accept=accept)
    messages.success(request, (_("Thank you: you accepted “{name}”. Program staff will be in touch.") if accept
                               else _("You declined “{name}”.")).format(name=answered.incentive_name))
    return _back("awards")


def _request_funding(request):
    """Ask for support of a project on a funding incentive (its member, or the member organization's contacts)."""
    deliverable_id = _own(request, "deliverable", access.check_deliverable_holder, "No such incentive.")
    asked = api.request_funding(deliverable_id=deliverable_id, user=request.user,
                                project=request.POST.get("project", ""),
                                description=request.POST.get("description", ""),
                                reasons=request.POST.get("reasons", ""), amount=request.POST.get("amount", ""),
                                currency=request.POST.get("currency", ""))
    messages.success(request, _("Thank you: your request for “{project}” is with the program staff. You will "
                                "see their decision here.").format(project=asked.project))
    return _back("awards")


def _answer_invitation(request):
    """Say whether one will attend (the invited member, or the member organization's contacts)."""
    reply_id = _own(request, "reply", access.check_invitation_reply, "No such invitation.")
    attend = _posted_answer(request, "yes", "no", _("Choose yes or no."))
    answered = api.answer_invitation(reply_id=reply_id, user=request.user, attend=attend)
    messages.success(request, (_("Thank you: you will attend “{title}”.") if attend
                               else _("You will not attend “{title}”.")).format(title=answered.title))
    return _back("awards")


# The fields of the funding form, for the error summary's links (suffixed with the incentive's id).
FUNDING_FIELDS = {
    "project": gettext_lazy("Project"),
    "description": gettext_lazy("What it is and what the money pays for"),
    "reasons": gettext_lazy("Why it matters for Open edX"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
}

FORMS = {"activity": _report_activity, "listing": _set_listing, "address": _give_address, "answer": _answer_offer,
         "funding": _request_funding, "invitation": _answer_invitation}


def _anchors(posted, form):
    """Where the error summary's links lead, for the form that was posted."""
    if posted == "activity":
        return ACTIVITY_FIELDS
    if posted == "funding":
        suffix = form.get("deliverable", "")
        return {field: (f"{field}-{suffix}", label) for field, label in FUNDING_FIELDS.items()}
    return {"name": (f"name-{form.get('fulfilment', '')}", _("Recipient")),
            "address": (f"address-{form.get('fulfilment', '')}", _("Address"))}


@login_required
@require_http_methods(["GET", "POST"])
def my_membership(request):
    """
    The person's membership page. Its forms post here with ``form`` naming which one: ``activity``
    (report an activity; members), ``listing`` (appear in public or not), ``address`` (where to ship
    an award; its holder), ``answer`` (accept or decline an incentive offered; its holder),
    ``funding`` (request support for a project; its holder), ``invitation`` (attend or not; the
    invited member). A refused form comes back with its errors next to its fields.
    """
    errors, status, posted = {}, 200, ""
    if request.method == "POST":
        posted = request.POST.get("form", "")
        if posted not in FORMS:
            raise Http404("No such form.")
        try:
            return FORMS[posted](request)
        except DistinguishedError as exc:
            errors, status = exc.errors, 400
    overview = api.membership_overview(user=request.user)
    invitations = api.list_invitations(holder=request.user)
    progress = {p.term_id: p for p in overview.progress}
    return page(request, "openedx_distinguished/pages/membership.html", {
        "overview": overview,
        "current": [t for t in overview.terms if t.status.value in ("active", "renewal_due", "lifetime")],
        "renewals": [(t, progress[t.id]) for t in overview.terms if t.id in progress],
        "incentives": [(t, [(item, [i for i in invitations if i.term_id == t.id
                                    and i.incentive_slug == item.incentive.slug])
                            for item in overview.incentives if item.term_id == t.id])
                       for t in overview.terms if any(item.term_id == t.id for item in overview.incentives)],
        "posted": posted, "errors": errors, "form": request.POST if status == 400 else {},
        "address_fulfilment": request.POST.get("fulfilment", "") if posted == "address" else "",
        "funding_deliverable": request.POST.get("deliverable", "") if posted == "funding" else "",
        "summary": error_summary(errors, anchors=_anchors(posted, request.POST)),
        "window": api.nomination_window(user=request.user),
        "share_kits": api.share_kits(user=request.user, credentials=overview.credentials),
    }, status=status, breadcrumbs=((_("Distinguished Contributors"), reverse("openedx_distinguished:pages:program")),),
        section="membership")


@login_required
@require_safe
def invitation_ics(request, invitation_id):
    """An invitation's event as an iCalendar file, for the invited members and program staff."""
    allowed(access.check_invitee, user=request.user, invitation_id=invitation_id)
    try:
        body = api.invitation_ics(invitation_id=invitation_id)
    except NotFound as exc:
        raise Http404("No such invitation.") from exc
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="invitation-{invitation_id}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
