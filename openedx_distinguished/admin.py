"""
LMS Django admin for program staff: edit the program definition; read nominations and change their
state only through ``api.py`` (admin actions), never by editing a status field.
"""
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from openedx_distinguished import api
from openedx_distinguished.activity_import_admin import import_view as activity_import_view
from openedx_distinguished.charts import bar_chart
from openedx_distinguished.evaluation_admin import confirm_selected as confirm_evaluation_selection
from openedx_distinguished.evaluation_admin import evaluation_index_view, evaluation_view
from openedx_distinguished.exceptions import DistinguishedError
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    AuditEntry,
    BudgetLine,
    Credential,
    Criterion,
    CriterionScore,
    Cycle,
    Decision,
    DeclaredConflict,
    Deliverable,
    Endorsement,
    Expense,
    Fulfilment,
    FundingPayment,
    FundingRequest,
    Incentive,
    Initiative,
    Invitation,
    InvitationReply,
    MembershipTerm,
    MessageLog,
    Nomination,
    NominationTransition,
    Onboarding,
    Panel,
    PanelMember,
    PartnerOrganization,
    Program,
    QualifyingCourseRun,
    ReferralCode,
    Review,
    ReviewAssignment,
    SigningKey,
    TermEvaluation,
    Track,
)
from openedx_distinguished.parsing import register_path_converters


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    """The program's policy: term length, lifetime milestone, retention rule, cap and KPI targets."""

    list_display = ("name", "slug", "term_length_months", "lifetime_after_years", "max_nominations_per_nominator")
    search_fields = ("name", "slug")
    fieldsets = (
        (None, {"fields": ("slug", "name", "description")}),
        (_("Membership"), {"fields": ("term_length_months", "lifetime_after_years",
                                      "retention_min_activities", "retention_activity_types")}),
        (_("Nominations"), {"fields": ("max_nominations_per_nominator",)}),
        (_("KPI targets"), {"fields": ("target_active_members_first_year", "target_retention_rate",
                                       "target_initiatives_per_year", "target_onboarded_per_year")}),
    )

    change_list_template = "openedx_distinguished/admin/program_change_list.html"

    def get_urls(self):
        """The program dashboard (KPIs with charts, CSV) and each cycle's budget report."""
        register_path_converters()  # a year is 1 to 18 digits: a longer one is a 404, not a database error
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="openedx_distinguished_dashboard"),
            path("dashboard/kpis.csv", wrap(self.dashboard_csv_view), name="openedx_distinguished_dashboard_csv"),
            path("budget/<bounded_int:year>/", wrap(self.budget_view), name="openedx_distinguished_budget"),
            path("evaluation/", wrap(partial(evaluation_index_view, self)), name="openedx_distinguished_evaluations"),
            path("evaluation/<bounded_int:year>/", wrap(partial(evaluation_view, self)),
                 name="openedx_distinguished_evaluation"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "dashboard_url": reverse("admin:openedx_distinguished_dashboard")}
        return super().changelist_view(request, extra_context)

    @staticmethod
    def _require_program_staff(request):
        if not api.is_program_staff(user=request.user):
            raise PermissionDenied

    def dashboard_view(self, request):
        """Indicators against targets per year and per track, drawn as SVG charts."""
        self._require_program_staff(request)
        rows = api.compute_kpis()
        years = sorted({row.year for row in rows})
        try:
            year = int(request.GET.get("year") or (years[-1] if years else 0))
        except ValueError:
            year = years[-1] if years else 0
        if years and year not in years:
            year = years[-1]
        program_rows = [row for row in rows if not row.track_slug]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Program dashboard"),
            "years": years,
            "year": year,
            "program_rows": program_rows,
            "track_rows": [row for row in rows if row.track_slug and row.year == year],
            "charts": dashboard_charts(program_rows, [row for row in rows if row.year == year]) if rows else [],
            "csv_url": reverse("admin:openedx_distinguished_dashboard_csv"),
            "budget_url": reverse("admin:openedx_distinguished_budget", args=[year]) if year else "",
            "delivery": api.delivery_summary(cycle_year=year) if year else [],
            "board_url": reverse("admin:openedx_distinguished_deliverable_changelist"),
            "cycle_id": Cycle.objects.filter(year=year).values_list("pk", flat=True).first() if year else None,
        }
        return TemplateResponse(request, "openedx_distinguished/admin/dashboard.html", context)

    def dashboard_csv_view(self, request):
        """Every indicator of every year and track, as CSV."""
        self._require_program_staff(request)
        response = HttpResponse(api.kpis_csv(rows=api.compute_kpis()), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="distinguished-kpis.csv"'
        return response

    def budget_view(self, request, year):
        """The cycle's budget as the proposal's table; ``?format=csv|markdown`` downloads it."""
        self._require_program_staff(request)
        if request.method == "POST":
            try:
                created = api.start_cycle_budget(cycle_year=year)
            except DistinguishedError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("%(count)s budget line(s) copied from the program's estimate.")
                                  % {"count": created}, messages.SUCCESS if created else messages.INFO)
            return HttpResponseRedirect(request.path)
        try:
            report = api.budget_report(cycle_year=year)
        except DistinguishedError as exc:
            raise Http404(str(exc)) from exc
        export = request.GET.get("format")
        if export in ("csv", "markdown"):
            body, kind, extension = ((api.budget_csv(report=report), "text/csv", "csv") if export == "csv"
                                     else (api.budget_markdown(report=report), "text/markdown", "md"))
            response = HttpResponse(body, content_type=f"{kind}; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="distinguished-budget-{year}.{extension}"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Budget %(year)s") % {"year": year},
            "year": year,
            "report": report,
            "rows": api.budget_table_rows(report=report),
            "line_count": len(report.lines),
            "lines_url": reverse("admin:openedx_distinguished_budgetline_changelist") + f"?cycle__year={year}",
            "expenses_url": reverse("admin:openedx_distinguished_expense_changelist") + f"?cycle__year={year}",
            "dashboard_url": reverse("admin:openedx_distinguished_dashboard") + f"?year={year}",
        }
        return TemplateResponse(request, "openedx_distinguished/admin/budget.html", context)


