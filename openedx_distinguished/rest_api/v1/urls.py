"""
URLs of the v1 REST API, mounted at ``/api/distinguished/v1/``.
"""
from django.urls import path, re_path

from openedx_distinguished.parsing import register_path_converters

from . import credential_views as credentials
from . import dashboard_views as dashboard
from . import i18n_views as i18n
from . import incentive_views as incentives
from . import membership_views as membership
from . import nomination_views as nominations
from . import program_views as program
from . import review_views as review
from .common import not_found
from .schema import SchemaView

# Ids and years in paths are bounded: a longer number is a 404, not an integer the database refuses.
register_path_converters()

app_name = "v1"

urlpatterns = [
    path("tracks/", program.TrackListView.as_view(), name="track-list"),
    path("tracks/<slug:slug>/", program.TrackDetailView.as_view(), name="track-detail"),
    path("cycles/", program.CycleListView.as_view(), name="cycle-list"),
    path("cycles/<bounded_int:year>/", program.CycleDetailView.as_view(), name="cycle-detail"),
    path("organizations/", program.OrganizationListView.as_view(), name="organization-list"),
    path("nominations/", nominations.NominationListView.as_view(), name="nomination-list"),
    path("nominations/<bounded_int:pk>/", nominations.NominationDetailView.as_view(), name="nomination-detail"),
    path("nominations/<bounded_int:pk>/submit/", nominations.NominationSubmitView.as_view(), name="nomination-submit"),
    path("nominations/<bounded_int:pk>/withdraw/", nominations.NominationWithdrawView.as_view(),
         name="nomination-withdraw"),
    path("nominations/<bounded_int:pk>/consent/", nominations.NominationConsentView.as_view(),
         name="nomination-consent"),
    path("endorsements/", nominations.EndorsementListView.as_view(), name="endorsement-list"),
    path("endorsements/<bounded_int:pk>/withdraw/", nominations.EndorsementWithdrawView.as_view(),
         name="endorsement-withdraw"),
    path("review/assignments/", review.MyAssignmentsView.as_view(), name="review-my-assignments"),
    path("review/nominations/<bounded_int:pk>/", review.ReviewSheetView.as_view(), name="review-sheet"),
    path("review/nominations/<bounded_int:pk>/review/", review.ReviewView.as_view(), name="review-submit"),
    path("review/nominations/<bounded_int:pk>/conflict/", review.ConflictView.as_view(), name="review-conflict"),
    path("review/nominations/<bounded_int:pk>/assignments/", review.AssignmentsView.as_view(), name="review-assign"),
    path("review/nominations/<bounded_int:pk>/assignments/<str:username>/", review.AssignmentDetailView.as_view(),
         name="review-unassign"),
    path("review/nominations/<bounded_int:pk>/decision/", review.DecisionView.as_view(), name="review-decision"),
    path("review/nominations/<bounded_int:pk>/decision/reopen/", review.DecisionReopenView.as_view(),
         name="review-decision-reopen"),
    path("review/cycles/<bounded_int:year>/scoreboard/", review.ScoreboardView.as_view(), name="review-scoreboard"),
    path("review/cycles/<bounded_int:year>/conflicts/", review.CycleConflictsView.as_view(), name="review-conflicts"),
    path("review/cycles/<bounded_int:year>/auto-assign/", review.AutoAssignView.as_view(), name="review-auto-assign"),
    path("review/cycles/<bounded_int:year>/assignments.csv", review.AssignmentsCsvView.as_view(), name="review-csv"),
    path("review/cycles/<bounded_int:year>/release/", review.ReleaseView.as_view(), name="review-release"),
    path("review/cycles/<bounded_int:year>/audit/", review.AuditView.as_view(), name="review-audit"),
    path("terms/", membership.TermListView.as_view(), name="term-list"),
    path("terms/<bounded_int:pk>/revoke/", membership.TermRevokeView.as_view(), name="term-revoke"),
    path("activities/", membership.ActivityListView.as_view(), name="activity-list"),
    path("activities/import/", membership.ActivityImportView.as_view(), name="activity-import"),
    path("activities/<bounded_int:pk>/verify/", membership.ActivityReviewView.as_view(verified=True),
         name="activity-verify"),
    path("activities/<bounded_int:pk>/reject/", membership.ActivityReviewView.as_view(verified=False),
         name="activity-reject"),
    path("qualifying-runs/", membership.QualifyingRunView.as_view(), name="qualifying-run-list"),
    path("evaluations/<bounded_int:year>/", membership.EvaluationView.as_view(), name="evaluation"),
    path("evaluations/<bounded_int:year>/confirm/", membership.EvaluationConfirmView.as_view(),
         name="evaluation-confirm"),
    path("initiatives/", membership.InitiativeListView.as_view(), name="initiative-list"),
    path("initiatives/<bounded_int:pk>/", membership.InitiativeDetailView.as_view(), name="initiative-detail"),
    path("referral/", membership.ReferralView.as_view(), name="referral"),
    path("onboardings/", membership.OnboardingView.as_view(), name="onboarding-list"),
    path("credentials/", credentials.MyCredentialsView.as_view(), name="credential-list"),
    path("credentials/<str:public_id>/revoke/", credentials.CredentialRevokeView.as_view(), name="credential-revoke"),
    path("fulfilments/", credentials.FulfilmentListView.as_view(), name="fulfilment-list"),
    path("fulfilments/<bounded_int:pk>/", credentials.FulfilmentDetailView.as_view(), name="fulfilment-detail"),
    path("fulfilments/<bounded_int:pk>/address/", credentials.FulfilmentAddressView.as_view(),
         name="fulfilment-address"),
    path("deliverables/", incentives.DeliverableListView.as_view(), name="deliverable-list"),
    path("deliverables/<bounded_int:pk>/", incentives.DeliverableDetailView.as_view(), name="deliverable-detail"),
    path("deliverables/<bounded_int:pk>/answer/", incentives.DeliverableAnswerView.as_view(),
         name="deliverable-answer"),
    path("deliverables/<bounded_int:pk>/funding/", incentives.FundingRequestView.as_view(), name="funding-request"),
    path("funding-requests/<bounded_int:pk>/decision/", incentives.FundingDecisionView.as_view(),
         name="funding-decision"),
    path("funding-requests/<bounded_int:pk>/payments/", incentives.FundingPaymentView.as_view(),
         name="funding-payments"),
    path("invitations/", incentives.InvitationListView.as_view(), name="invitation-list"),
    path("invitations/<bounded_int:pk>/send/", incentives.InvitationSendView.as_view(), name="invitation-send"),
    path("invitations/replies/<bounded_int:pk>/", incentives.InvitationAnswerView.as_view(),
         name="invitation-answer"),
    path("profiles/<str:username>/", credentials.ProfileBadgesView.as_view(), name="profile-badges"),
    path("widget-messages/<str:language>/", i18n.WidgetMessagesView.as_view(), name="widget-messages"),
    path("me/listing/", credentials.MyListingView.as_view(), name="my-listing"),
    path("me/dashboard/", membership.DashboardCardView.as_view(), name="my-dashboard"),
    path("kpis/", dashboard.KpiView.as_view(), name="kpis"),
    path("budget/<bounded_int:year>/", dashboard.BudgetView.as_view(), name="budget"),
    path("schema/", SchemaView.as_view(), name="schema"),
    # Last: any other path under the API (an unknown endpoint, an id that is not a number) gets
    # the API's JSON 404 rather than the site's HTML page.
    re_path(r"^", not_found, name="not-found"),
]
