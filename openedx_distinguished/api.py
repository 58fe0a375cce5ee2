"""
The one door to the Distinguished Contributor program for other Python code.

Adapters (REST views, admin, management commands, tasks, event handlers) call these functions;
they return the plain records of ``data.py`` and raise the errors of ``exceptions.py``.
Permission checks belong to the adapters: these functions trust the caller's ``actor``.
"""
from openedx_distinguished import freshness as _freshness
from openedx_distinguished.activities import (
    IMPORT_COLUMNS,
    MAX_IMPORT_BYTES,
    activity_import_template,
    import_activities,
    import_activities_csv,
    is_qualifying_course,
    list_activities,
    list_activity_types,
    mark_qualifying_course_run,
    preview_activity_import,
    publish_qualifying_course_runs,
    read_import_csv,
    read_import_file,
    record_platform_activity,
    report_activity,
    review_activity,
)
from openedx_distinguished.announcements import newsletter as announcement_newsletter
from openedx_distinguished.announcements import share_kits
from openedx_distinguished.announcements import slides_pdf as announcement_slides
from openedx_distinguished.artwork import ArtworkRefused, check_artwork
from openedx_distinguished.baking import BakingError
from openedx_distinguished.budget import budget_csv, budget_markdown, budget_report, budget_table_rows
from openedx_distinguished.budget import start_cycle_budget as _start_cycle_budget
from openedx_distinguished.certificates import certificate_pdf
from openedx_distinguished.community import (
    attribute_registration,
    is_referral_code,
    list_initiatives,
    record_onboarded_organization,
    referral_code,
    save_initiative,
)
from openedx_distinguished.credentials import (
    achievement,
    add_missing_signing_keys,
    add_signing_key,
    assertion_v2,
    badge_artwork,
    badge_class,
    baked_image,
    credential_document,
    credential_for_term,
    credential_holder_ids,
    credential_jwt,
    credential_ldp,
    get_credential,
    issue_credential,
    issue_missing_credentials,
    issuer_profile_v2,
    issuer_profile_v3,
    jwks,
    linkedin_url,
    list_credentials,
    reissue_credentials,
    revoke_credential,
    status_list,
    status_list_jwt,
    status_list_ldp,
    verification_details,
)
from openedx_distinguished.data import ActivityStatus, CredentialStatus, TermStatus, TrackData
from openedx_distinguished.fulfilment import (
    fulfilment_holder_ids,
    list_fulfilments,
    set_shipping_address,
    update_fulfilment,
)
from openedx_distinguished.funding import (
    approved_amount,
    decide_funding,
    funding_data,
    payment_values,
    record_payment,
    request_funding,
)
from openedx_distinguished.incentives import (
    allowed_next,
    answer_offer,
    checked_changes,
    deliverable_holder_ids,
    delivery_summary,
    ensure_current_deliverables,
    is_overdue,
    list_all_deliverables,
    list_deliverables,
)
from openedx_distinguished.incentives import overdue_filter as overdue_deliverables
from openedx_distinguished.incentives import update_deliverable
from openedx_distinguished.invitations import (
    INVITING_KINDS,
    answer_invitation,
    answers_csv,
    check_invitation,
    create_invitation,
    invitation_ics,
    invitation_reply_holders,
    is_invitee,
    list_invitations,
    send_invitation,
)
from openedx_distinguished.jobs import run_due_jobs
from openedx_distinguished.kpis import compute_kpis, kpis_csv
from openedx_distinguished.localisation import UnknownLanguage, site_language, widget_messages
from openedx_distinguished.membership import (
    confirm_evaluations,
    confirmation_preview,
    evaluate_terms,
    evaluation_overview,
    get_term,
    is_member,
    list_evaluations,
    list_terms,
    mark_renewals_due,
    revoke_term,
)
from openedx_distinguished.nominations import (
    ROLE_NOMINATOR,
    ROLE_NOMINEE,
    ROLE_STAFF,
    create_nomination,
    endorse_nomination,
    find_nominee,
    get_endorsement,
    get_nomination,
    list_endorsements,
    list_nominations,
    nomination_endorsements,
    nomination_history,
    nomination_roles,
    nomination_window,
    respond_to_nomination,
    save_draft,
    submit_nomination,
    update_draft,
    withdraw_endorsement,
    withdraw_nomination,
)
from openedx_distinguished.notifications import MessageNotSent, deliver_message
from openedx_distinguished.overview import dashboard_card, membership_overview
from openedx_distinguished.presence import (
    announcement,
    announcements_atom,
    hall_of_fame,
    hall_of_fame_page,
    member_page,
    profile_badges,
    released_cycles,
    set_listing,
)
from openedx_distinguished.program import cycle_phase, get_cycle, get_cycle_data
from openedx_distinguished.program import get_track as _get_track
from openedx_distinguished.program import (
    is_program_staff,
    list_cycles,
    list_organizations,
    list_tracks,
    load_program_definition,
)
from openedx_distinguished.program import track_data as _track_data
from openedx_distinguished.retirement import retire_user
from openedx_distinguished.review import (
    ROLE_ASSIGNED,
    ROLE_CHAIR,
    ROLE_CONFLICTED,
    ROLE_PANEL,
    assign_reviewer,
    auto_assign,
    chaired_track_ids,
    conflict_reasons,
    declare_conflict,
    export_assignments_csv,
    get_decision,
    get_review_sheet,
    import_assignments_csv,
    is_chair,
    is_panel_member,
    list_assignments,
    list_audit,
    list_conflicts,
    may_release,
    nomination_reviewers,
    record_decision,
    release_announcement,
    release_preview,
    reopen_decision,
    review_roles,
    scoreboard,
    submit_review,
    unassign_reviewer,
)
from openedx_distinguished.signing import did_document, issuer_did
from openedx_distinguished.signing import keyring as signing_keyring
from openedx_distinguished.verification import MAX_PRESENTED_BYTES, Verification, verify_presented


