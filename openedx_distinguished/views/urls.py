"""
URLs of the program's pages, mounted at ``/distinguished/``.
"""
from django.urls import path
from django.views.generic import RedirectView

from openedx_distinguished.parsing import register_path_converters

from . import badges, hall_of_fame, membership, nominate, nominations, onboarding, pages, review

# Ids and years in paths are bounded: a longer number is a 404, not an integer the database refuses.
register_path_converters()

app_name = "pages"

urlpatterns = [
    # The documents verifiers, badge platforms and the community site fetch, first: machines read them most.
    path("badges/jwks.json", badges.jwks, name="jwks"),
    path("did.json", badges.did_document, name="did-document"),
    path("feed.json", hall_of_fame.feed, name="feed"),
    path("badges/v3/status/", badges.status_list, name="status-list"),
    path("badges/v3/credentials/<str:public_id>/", badges.credential, name="credential"),
    path("badges/v2/assertions/<str:public_id>/", badges.assertion, name="assertion"),
    path("badges/<str:public_id>/v<bounded_int:version>.<str:kind>", badges.baked, name="baked-badge"),
    path("badges/art/<slug:track>.<str:kind>", badges.artwork, name="badge-art"),
    path("badges/v3/issuer/", badges.issuer_v3, name="issuer-v3"),
    path("badges/v3/achievements/<slug:track>/", badges.achievement, name="achievement"),
    path("badges/v2/issuer/", badges.issuer_v2, name="issuer-v2"),
    path("badges/v2/classes/<slug:track>/", badges.badge_class, name="badge-class"),
    path("", hall_of_fame.hall_of_fame, name="hall-of-fame"),
    path("program/", pages.program_overview, name="program"),
    path("members/<slug:slug>/", hall_of_fame.member, name="member"),
    path("announcements/<bounded_int:year>/", hall_of_fame.announcement, name="announcement"),
    path("announcements/<bounded_int:year>/kit.<str:fmt>", hall_of_fame.announcement_kit, name="announcement-kit"),
    path("announcements.atom", hall_of_fame.announcements_feed, name="announcements-feed"),
    path("nominate/", nominate.nominate, name="nominate"),
    path("nominations/", nominations.my_nominations, name="my-nominations"),
    path("nominations/<bounded_int:nomination_id>/", nominations.nomination_page, name="nomination"),
    path("nominations/<bounded_int:nomination_id>/edit/", nominations.edit, name="nomination-edit"),
    path("nominations/<bounded_int:nomination_id>/withdraw/", nominations.withdraw, name="nomination-withdraw"),
    path("nominations/<bounded_int:nomination_id>/consent/", nominations.consent, name="nomination-consent"),
    path("endorsements/<bounded_int:endorsement_id>/withdraw/", nominations.withdraw_endorsement,
         name="endorsement-withdraw"),
    path("membership/", membership.my_membership, name="membership"),
    # The activity log moved into My membership.
    path("activities/", RedirectView.as_view(pattern_name="openedx_distinguished:pages:membership", permanent=True),
         name="activities"),
    path("verify/<str:public_id>/", badges.verify, name="verify"),
    path("certificates/<str:public_id>.pdf", badges.certificate, name="certificate"),
    path("invitations/<bounded_int:invitation_id>.ics", membership.invitation_ics, name="invitation-ics"),
    path("verify/", badges.verify_presented, name="verify-presented"),
    path("join/<str:code>/", onboarding.join, name="join"),
    path("review/", review.assignments, name="review"),
    path("review/nominations/<bounded_int:nomination_id>/", review.review_sheet, name="review-sheet"),
    path("review/nominations/<bounded_int:nomination_id>/conflict/", review.declare_conflict, name="review-conflict"),
    path("review/nominations/<bounded_int:nomination_id>/decision/", review.record_decision, name="review-decision"),
    path("review/nominations/<bounded_int:nomination_id>/decision/reopen/", review.reopen_decision,
         name="review-decision-reopen"),
    path("review/cycles/<bounded_int:year>/scoreboard/", review.scoreboard, name="review-scoreboard"),
    path("review/cycles/<bounded_int:year>/nominations/<bounded_int:nomination_id>/reviewers/add/", review.assign,
         name="review-assign"),
    path("review/cycles/<bounded_int:year>/nominations/<bounded_int:nomination_id>/reviewers/remove/",
         review.unassign, name="review-unassign"),
    path("review/cycles/<bounded_int:year>/auto-assign/", review.auto_assign, name="review-auto-assign"),
    path("review/cycles/<bounded_int:year>/release/", review.release, name="review-release"),
]
