"""
The annual evaluation as program staff run it in the admin: which terms a cycle's evaluation
covers and from when, running it, its recommendations with their reasons and state, and the
confirmation, which always shows what it will do (names, counts, what it holds and why) and asks
again before it changes anything (ADR 0016).
"""
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openedx_distinguished import api
from openedx_distinguished.data import EvaluationOutcome, EvaluationState
from openedx_distinguished.exceptions import DistinguishedError

PAGE_SIZE = 100

STATE_LABELS = {
    EvaluationState.READY.value: gettext_lazy("Ready to confirm"),
    EvaluationState.BLOCKED.value: gettext_lazy("Blocked until its activities are verified"),
    EvaluationState.NOT_ENDED.value: gettext_lazy("Waiting for the term's end"),
    EvaluationState.CONFIRMED.value: gettext_lazy("Confirmed"),
}


def evaluation_url(year):
    """The evaluation page of the cycle of ``year``."""
    return reverse("admin:openedx_distinguished_evaluation", args=[year])


def evaluation_index_view(model_admin, request):  # pylint: disable=unused-argument
    """The evaluation page of the latest cycle (the cycles are listed on every evaluation page)."""
    _require_program_staff(request)
    cycles = api.list_cycles()
    if not cycles:
        raise Http404("No cycle yet.")
    return HttpResponseRedirect(evaluation_url(max(cycle.year for cycle in cycles)))


def evaluation_view(model_admin, request, year):
    """
    GET: the cycle's evaluation. POST ``step=run``: run it. POST ``step=review``: the summary of
    what confirming would do. POST ``step=confirm``: confirm (only from the summary's form).
    """
    _require_program_staff(request)
    try:
        cycle = api.get_cycle_data(year=year)
    except DistinguishedError as exc:
        raise Http404(str(exc)) from exc
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "run":
        counts = api.evaluate_terms(cycle_year=year)
        model_admin.message_user(request, _("Evaluated: {renew} to renew, {lapse} to lapse, {lifetime} to make "
                                            "lifetime members.").format(**counts), messages.SUCCESS)
        return HttpResponseRedirect(request.path)
    if step == "review":
        return _summary(model_admin, request, cycle)
    if step == "confirm":
        if request.POST.get("confirm") != "yes":
            return _summary(model_admin, request, cycle)
        result = api.confirm_evaluations(cycle_year=year, actor=request.user)
        model_admin.message_user(request, _("Applied: {renew} renewed, {lapse} lapsed, {lifetime} lifetime.").format(
            **{outcome.value: result[outcome.value] for outcome in EvaluationOutcome}), messages.SUCCESS)
        for held in result["held"]:
            model_admin.message_user(request, _("Term {term} held: {reason}").format(**held), messages.WARNING)
        return HttpResponseRedirect(request.path)
    state = request.GET.get("state") or None
    if state not in STATE_LABELS:
        state = None
    raw_page = request.GET.get("page", "1")
    page = max(int(raw_page), 1) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7 else 1
    overview = api.evaluation_overview(cycle_year=year, states={state} if state else None,
                                       offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return TemplateResponse(request, "openedx_distinguished/admin/evaluation.html", {
        **model_admin.admin_site.each_context(request),
        "title": _("Annual evaluation — %(name)s") % {"name": cycle.name},
        "cycle": cycle,
        "cycles": sorted(api.list_cycles(), key=lambda c: -c.year),
        "overview": overview,
        "states": [(value, label, overview.states.get(value, 0)) for value, label in STATE_LABELS.items()],
        "state": state,
        "all_count": sum(overview.states.values()),
        "rows": [(row, STATE_LABELS[row.state.value]) for row in overview.rows],
        "page": page,
        "page_numbers": range(1, max((overview.total + PAGE_SIZE - 1) // PAGE_SIZE, 1) + 1),
        "evaluations_url": reverse("admin:openedx_distinguished_termevaluation_changelist") + f"?cycle__year={year}",
        "activities_url": reverse("admin:openedx_distinguished_activity_changelist") + "?status__exact=pending",
    })


def _summary(model_admin, request, cycle, *, term_ids=None, selected=()):
    """
    What confirming would do, by name, and the form that asks again: the evaluation page's, or
    (``selected``: evaluation ids) the admin action's on the evaluations selected.
    """
    preview = api.confirmation_preview(cycle_year=cycle.year, term_ids=term_ids)
    return TemplateResponse(request, "openedx_distinguished/admin/evaluation_confirm.html", {
        "selected": selected,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        **model_admin.admin_site.each_context(request),
        "title": _("Confirm the evaluation — %(name)s") % {"name": cycle.name},
        "cycle": cycle,
        "preview": preview,
        "groups": [(_("Renew"), preview[EvaluationOutcome.RENEW.value]),
                   (_("Lapse (to alumni)"), preview[EvaluationOutcome.LAPSE.value]),
                   (_("Lifetime membership"), preview[EvaluationOutcome.LIFETIME.value])],
        "applies": sum(len(preview[outcome.value]) for outcome in EvaluationOutcome),
        "back_url": evaluation_url(cycle.year),
    })


def confirm_selected(model_admin, request, queryset):
    """
    The admin action on selected evaluations: the summary of what it would do first (one cycle at
    a time); applied only when that page's form comes back.
    """
    years = sorted(set(queryset.values_list("cycle__year", flat=True)))
    if len(years) != 1:
        model_admin.message_user(request, _("Select the evaluations of one cycle at a time."), messages.ERROR)
        return None
    year = years[0]
    term_ids = list(queryset.values_list("term_id", flat=True))
    if request.POST.get("apply") != "yes":
        return _summary(model_admin, request, api.get_cycle_data(year=year), term_ids=term_ids,
                        selected=list(queryset.values_list("pk", flat=True)))
    result = api.confirm_evaluations(cycle_year=year, actor=request.user, term_ids=term_ids)
    model_admin.message_user(request, _("{year}: applied {renew} renewed, {lapse} lapsed, {lifetime} lifetime.").format(
        year=year, **{outcome.value: result[outcome.value] for outcome in EvaluationOutcome}), messages.SUCCESS)
    for held in result["held"]:
        model_admin.message_user(request, _("Term {term} held: {reason}").format(**held), messages.WARNING)
    return None


def _require_program_staff(request):
    if not api.is_program_staff(user=request.user):
        raise PermissionDenied