def public_documents_changed(*, artwork: bool = False) -> None:
    """
    Tell every process that the public documents (badges, hall of fame, feed) changed, and with
    ``artwork`` the badge artwork too (ADR 0018).
    """
    _freshness.changed(_freshness.BADGES, _freshness.PRESENCE, *([_freshness.ARTWORK] if artwork else []))


__all__ = [
    # errors and enums callers compare against
    "ArtworkRefused",
    "BakingError",
    "MessageNotSent",
    "UnknownLanguage",
    "ActivityStatus",
    "CredentialStatus",
    "TermStatus",
    # program definition
    "cycle_phase",
    "get_cycle_data",
    "get_track_data",
    "is_program_staff",
    "list_cycles",
    "list_organizations",
    "list_tracks",
    "load_program_definition",
    # nominations
    "ROLE_NOMINATOR",
    "ROLE_NOMINEE",
    "ROLE_STAFF",
    "create_nomination",
    "endorse_nomination",
    "find_nominee",
    "get_endorsement",
    "get_nomination",
    "list_endorsements",
    "list_nominations",
    "nomination_endorsements",
    "nomination_history",
    "nomination_roles",
    "nomination_window",
    "respond_to_nomination",
    "save_draft",
    "submit_nomination",
    "update_draft",
    "withdraw_endorsement",
    "withdraw_nomination",
    # review
    "ROLE_ASSIGNED",
    "ROLE_CHAIR",
    "ROLE_CONFLICTED",
    "ROLE_PANEL",
    "assign_reviewer",
    "auto_assign",
    "chaired_track_ids",
    "conflict_reasons",
    "declare_conflict",
    "export_assignments_csv",
    "get_decision",
    "get_review_sheet",
    "import_assignments_csv",
    "is_chair",
    "is_panel_member",
    "list_assignments",
    "list_audit",
    "list_conflicts",
    "record_decision",
    "release_announcement",
    "release_preview",
    "may_release",
    "nomination_reviewers",
    "reopen_decision",
    "review_roles",
    "scoreboard",
    "submit_review",
    "unassign_reviewer",
    # membership
    "attribute_registration",
    "confirm_evaluations",
    "confirmation_preview",
    "evaluate_terms",
    "evaluation_overview",
    "get_term",
    "import_activities",
    "import_activities_csv",
    "activity_import_template",
    "MAX_IMPORT_BYTES",
    "IMPORT_COLUMNS",
    "preview_activity_import",
    "read_import_csv",
    "read_import_file",
    "is_member",
    "is_referral_code",
    "list_activities",
    "list_activity_types",
    "list_evaluations",
    "list_initiatives",
    "list_terms",
    "mark_qualifying_course_run",
    "public_documents_changed",
    "is_qualifying_course",
    "publish_qualifying_course_runs",
    "membership_overview",
    "dashboard_card",
    "mark_renewals_due",
    "record_onboarded_organization",
    "record_platform_activity",
    "referral_code",
    "report_activity",
    "review_activity",
    "revoke_term",
    "save_initiative",
    # credentials
    "achievement",
    "add_missing_signing_keys",
    "add_signing_key",
    "credential_ldp",
    "did_document",
    "issuer_did",
    "signing_keyring",
    "status_list_jwt",
    "status_list_ldp",
    "Verification",
    "verify_presented",
    "reissue_credentials",
    "MAX_PRESENTED_BYTES",
    "assertion_v2",
    "badge_artwork",
    "check_artwork",
    "badge_class",
    "baked_image",
    "certificate_pdf",
    "credential_document",
    "credential_for_term",
    "credential_holder_ids",
    "credential_jwt",
    "fulfilment_holder_ids",
    "get_credential",
    "issue_credential",
    "issue_missing_credentials",
    "issuer_profile_v2",
    "issuer_profile_v3",
    "jwks",
    "linkedin_url",
    "list_credentials",
    "list_fulfilments",
    "revoke_credential",
    "set_shipping_address",
    "status_list",
    "update_fulfilment",
    # incentive delivery
    "allowed_next",
    "answer_offer",
    "checked_changes",
    "deliverable_holder_ids",
    "delivery_summary",
    "ensure_current_deliverables",
    "is_overdue",
    "list_all_deliverables",
    "overdue_deliverables",
    "list_deliverables",
    "update_deliverable",
    # invitations
    "answer_invitation",
    "INVITING_KINDS",
    "answers_csv",
    "check_invitation",
    "create_invitation",
    "invitation_ics",
    "invitation_reply_holders",
    "is_invitee",
    "list_invitations",
    "send_invitation",
    # project funding
    "approved_amount",
    "decide_funding",
    "funding_data",
    "payment_values",
    "record_payment",
    "request_funding",
    "verification_details",
    # public presence
    "announcement",
    "announcements_atom",
    "announcement_newsletter",
    "announcement_slides",
    "share_kits",
    "released_cycles",
    "hall_of_fame",
    "hall_of_fame_page",
    "member_page",
    "profile_badges",
    "set_listing",
    # program dashboard and budget
    "budget_csv",
    "budget_markdown",
    "budget_report",
    "budget_table_rows",
    "compute_kpis",
    "kpis_csv",
    "start_cycle_budget",
    # emails
    "deliver_message",
    # retirement
    "retire_user",
    # scheduled work
    "run_due_jobs",
    # the MFE widgets' translations
    "site_language",
    "widget_messages",
]


def get_track_data(*, slug: str) -> TrackData:
    """
    The active track ``slug`` with its criteria and incentives.

    Raises:
        NotFound: there is no such active track.
    """
    return _track_data(_get_track(slug))


def start_cycle_budget(*, cycle_year: int) -> int:
    """
    Copy the program's default budget estimate into the cycle of ``cycle_year`` unless it already
    has lines; returns how many lines were created (0 when it already had a budget).

    Raises:
        NotFound: there is no such cycle.
    """
    return _start_cycle_budget(get_cycle(cycle_year))
