"""
URLs of the public pages, mounted at ``/distinguished/``.
"""
from django.urls import path

from . import activities, onboarding, pages, review

app_name = "pages"

urlpatterns = [
    path("", pages.program_overview, name="program"),
    path("activities/", activities.my_activities, name="activities"),
    path("join/<str:code>/", onboarding.join, name="join"),
    path("review/", review.assignments, name="review"),
    path("review/nominations/<int:nomination_id>/", review.review_sheet, name="review-sheet"),
    path("review/nominations/<int:nomination_id>/conflict/", review.declare_conflict, name="review-conflict"),
    path("review/nominations/<int:nomination_id>/decision/", review.record_decision, name="review-decision"),
    path("review/cycles/<int:year>/scoreboard/", review.scoreboard, name="review-scoreboard"),
]
