"""
User retirement: every PII-annotated model is walked, and nothing of the retired user stays readable.
"""
import sys
import types

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.dispatch import Signal

from openedx_distinguished import api
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    Credential,
    Fulfilment,
    Initiative,
    MembershipTerm,
    Nomination,
    Onboarding,
    PartnerOrganization,
    ReferralCode,
    Track,
)
from openedx_distinguished.signals import handlers

from .factories import UserFactory
from .membership_fixtures import make_term
from .review_fixtures import full_justifications, score_all, submitted_nomination

pytestmark = pytest.mark.django_db
MARK = "ALICE-PRIVATE"


def pii_models():
    """The plugin's models whose docstring declares PII."""
    return [model for model in apps.get_app_config("openedx_distinguished").get_models()
            if ".. pii:" in (model.__doc__ or "")]


@pytest.fixture
def alice(cycle, users, panels, settings):
    """A user who plays every role the program has, leaving her marks everywhere."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    person = UserFactory(username="alice", email="alice@private.example", first_name="Alice", last_name="Liddell")
    from openedx_distinguished.models import Panel, PanelMember  # pylint: disable=import-outside-toplevel
    PanelMember.objects.create(panel=Panel.objects.get(slug="core-product"), user=person, role="chair")
    PartnerOrganization.objects.create(slug="wonderland", name="Wonderland Ltd").contacts.add(person)
    # Nominated by a peer, with a case about her, and endorsed.
    about = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="innovator",
                                  nominee_username="alice",
                                  justifications={**full_justifications("innovator"), "innovative-tools": MARK},
                                  evidence_links=[f"https://example.org/{MARK}"]).nomination
    api.submit_nomination(nomination_id=about.id, actor=users["nominator"])
    api.create_nomination(nominator=users["endorser"], cycle_year=2026, track_slug="innovator",
                          nominee_username="alice", justifications={"innovative-tools": MARK})
    # She endorses someone, reviews, declares a conflict, decides, withdraws with a reason.
    other = submitted_nomination(users["nominee"], users["nominee"])
    api.assign_reviewer(nomination_id=other.id, reviewer_username="alice", actor=panels["chair"])
    api.assign_reviewer(nomination_id=other.id, reviewer_username="rev1", actor=person)
    api.submit_review(nomination_id=other.id, reviewer=person, scores=score_all("engineer", 4),
                      recommendation="accept", panel_comments=MARK, nominee_feedback=MARK)
    api.submit_review(nomination_id=other.id, reviewer=panels["rev1"], scores=score_all("engineer", 4),
                      recommendation="accept")
    api.record_decision(nomination_id=other.id, actor=person, outcome="accept", rationale="Strong case.")
    third = submitted_nomination(users["learner"], users["learner"])
    api.create_nomination(nominator=person, cycle_year=2026, track_slug="engineer", nominee_username="learner",
                          justifications={"community-support": MARK})
    api.declare_conflict(nomination_id=third.id, reviewer=person, reason=MARK)
    draft = api.create_nomination(nominator=person, cycle_year=2026, track_slug="advocate",
                                  nominee_username="learner").nomination
    api.withdraw_nomination(nomination_id=draft.id, actor=person, reason=MARK)
    # She is a member: term, credential, award with her address, activities, referral, onboarding, initiative.
    term = make_term(person, Track.objects.get(slug="engineer"), cycle, starts_days_ago=30)
    api.issue_credential(term_id=term.pk)
    fulfilment = Fulfilment.objects.get(term=term)
    api.set_shipping_address(fulfilment_id=fulfilment.pk, name="Alice Liddell", address=f"{MARK} Rabbit Hole")
    Activity.objects.create(user=person, activity_type=ActivityType.objects.get(slug="talk"), title=MARK,
                            occurred_on=term.starts_at.date(), source="self_reported")
    code = api.referral_code(user=person)
    api.attribute_registration(user_id=UserFactory(username="referred").pk, code=code)
    Onboarding.objects.create(member=users["staff"], referred_user=person, year=2026)
    api.save_initiative(title="OEP-1", year=2026, lead_usernames=["alice"])
    api.set_listing(user=person, listed=True, slug="alice-liddell")
    return person


def readable(value):
    return "" if value is None else str(value)


def test_nothing_of_the_retired_user_remains(alice, users):
    user_id, secrets = alice.pk, [MARK, "alice@private.example", "Liddell"]
    api.retire_user(user_id=user_id)
    api.retire_user(user_id=user_id)  # a retried retirement is harmless
    checked = 0
    for model in pii_models():
        for row in model.objects.all():
            for field in model._meta.concrete_fields:
                value = getattr(row, field.attname)
                if isinstance(field, models.ForeignKey) and field.related_model is get_user_model():
                    assert value != user_id, f"{model.__name__}.{field.name} still points at the user"
                else:
                    text = readable(value)
                    for secret in secrets:
                        assert secret not in text, f"{model.__name__}.{field.name} still holds {secret!r}"
                checked += 1
    assert checked > 100
    assert not ReferralCode.objects.filter(user_id=user_id).exists()
    assert not PartnerOrganization.contacts.through.objects.filter(user_id=user_id).exists()
    assert not Initiative.leads.through.objects.filter(user_id=user_id).exists()


def test_the_program_stays_coherent(alice, users):
    api.retire_user(user_id=alice.pk)
    # Nominations she made stay, without her; those of her are withdrawn.
    made = Nomination.objects.filter(nominator__isnull=True)
    assert made.exists() and all(n.nominator_id is None for n in made)
    about = Nomination.objects.get(track__slug="innovator", nominee_kind="individual", nominee_user__isnull=True)
    assert about.status == "withdrawn" and about.active_key is None
    assert about.transitions.last().reason == "Account retired."
    # Her membership ended and her credential is revoked everywhere.
    term = MembershipTerm.objects.get(holder_user__isnull=True, track__slug="engineer")
    assert term.status == "revoked" and term.current_key is None
    credential = Credential.objects.get(term=term)
    assert credential.revoked_at is not None and credential.jwt == ""
    assert api.assertion_v2(public_id=credential.public_id)["revoked"] is True
    # The nominator's list shows the nomination without the retired nominee.
    listed = api.list_nominations(user=users["nominator"]).items
    assert listed[0].nominee_username is None and listed[0].nominee_display_name == ""


def test_receivers_connect_to_the_platform_signals(alice, monkeypatch):
    critical, misc = Signal(), Signal()
    platform = types.ModuleType("openedx.core.djangoapps.user_api.accounts.signals")
    platform.USER_RETIRE_LMS_CRITICAL, platform.USER_RETIRE_LMS_MISC = critical, misc
    for name in ("openedx", "openedx.core", "openedx.core.djangoapps", "openedx.core.djangoapps.user_api",
                 "openedx.core.djangoapps.user_api.accounts"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    sys.modules["openedx.core.djangoapps.user_api.accounts"].signals = platform
    monkeypatch.setitem(sys.modules, "openedx.core.djangoapps.user_api.accounts.signals", platform)
    assert handlers.connect_retirement_receivers()
    critical.send(sender=None, user=alice, retired_username="retired_x", retired_email="retired_x@retired.invalid")
    assert not MembershipTerm.objects.filter(holder_user=alice).exists()
    misc.send(sender=None, user=alice)  # again: nothing left, no error


def test_outside_the_platform_there_is_nothing_to_connect():
    assert handlers.connect_retirement_receivers() is False
