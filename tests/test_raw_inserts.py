"""
The raw ``executemany`` inserts (bulk issuance and the benchmark populations) fill every column
they are not given from the field's default, as the ORM would: a field added to a model later
does not break them with a NOT NULL failure.
"""
import pytest

from benchmarks import population
from openedx_distinguished.models import Credential, MembershipTerm

from .membership_fixtures import credentialed_member, make_term


@pytest.fixture
def member(cycle, users, panels, settings):
    return credentialed_member(users, panels, settings)


def test_the_benchmark_insert_fills_the_columns_it_is_not_given(member):
    template = Credential.objects.get()
    other = make_term(member, template.term.track, template.term.cycle, starts_days_ago=400, status="lapsed")
    # The population's own copy leaves out public_reason (a column added after it was written).
    population.copy_credentials([other.pk], template, revoked=[other.pk])
    copy = Credential.objects.get(term=other)
    assert copy.public_reason == ""
    assert copy.revocation_reason == "Bench revocation."
    assert copy.document == template.document
    assert copy.status_index == template.status_index + 1


def test_bulk_issuance_leaves_every_unset_column_at_its_default(member):
    issued = Credential.objects.get()
    fresh = Credential()
    for field in Credential._meta.concrete_fields:
        if field.attname in {"id", "term_id", "public_id", "status_index", "signing_key_id", "document", "jwt",
                             "ldp_proof", "recipient_salt", "recipient_email_hash", "issued_at"}:
            continue
        assert getattr(issued, field.attname) == getattr(fresh, field.attname), field.name
    assert MembershipTerm.objects.filter(credential__isnull=True).count() == 0