def dashboard_charts(program_rows, year_rows):
    """The dashboard's SVG charts: each indicator across the years, then the chosen year's funnel."""
    labels = [str(row.year) for row in program_rows]
    first = program_rows[0] if program_rows else None
    charts = [
        bar_chart(chart_id="od-chart-active", title=str(_("Active members")), labels=labels,
                  series=[(str(_("members")), [row.active_members for row in program_rows])],
                  target=first.active_members_target if first else None, target_label=str(_("target"))),
        bar_chart(chart_id="od-chart-retention", title=str(_("Year-over-year retention")), labels=labels,
                  series=[(str(_("retained")), [row.retention_rate for row in program_rows])],
                  target=first.retention_target if first else None, target_label=str(_("target")), percent=True),
        bar_chart(chart_id="od-chart-initiatives", title=str(_("Community initiatives")), labels=labels,
                  series=[(str(_("initiatives")), [row.initiatives for row in program_rows])],
                  target=first.initiatives_target if first else None, target_label=str(_("target"))),
        bar_chart(chart_id="od-chart-onboarded", title=str(_("Onboarded by members")), labels=labels,
                  series=[(str(_("members")), [row.onboarded_members for row in program_rows]),
                          (str(_("partners")), [row.onboarded_partners for row in program_rows])],
                  target=first.onboarded_target if first else None, target_label=str(_("target"))),
    ]
    tracks = [row for row in year_rows if row.track_slug]
    if tracks:
        charts.append(bar_chart(
            chart_id="od-chart-funnel", title=str(_("Nominations of %(year)s by track") % {"year": tracks[0].year}),
            labels=[row.track_name for row in tracks],
            series=[(str(_("submitted")), [row.nominations_submitted for row in tracks]),
                    (str(_("in review")), [row.nominations_in_review for row in tracks]),
                    (str(_("accepted")), [row.nominations_accepted for row in tracks])],
        ))
        charts.append(bar_chart(
            chart_id="od-chart-reviews", title=str(_("Review progress of %(year)s") % {"year": tracks[0].year}),
            labels=[row.track_name for row in tracks],
            series=[(str(_("assigned")), [row.reviews_assigned for row in tracks]),
                    (str(_("submitted")), [row.reviews_submitted for row in tracks])],
        ))
    return [mark_safe(chart) for chart in charts]  # nosec: charts.bar_chart escapes every text it draws


class CriterionInline(admin.TabularInline):
    """Criteria are edited inside their track."""

    model = Criterion
    extra = 0
    fields = ("sort_order", "slug", "name", "description", "weight", "anchor_low", "anchor_high")


class IncentiveInline(admin.TabularInline):
    """Incentives are edited inside their track."""

    model = Incentive
    extra = 0
    fields = ("sort_order", "slug", "name", "kind", "is_physical", "description")


class TrackForm(forms.ModelForm):
    """
    Badge artwork uploads must be what they claim: a PNG, or an SVG that only draws (the allowlist
    of ``api.check_artwork``: no scripts, event attributes, embedded HTML or outside references).
    """

    class Meta:
        model = Track
        fields = "__all__"

    @staticmethod
    def _checked(upload, kind):
        """The upload (read and rewound), refused with a form error if its artwork fails the checks."""
        if upload and hasattr(upload, "read"):
            content = upload.read()
            upload.seek(0)
            try:
                api.check_artwork(kind=kind, content=content)
            except api.ArtworkRefused as exc:
                raise forms.ValidationError(f"Upload a {kind.upper()} image that only draws: {exc}") from exc
        return upload

    def clean_badge_png(self):
        """Accept only a file that starts with the PNG signature."""
        return self._checked(self.cleaned_data.get("badge_png"), "png")

    def clean_badge_svg(self):
        """Accept only an SVG within the artwork allowlist."""
        return self._checked(self.cleaned_data.get("badge_svg"), "svg")


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    """Tracks with their criteria and incentives inline."""

    form = TrackForm

    list_display = ("name", "slug", "program", "is_active", "sort_order")
    list_filter = ("program", "is_active")
    search_fields = ("name", "slug", "badge_name")
    inlines = (CriterionInline, IncentiveInline)


