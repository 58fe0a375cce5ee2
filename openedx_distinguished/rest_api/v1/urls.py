"""
URLs of the v1 REST API, mounted at ``/api/distinguished/v1/``.
"""
from django.urls import path
from . import views
from .schema import SchemaView

app_name = "v1"

urlpatterns = [
    path("tracks/", views.TrackListView.as_view(), name="track-list"),
    path("tracks/<slug:slug>/", views.TrackDetailView.as_view(), name="track-detail"),
    path("cycles/", views.CycleListView.as_view(), name="cycle-list"),
    path("cycles/<int:year>/", views.CycleDetailView.as_view(), name="cycle-detail"),
    path("organizations/", views.OrganizationListView.as_view(), name="organization-list"),
    path("nominations/", views.NominationListView.as_view(), name="nomination-list"),
    path("nominations/<int:pk>/", views.NominationDetailView.as_view(), name="nomination-detail"),
    path("nominations/<int:pk>/submit/", views.NominationSubmitView.as_view(), name="nomination-submit"),
    path("nominations/<int:pk>/withdraw/", views.NominationWithdrawView.as_view(), name="nomination-withdraw"),
    path("nominations/<int:pk>/consent/", views.NominationConsentView.as_view(), name="nomination-consent"),
    path("endorsements/", views.EndorsementListView.as_view(), name="endorsement-list"),
    path("schema/", SchemaView.as_view(), name="schema"),
]
