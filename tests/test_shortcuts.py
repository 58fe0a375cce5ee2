"""
The fences of the performance shortcuts (ADR 0022): each pins what its shortcut was written
against, so that changing a model or a column list fails here, naming the function to update,
instead of breaking issuance, the evaluation or a public page in silence.
"""
import pytest

from openedx_distinguished import presence
from openedx_distinguished.models import Credential, TermEvaluation

# The raw INSERTs: the table's columns when the function was last checked against them.
RAW_INSERTS = {
    "credentials._insert_credentials": (Credential, (
        "id", "term_id", "public_id", "status_index", "signing_key_id", "document", "jwt", "ldp_proof",
        "recipient_salt", "recipient_email_hash", "issued_at", "revoked_at", "revocation_reason",
        "public_reason")),
    "membership._insert_evaluations": (TermEvaluation, (
        "id", "term_id", "cycle_id", "recommendation", "reasons", "qualifying_activities", "evaluated_at",
        "confirmed_at", "confirmed_by_id")),
}

# The rows read by position: each column list, and the function that unpacks its rows.
POSITIONAL_READERS = {
    "presence.profile_badges and presence._profile_badge_rows": (presence.PROFILE_BADGE_COLUMNS, (
        "pk", "distinguished_profile__listed", "distinguished_profile__slug", "distinguished_terms__status",
        "distinguished_terms__ends_at", "distinguished_terms__track__slug", "distinguished_terms__track__name",
        "distinguished_terms__track__badge_name", "distinguished_terms__credential__public_id",
        "distinguished_terms__credential__revoked_at", "privacy")),
    "presence.hall_of_fame": (presence.HALL_OF_FAME_COLUMNS, (
        "holder_organization_id", "holder_user_id", "holder_kind", "track_id", "track__slug", "track__name",
        "status", "start_day", "end_day", "holder_organization__name", "holder_user__first_name",
        "holder_user__last_name", "holder_user__username", "holder_user__distinguished_profile__slug",
        "credential__public_id", "credential__revoked_at", "profile_name", "privacy")),
    "presence.announcement": (presence.ANNOUNCEMENT_COLUMNS, (
        "holder_organization_id", "holder_user_id", "holder_kind", "track__slug", "track__name",
        "track__sort_order", "holder_organization__name", "holder_user__first_name", "holder_user__last_name",
        "holder_user__username", "holder_user__distinguished_profile__slug", "credential__public_id",
        "credential__revoked_at", "nomination__decision__citation", "profile_name", "privacy")),
}


@pytest.mark.parametrize("function", sorted(RAW_INSERTS))
def test_the_tables_of_the_raw_inserts_are_as_pinned(function):
    model, pinned = RAW_INSERTS[function]
    columns = tuple(field.column for field in model._meta.concrete_fields)
    assert columns == pinned, (
        f"{model.__name__}'s columns changed ({sorted(set(columns) ^ set(pinned))}): {function} writes rows with "
        f"raw SQL (ADR 0022). Make it write the new column as the ORM would, test that, then pin the new list here.")


@pytest.mark.parametrize("function", sorted(POSITIONAL_READERS))
def test_the_columns_read_by_position_are_as_pinned(function):
    columns, pinned = POSITIONAL_READERS[function]
    assert columns == pinned, (
        f"The columns {function} reads by position changed: update its unpacking to the new order "
        f"(ADR 0022), then pin the new list here.")