@admin.register(PartnerOrganization)
class PartnerOrganizationAdmin(admin.ModelAdmin):
    """Partner organizations and the users who act for them."""

    list_display = ("name", "slug", "short_name", "website")
    search_fields = ("name", "slug", "short_name")
    filter_horizontal = ("contacts",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    """Yearly cycles; the phase column is computed from the dates and the clock."""

    list_display = ("year", "name", "phase", "nominations_open_at", "nominations_close_at", "review_deadline",
                    "announcement_at", "announcement_released_at", "nomination_count", "budget_link",
                    "evaluation_link")
    list_filter = ("program",)
    search_fields = ("name", "year")
    readonly_fields = ("announcement_released_at",)
    actions = ("auto_assign_reviewers", "release_announcement", "evaluate_terms")

    @admin.action(description=_("Run the annual evaluation of the terms ending in this cycle"),
                  permissions=["change"])
    def evaluate_terms(self, request, queryset):
        """Evaluate each selected cycle's terms and say what it recommends."""
        for cycle in queryset:
            counts = api.evaluate_terms(cycle_year=cycle.year)
            summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
            self.message_user(request, format_html(
                '{}: evaluated ({}). <a href="{}">Review and confirm them</a>.', cycle, summary,
                reverse("admin:openedx_distinguished_evaluation", args=[cycle.year])), messages.SUCCESS)

    @admin.action(description=_("Assign reviewers automatically (balanced, no conflicts)"), permissions=["change"])
    def auto_assign_reviewers(self, request, queryset):
        """Run automatic assignment for each selected cycle and say what it did."""
        for cycle in queryset:
            try:
                report = api.auto_assign(cycle_year=cycle.year, actor=request.user)
            except DistinguishedError as exc:
                self.message_user(request, f"{cycle}: {exc}", messages.ERROR)
                continue
            self.message_user(request, f"{cycle}: {len(report.assigned)} assignment(s) made.", messages.SUCCESS)
            for nomination_id, missing in report.short:
                self.message_user(request, f"{cycle}: nomination {nomination_id} lacks {missing} reviewer(s).",
                                  messages.WARNING)

    @admin.action(description=_("Release the announcement (publish every pending decision)"),
                  permissions=["change"])
    def release_announcement(self, request, queryset):
        """Release each selected cycle's announcement through the API."""
        for cycle in queryset:
            try:
                report = api.release_announcement(cycle_year=cycle.year, actor=request.user)
            except DistinguishedError as exc:
                self.message_user(request, f"{cycle}: {exc}", messages.ERROR)
                continue
            if report.already_released:
                self.message_user(request, f"{cycle}: already released; nothing changed.", messages.INFO)
            else:
                summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(report.outcomes.items()))
                aside = f"; set aside (withdrawn): {', '.join(map(str, report.set_aside))}" if report.set_aside \
                    else ""
                self.message_user(request, f"{cycle}: released ({summary or 'no decisions'}){aside}.",
                                  messages.SUCCESS)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(nomination_total=Count("nominations"))

    @admin.display(description=_("phase"))
    def phase(self, obj):
        return api.cycle_phase(cycle=obj).value

    @admin.display(description=_("nominations"), ordering="nomination_total")
    def nomination_count(self, obj):
        return obj.nomination_total

    @admin.display(description=_("budget"))
    def budget_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:openedx_distinguished_budget", args=[obj.year]),
                           _("Budget"))

    @admin.display(description=_("annual evaluation"))
    def evaluation_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:openedx_distinguished_evaluation", args=[obj.year]),
                           _("Evaluation"))

    def save_model(self, request, obj, form, change):
        """A new cycle's budget starts as a copy of the program's default estimate."""
        super().save_model(request, obj, form, change)
        if not change:
            created = api.start_cycle_budget(cycle_year=obj.year)
            if created:
                self.message_user(request, _("The cycle's budget starts from the program's estimate "
                                             "(%(count)s lines).") % {"count": created}, messages.INFO)


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    """
    Budget lines: with a cycle, that cycle's deliverables; without one, the program's default
    estimate that new cycles copy.
    """

    list_display = ("deliverable", "cycle", "category", "estimated_cost", "currency", "sort_order")
    list_filter = ("cycle__year", "category")
    list_editable = ("estimated_cost", "sort_order")
    search_fields = ("deliverable", "description", "slug")
    list_select_related = ("cycle",)


@admin.register(Expense)
class ExpenseAdmin(admin.ModelAdmin):
    """Costs actually incurred (fulfilment costs are recorded on the fulfilments themselves)."""

    fields = ("cycle", "budget_line", "description", "amount", "currency", "incurred_on", "recorded_by")
    list_display = ("description", "cycle", "budget_line", "amount", "currency", "incurred_on", "recorded_by")
    list_filter = ("cycle__year",)
    search_fields = ("description",)
    list_select_related = ("cycle", "budget_line", "recorded_by")
    readonly_fields = ("recorded_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


class EndorsementInline(admin.TabularInline):
    """Endorsements of a nomination, read-only."""

    model = Endorsement
    extra = 0
    can_delete = False
    fields = ("endorser", "justifications", "evidence_links", "created", "withdrawn_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class TransitionInline(admin.TabularInline):
    """The nomination's recorded status changes, read-only."""

    model = NominationTransition
    extra = 0
    can_delete = False
    fields = ("created", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    """
    Nominations, read-only: their words belong to the nominator, and status changes go through
    the actions below so that every change is validated and recorded.
    """

    list_display = ("id", "cycle", "track", "nominee", "nominator", "kind", "status", "endorsement_count",
                    "created")
    list_filter = ("cycle", "track", "status", "kind", "nominee_kind")
    list_select_related = ("cycle", "track", "nominator", "nominee_user", "nominee_organization")
    search_fields = ("nominee_user__username", "nominee_user__email", "nominee_organization__name",
                     "nominator__username", "nominator__email")
    readonly_fields = ("cycle", "track", "kind", "nominee_kind", "nominee_user", "nominee_organization",
                       "nominator", "status", "justification_list", "evidence_links", "created", "modified",
                       "submitted_at")
    exclude = ("justifications",)
    inlines = (EndorsementInline, TransitionInline)
    actions = ("withdraw_selected",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            endorsement_total=Count("endorsements", filter=Q(endorsements__withdrawn_at__isnull=True)))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would erase the nomination's history; withdraw it instead.
        return False

    @admin.display(description=_("nominee"))
    def nominee(self, obj):
        return obj.nominee_organization or obj.nominee_user or "—"

    @admin.display(description=_("endorsements"), ordering="endorsement_total")
    def endorsement_count(self, obj):
        return obj.endorsement_total

    @admin.display(description=_("justifications"))
    def justification_list(self, obj):
        return format_html_join("", "<p><strong>{}</strong>: {}</p>", sorted(obj.justifications.items()))

    @admin.action(description=_("Withdraw the selected nominations"), permissions=["change"])
    def withdraw_selected(self, request, queryset):
        """Withdraw each selected nomination through the API; report each one that cannot be."""
        done = 0
        for nomination_id in queryset.values_list("pk", flat=True):
            try:
                api.withdraw_nomination(nomination_id=nomination_id, actor=request.user,
                                        reason="Withdrawn by program staff in the admin.")
            except DistinguishedError as exc:
                self.message_user(request, f"Nomination {nomination_id}: {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"Withdrew {done} nomination(s).", messages.SUCCESS)


class PanelMemberInline(admin.TabularInline):
    """Members of a panel and their role."""

    model = PanelMember
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    """Review panels, the tracks they cover and their members."""

    list_display = ("name", "slug", "program", "track_list")
    search_fields = ("name", "slug", "members__user__username")
    filter_horizontal = ("tracks",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = (PanelMemberInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tracks")

    @admin.display(description=_("tracks"))
    def track_list(self, obj):
        return ", ".join(track.name for track in obj.tracks.all())


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only through the API: staff read them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    """Who reviews what."""

    list_display = ("nomination", "reviewer", "assigned_by", "created")
    list_filter = ("nomination__cycle", "nomination__track")
    list_select_related = ("nomination__track", "reviewer", "assigned_by")
    search_fields = ("reviewer__username", "nomination__nominee_user__username")


@admin.register(DeclaredConflict)
class DeclaredConflictAdmin(ReadOnlyAdmin):
    """Conflicts reviewers declared (automatic ones are listed by the conflicts API)."""

    list_display = ("nomination", "reviewer", "reason", "created")
    list_filter = ("nomination__cycle",)
    list_select_related = ("nomination__track", "reviewer")
    search_fields = ("reviewer__username",)


class CriterionScoreInline(admin.TabularInline):
    """The scores of a review."""

    model = CriterionScore
    extra = 0
    can_delete = False
    readonly_fields = ("criterion", "score")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    """Reviews and their scores."""

    list_display = ("nomination", "reviewer", "recommendation", "modified")
    list_filter = ("nomination__cycle", "nomination__track", "recommendation")
    list_select_related = ("nomination__track", "reviewer")
    search_fields = ("reviewer__username",)
    inlines = (CriterionScoreInline,)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    """Decisions, pending until the cycle's announcement is released; staff may reopen a pending one."""

    list_display = ("nomination", "outcome", "decided_by", "decided_at", "released_at")
    list_filter = ("nomination__cycle", "outcome", ("released_at", admin.EmptyFieldListFilter))
    list_select_related = ("nomination__track", "decided_by")
    actions = ("reopen_selected",)

    def has_change_permission(self, request, obj=None):
        # Needed to run the reopen action; the fields themselves are all read-only.
        return request.user.has_perm("openedx_distinguished.change_decision")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description=_("Reopen the selected pending decisions…"), permissions=["change"])
    def reopen_selected(self, request, queryset):
        """Ask for the reason, then take back each selected pending decision through the API (audited)."""
        return ask_reason_then(
            self, request, queryset, action="reopen_selected", verb=_("Reopen"), done=_("Reopened {count}."),
            explanation=_("Reopening takes a pending decision back so that the panel decides again; the audit "
                          "log keeps the decision taken back and your reason. Released decisions are final."),
            apply=lambda pk, reason: api.reopen_decision(
                nomination_id=Decision.objects.get(pk=pk).nomination_id, actor=request.user, reason=reason),
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Every assignment, conflict, review change, decision and release: who, when, what."""

    list_display = ("created", "cycle", "action", "actor", "nomination")
    list_filter = ("cycle", "action")
    list_select_related = ("cycle", "actor", "nomination__track")
    search_fields = ("actor__username",)
    date_hierarchy = "created"


@admin.register(MembershipTerm)
class MembershipTermAdmin(ReadOnlyAdmin):
    """Membership terms; revoke them (with a reason) through the action."""

    list_display = ("holder", "track", "status", "sequence", "starts_at", "ends_at", "cycle")
    list_filter = ("status", "track", "cycle")
    list_select_related = ("holder_user", "holder_organization", "track", "cycle")
    search_fields = ("holder_user__username", "holder_user__email", "holder_organization__name")
    actions = ("revoke_selected",)

    @admin.display(description=_("holder"))
    def holder(self, obj):
        return obj.holder_organization or obj.holder_user or "—"

    def has_change_permission(self, request, obj=None):
        # Needed to run the revoke action; the fields themselves are all read-only.
        return request.user.has_perm("openedx_distinguished.change_membershipterm")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description=_("Revoke the selected terms…"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        """Ask for the reason, then revoke each selected term (and its credential) through the API."""
        return ask_reason_then(
            self, request, queryset, action="revoke_selected",
            explanation=_("Revoking ends these memberships at once, and revokes their credentials. Say why, "
                          "for the record (for example, the code-of-conduct case)."),
            apply=lambda pk, reason: api.revoke_term(term_id=pk, actor=request.user, reason=reason),
        )


def ask_reason_then(model_admin, request, queryset, *, action, explanation, apply, verb=None, done=None,
                    public_field=False, reason_label=None, ask_reason=True):
    """
    An admin action in two steps: a page that lists the selected rows and asks for the reason
    (``reason_label`` says who reads it), then ``apply(pk, reason)`` for each selected row, with a
    message per row that could not change. ``verb`` names the button, ``done`` the outcome
    ("Revoke", "Revoked {count}." by default); ``public_field`` also asks for what the public is
    told (posted as ``public_reason``); ``ask_reason=False`` only asks for the confirmation.
    """
    reason = request.POST.get("reason", "").strip()
    if "apply" in request.POST and (reason or not ask_reason):
        count = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                apply(pk, reason)
            except DistinguishedError as exc:
                model_admin.message_user(request, f"{pk}: {exc}", messages.ERROR)
            else:
                count += 1
        model_admin.message_user(request, (done or _("Revoked {count}.")).format(count=count), messages.SUCCESS)
        return None
    if "apply" in request.POST:
        model_admin.message_user(request, _("Give the reason, for the record."), messages.ERROR)
    return TemplateResponse(request, "openedx_distinguished/admin/revoke.html", {
        **model_admin.admin_site.each_context(request),
        "title": _("Give the reason") if ask_reason else _("Confirm"), "items": queryset,
        "explanation": explanation, "action": action, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "opts": model_admin.model._meta, "verb": verb or _("Revoke"), "public_field": public_field,
        "reason_label": reason_label or _("Reason (for program staff)"), "ask_reason": ask_reason,
    })


@admin.register(TermEvaluation)
class TermEvaluationAdmin(ReadOnlyAdmin):
    """The annual evaluation's recommendations; confirm them in bulk."""

    list_display = ("term", "recommendation", "qualifying_activities", "reason_list", "confirmed_at")
    list_filter = ("cycle", "recommendation", ("confirmed_at", admin.EmptyFieldListFilter))
    list_select_related = ("term__holder_user", "term__holder_organization", "term__track", "cycle")
    search_fields = ("term__holder_user__username",)
    actions = ("confirm_selected",)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("openedx_distinguished.change_termevaluation")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.display(description=_("reasons"))
    def reason_list(self, obj):
        return " ".join(obj.reasons)

    @admin.action(description=_("Confirm the selected recommendations…"), permissions=["change"])
    def confirm_selected(self, request, queryset):
        """Show what confirming would do (names, counts, what it holds), then apply it through the API."""
        return confirm_evaluation_selection(self, request, queryset)


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """Member activities; verify or reject reported ones."""

    list_display = ("title", "user", "activity_type", "occurred_on", "source", "status")
    list_filter = ("status", "source", "activity_type")
    change_list_template = "openedx_distinguished/admin/activity_change_list.html"
    list_select_related = ("user", "activity_type")
    search_fields = ("title", "user__username", "external_id", "course_key")
    actions = ("verify_selected", "reject_selected")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("openedx_distinguished.change_activity")

    def get_urls(self):
        """The import page (upload or paste, preview, apply) before the usual pages."""
        return [path("import/", self.admin_site.admin_view(partial(activity_import_view, self)),
                     name="openedx_distinguished_activity_import")] + super().get_urls()

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description=_("Verify the selected activities…"), permissions=["change"])
    def verify_selected(self, request, queryset):
        """After a page that lists them, verify pending activities (an optional note for the members)."""
        return ask_reason_then(
            self, request, queryset, action="verify_selected", ask_reason=False,
            explanation=_("Verified activities count towards their members' retention. The members are "
                          "e-mailed; a note, if you write one, is shown to them."),
            reason_label=_("Note for the members (optional; they read it)"),
            apply=lambda pk, note: api.review_activity(activity_id=pk, actor=request.user, verified=True, note=note),
            verb=_("Verify"), done=_("Verified {count}."))

    @admin.action(description=_("Reject the selected activities…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        """Ask why, then reject pending activities; the members read the reason."""
        return ask_reason_then(
            self, request, queryset, action="reject_selected",
            explanation=_("Rejected activities do not count towards retention. Say why: the members read it "
                          "on My membership and in the e-mail they receive."),
            reason_label=_("Why they are rejected (the members read it)"),
            apply=lambda pk, note: api.review_activity(activity_id=pk, actor=request.user, verified=False, note=note),
            verb=_("Reject"), done=_("Rejected {count}."))


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    """Kinds of activity (program data)."""

    list_display = ("name", "slug", "program")


class QualifyingCourseRunForm(forms.ModelForm):
    """Validates the course key the way the platform does (edx-opaque-keys)."""

    class Meta:
        model = QualifyingCourseRun
        fields = ("course_key", "activity_type", "title")

    def clean_course_key(self):
        try:
            return str(CourseKey.from_string(self.cleaned_data["course_key"].strip()))
        except InvalidKeyError as exc:
            raise forms.ValidationError("Not a valid course key (e.g. course-v1:Org+Course+Run).") from exc


@admin.register(QualifyingCourseRun)
class QualifyingCourseRunAdmin(admin.ModelAdmin):
    """Course runs whose enrolments, passes and certificates count as member activities."""

    form = QualifyingCourseRunForm
    list_display = ("title", "course_key", "activity_type")
    search_fields = ("title", "course_key")


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    """Community-driven initiatives and proposals."""

    list_display = ("title", "year", "status", "lead_list")
    list_filter = ("year", "status")
    search_fields = ("title", "leads__username")
    autocomplete_fields = ("leads",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("leads")

    @admin.display(description=_("leads"))
    def lead_list(self, obj):
        return ", ".join(user.username for user in obj.leads.all())


@admin.register(Onboarding)
class OnboardingAdmin(admin.ModelAdmin):
    """People and partners brought in by members (referrals are recorded automatically)."""

    list_display = ("member", "referred_user", "organization", "organization_name", "year", "created")
    list_filter = ("year",)
    list_select_related = ("member", "referred_user", "organization")
    autocomplete_fields = ("member", "referred_user", "organization")
    search_fields = ("member__username", "referred_user__username", "organization_name")


@admin.register(ReferralCode)
class ReferralCodeAdmin(ReadOnlyAdmin):
    """Members' referral codes."""

    list_display = ("user", "code", "created")
    search_fields = ("user__username", "code")


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    """
    Signing keys: only their public halves are shown. Create or rotate keys with the
    ``create_distinguished_signing_key`` command; the private key never appears here.
    """

    list_display = ("kid", "created", "retired_at")
    fields = ("kid", "public_jwk", "created", "retired_at")
    readonly_fields = fields


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    """Issued Open Badges credentials; revoke them (with a reason) through the action."""

    list_display = ("public_id", "term", "issued_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "term__track")
    list_select_related = ("term__holder_user", "term__holder_organization", "term__track")
    search_fields = ("public_id", "term__holder_user__username")
    fields = ("public_id", "term", "status_index", "signing_key", "issued_at", "revoked_at", "revocation_reason",
              "public_reason", "verification_link")
    readonly_fields = fields
    actions = ("revoke_selected",)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("openedx_distinguished.change_credential")

    @admin.display(description=_("verification page"))
    def verification_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("openedx_distinguished:pages:verify", args=[obj.public_id]),
                           obj.public_id)

    @admin.action(description=_("Revoke the selected credentials…"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        """Ask for the reason (verifiers will see it), then revoke through the API."""
        return ask_reason_then(
            self, request, queryset, action="revoke_selected",
            explanation=_("Revoked credentials show as revoked everywhere: the verification page, the 3.0 status "
                          "list and the 2.0 assertion (HTTP 410). The reason is kept for program staff; "
                          "verifiers read the public reason, or that the issuer revoked the credential."),
            public_field=True,
            apply=lambda pk, reason: api.revoke_credential(
                public_id=Credential.objects.get(pk=pk).public_id, reason=reason,
                public_reason=request.POST.get("public_reason", ""), actor=request.user),
        )


@admin.register(Fulfilment)
class FulfilmentAdmin(admin.ModelAdmin):
    """Physical awards and other incentives per term: status, tracking, cost and (staff only) the address."""

    list_display = ("term", "incentive", "status", "tracking_number", "cost", "currency", "modified")
    list_filter = ("status", "incentive__track")
    list_select_related = ("term__holder_user", "term__holder_organization", "term__track", "incentive")
    search_fields = ("term__holder_user__username", "tracking_number")
    raw_id_fields = ("term",)


def holder_label(term):
    """Who a term belongs to, as a list names them: the username, or the organization's name."""
    if term.holder_user_id:
        return term.holder_user.username
    return term.holder_organization.name if term.holder_organization_id else _("(retired)")


class OverdueFilter(admin.SimpleListFilter):
    """Deliverables past their due date that are not settled yet."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        return queryset.filter(api.overdue_deliverables()) if self.value() == "yes" else queryset


class DeliverableForm(forms.ModelForm):
    """The staff fields of a deliverable, checked by the API's rules so that errors show by their fields."""

    class Meta:
        model = Deliverable
        fields = ("owner", "due_on", "cost", "currency", "notes")

    def clean(self):
        cleaned = super().clean()
        try:
            changes = api.checked_changes(deliverable=self.instance, owner=cleaned.get("owner"),
                                          due_on=cleaned.get("due_on") or "",
                                          cost="" if cleaned.get("cost") is None else cleaned["cost"],
                                          currency=cleaned.get("currency", ""), notes=cleaned.get("notes", ""))
        except DistinguishedError as exc:
            for field, messages_ in exc.errors.items():
                self.add_error(field if field in self.fields else None, messages_)
        else:
            cleaned.update(changes)
        return cleaned


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    """
    The incentive board: every incentive owed to a term, filtered by cycle, track, kind, status,
    owner or lateness, moved along its kind's flow in bulk (the actions), its owner, due date, cost
    and notes edited one by one. Members answer offers on My membership.
    """

    list_display = ("holder", "incentive", "kind", "status", "owner", "due_on", "late", "amount")
    # Owners: only the people who own something (an LMS has many users).
    list_filter = ("term__cycle", "incentive__track", "incentive__kind", "status",
                   ("owner", admin.RelatedOnlyFieldListFilter), OverdueFilter)
    list_select_related = ("term__holder_user", "term__holder_organization", "incentive", "owner")
    search_fields = ("term__holder_user__username", "term__holder_organization__name", "incentive__name")
    fields = ("term", "incentive", "status", "answered_at", "owner", "due_on", "cost", "currency", "notes",
              "updated_by", "modified")
    readonly_fields = ("term", "incentive", "status", "answered_at", "updated_by", "modified")
    raw_id_fields = ("owner",)
    form = DeliverableForm
    actions = ["mark_offered", "mark_delivered", "mark_cancelled", "mark_planned"]

    def has_add_permission(self, request):
        return False  # owed by the terms themselves (started terms, the scheduled jobs)

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the record of what was owed stays

    @admin.display(description=_("member"), ordering="term__holder_user__username")
    def holder(self, obj):
        return holder_label(obj.term)

    @admin.display(description=_("kind"), ordering="incentive__kind")
    def kind(self, obj):
        return obj.incentive.kind

    @admin.display(description=_("cost"), ordering="cost")
    def amount(self, obj):
        return "" if obj.cost is None else f"{obj.cost} {obj.currency}"

    @admin.display(description=_("overdue"))
    def late(self, obj):
        if api.is_overdue(deliverable=obj):
            return format_html('<strong style="color:#b4232c">{}</strong>', _("Overdue"))
        return ""

    def save_model(self, request, obj, form, change):
        """Through the API (the form has checked each field by its rules)."""
        api.update_deliverable(deliverable_id=obj.pk, actor=request.user, owner=obj.owner,
                               due_on=obj.due_on or "", cost="" if obj.cost is None else obj.cost,
                               currency=obj.currency, notes=obj.notes)

    def _move(self, request, queryset, status):
        """Move each selected deliverable through the API; report each refusal with its reason."""
        moved = 0
        for deliverable_id in queryset.values_list("pk", flat=True):
            try:
                api.update_deliverable(deliverable_id=deliverable_id, actor=request.user, status=status)
            except DistinguishedError as exc:
                self.message_user(request, f"Deliverable {deliverable_id}: {exc}", messages.ERROR)
            else:
                moved += 1
        if moved:
            self.message_user(request, f"{moved} deliverable(s) now {status}.", messages.SUCCESS)

    @admin.action(description=_("Offer the selected incentives to their members"), permissions=["change"])
    def mark_offered(self, request, queryset):
        """Offers wait for the member's answer on My membership."""
        self._move(request, queryset, "offered")

    @admin.action(description=_("Mark the selected incentives delivered"), permissions=["change"])
    def mark_delivered(self, request, queryset):
        """Delivered: given (recognition, badges) or taken up after the member accepted."""
        self._move(request, queryset, "delivered")

    @admin.action(description=_("Cancel the selected incentives"), permissions=["change"])
    def mark_cancelled(self, request, queryset):
        """Cancelled: not delivered after all (kept on record)."""
        self._move(request, queryset, "cancelled")

    @admin.action(description=_("Plan the selected incentives again"), permissions=["change"])
    def mark_planned(self, request, queryset):
        """Back to planned (a cancelled one, or an offer withdrawn before its answer)."""
        self._move(request, queryset, "planned")


class FundingPaymentInline(admin.TabularInline):
    """The payments made on a request (recorded with the form above; kept as they are)."""

    model = FundingPayment
    fields = ("paid_on", "amount", "reference", "recorded_by", "created")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class FundingDecisionForm(forms.ModelForm):
    """
    Staff's decision on a funding request (approve an amount, or decline, with a note for the
    member) and the payments on an approved one, checked by the API's rules next to each field.
    """

    decision = forms.ChoiceField(required=False, choices=[("", "—"), ("approve", _("Approve")),
                                                          ("decline", _("Decline"))])
    amount = forms.CharField(required=False, max_length=20,
                             help_text=_("The amount approved; empty approves the whole request."))
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("What the member reads with the decision (required to decline)."))
    payment_amount = forms.CharField(required=False, max_length=20, label=_("Payment: amount"))
    payment_on = forms.DateField(required=False, label=_("Payment: date"), help_text="YYYY-MM-DD")
    payment_reference = forms.CharField(required=False, max_length=100, label=_("Payment: reference"))

    class Meta:
        model = FundingRequest
        fields = ()

    def _check(self, names, check):
        """Run one of the API's checks; put each refusal next to its field of this form (``names``)."""
        try:
            check()
        except DistinguishedError as exc:
            for field, messages_ in exc.errors.items():
                self.add_error(names.get(field), messages_)

    def clean(self):
        cleaned = super().clean()
        request = self.instance
        decision = cleaned.get("decision")
        if decision and request.status != "requested":
            self.add_error("decision", _("This request is decided already."))
        elif decision == "approve":
            self._check({"amount": "amount"},
                        lambda: api.approved_amount(request=request, amount=cleaned.get("amount")))
        elif decision == "decline" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Say why, for the member."))
        if cleaned.get("payment_amount") or cleaned.get("payment_on"):
            if request.status != "approved":
                self.add_error("payment_amount", _("Payments are recorded on approved requests only."))
            else:
                self._check({"amount": "payment_amount", "paid_on": "payment_on", "reference": "payment_reference"},
                            lambda: api.payment_values(request=request, amount=cleaned.get("payment_amount"),
                                                       paid_on=cleaned.get("payment_on") or "",
                                                       reference=cleaned.get("payment_reference")))
        return cleaned


@admin.register(FundingRequest)
class FundingRequestAdmin(admin.ModelAdmin):
    """
    Members' requests for project funding: the request as they wrote it, staff's decision and the
    payments, which count on the cycle's funding budget line.
    """

    list_display = ("holder", "project", "requested", "status", "approved", "created")
    list_filter = ("status", "deliverable__term__cycle")
    list_select_related = ("deliverable__term__holder_user", "deliverable__term__holder_organization")
    search_fields = ("project", "deliverable__term__holder_user__username")
    form = FundingDecisionForm
    readonly_fields = ("deliverable", "project", "description", "reasons", "amount_requested", "currency", "status",
                       "amount_approved", "decision_note", "decided_at", "decided_by", "requested_by", "created")
    fieldsets = (
        (_("The request"), {"fields": ("deliverable", "requested_by", "project", "description", "reasons",
                                       "amount_requested", "currency", "created")}),
        (_("Where it stands"), {"fields": ("status", "amount_approved", "decision_note", "decided_at",
                                           "decided_by")}),
        (_("Decide (while requested)"), {"fields": ("decision", "amount", "note")}),
        (_("Record a payment (once approved)"), {"fields": ("payment_amount", "payment_on", "payment_reference")}),
    )
    inlines = [FundingPaymentInline]

    def has_add_permission(self, request):
        return False  # members make requests on My membership

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("member"))
    def holder(self, obj):
        return holder_label(obj.deliverable.term)

    @admin.display(description=_("requested"), ordering="amount_requested")
    def requested(self, obj):
        return f"{obj.amount_requested} {obj.currency}"

    @admin.display(description=_("approved"), ordering="amount_approved")
    def approved(self, obj):
        return "" if obj.amount_approved is None else f"{obj.amount_approved} {obj.currency}"

    def save_model(self, request, obj, form, change):
        """The decision, then the payment, through the API (the form has checked them)."""
        data = form.cleaned_data
        if data.get("decision"):
            api.decide_funding(request_id=obj.pk, actor=request.user, approve=data["decision"] == "approve",
                               amount=data.get("amount"), note=data.get("note") or "")
        if data.get("payment_amount"):
            api.record_payment(request_id=obj.pk, actor=request.user, amount=data["payment_amount"],
                               paid_on=data["payment_on"], reference=data.get("payment_reference") or "")


class InvitationReplyInline(admin.TabularInline):
    """Who was invited and what they answered (members answer on My membership)."""

    model = InvitationReply
    fields = ("term", "answer", "answered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InvitationForm(forms.ModelForm):
    """An invitation, checked by the API's rules next to each field."""

    class Meta:
        model = Invitation
        fields = ("incentive", "title", "starts_at", "ends_at", "location", "details")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "incentive" in self.fields:
            self.fields["incentive"].queryset = Incentive.objects.filter(
                kind__in=api.INVITING_KINDS).select_related("track").order_by("track__sort_order", "sort_order")
        # The admin splits a date and time in two inputs under one label: each gets a name of its own.
        for name, label in (("starts_at", _("Starts")), ("ends_at", _("Ends"))):
            parts = getattr(self.fields.get(name) and self.fields[name].widget, "widgets", ())
            for part, what in zip(parts, (_("date"), _("time"))):
                part.attrs["aria-label"] = f"{label}: {what}"

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            api.check_invitation(incentive_id=cleaned["incentive"].pk, title=cleaned.get("title"),
                                 starts_at=cleaned["starts_at"], ends_at=cleaned["ends_at"],
                                 details=cleaned.get("details"), location=cleaned.get("location"))
        except DistinguishedError as exc:
            for field, messages_ in exc.errors.items():
                self.add_error(field if field in self.fields else None, messages_)
        return cleaned


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """
    Invitations to discussions, sessions and programmes: sent to every eligible member of the
    incentive's track at once (the action), their answers listed here and downloaded as CSV, the
    event as an iCalendar file.
    """

    form = InvitationForm
    list_display = ("title", "incentive", "starts_at", "sent_at", "answers", "downloads")
    list_filter = ("incentive__track",)
    list_select_related = ("incentive",)
    readonly_fields = ("sent_at", "created_by")
    inlines = [InvitationReplyInline]
    actions = ["send_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            yes=Count("replies", filter=Q(replies__answer="yes")), total=Count("replies"))

    @admin.display(description=_("answers"))
    def answers(self, obj):
        return _("%(yes)s yes of %(total)s invited") % {"yes": obj.yes, "total": obj.total}

    @admin.display(description=_("downloads"))
    def downloads(self, obj):
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>',
                           reverse("admin:openedx_distinguished_invitation_answers", args=[obj.pk]), _("answers (CSV)"),
                           reverse("openedx_distinguished:pages:invitation-ics", args=[obj.pk]), _("event (.ics)"))

    def get_urls(self):
        return [path("<bounded_int:invitation_id>/answers.csv", self.admin_site.admin_view(self.answers_view),
                     name="openedx_distinguished_invitation_answers")] + super().get_urls()

    def answers_view(self, request, invitation_id):
        """Who was invited and what they answered, as CSV (program staff)."""
        if not api.is_program_staff(user=request.user):
            raise PermissionDenied
        try:
            body = api.answers_csv(invitation_id=invitation_id)
        except DistinguishedError as exc:
            raise Http404(str(exc)) from exc
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="invitation-{invitation_id}-answers.csv"'
        return response

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Send to every eligible member"), permissions=["change"])
    def send_selected(self, request, queryset):
        """Invite the members of each selected invitation's track (again: only those not invited yet)."""
        for invitation in queryset:
            try:
                added = api.send_invitation(invitation_id=invitation.pk)
            except DistinguishedError as exc:
                self.message_user(request, f"{invitation}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{invitation}: {added} member(s) invited.", messages.SUCCESS)


@admin.register(MessageLog)
class MessageLogAdmin(ReadOnlyAdmin):
    """
    The email outbox: what was queued for whom, whether it went out, and why not. Messages are
    written by the program's rules and delivered by a task (or the scheduled jobs), never here.
    """

    list_display = ("key", "message_name", "recipient", "created", "sent_at", "attempts")
    list_filter = ("message_name", ("sent_at", admin.EmptyFieldListFilter))
    list_select_related = ("recipient",)
    search_fields = ("key", "recipient__username")
    date_hierarchy = "created"
    fields = ("key", "message_name", "recipient", "language", "context", "created", "sent_at", "attempts",
              "last_error")
    readonly_fields = fields
