"""
The plugin's own events (sent after commit, embargo-safe, event-bus serialisable) and its filters.
"""
from datetime import date, timedelta

import pytest
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes
from openedx_filters import PipelineStep

from openedx_distinguished import api
from openedx_distinguished.filters import CredentialIssuanceRequested, NominationSubmissionRequested
from openedx_distinguished.models import Activity, ActivityType, Credential, Nomination, Track
from openedx_distinguished.signals import signals

from .factories import UserFactory
from .membership_fixtures import make_term, released_cycle
from .review_fixtures import full_justifications, reviewed_nomination

pytestmark = pytest.mark.django_db
ALL = [signals.NOMINATION_SUBMITTED, signals.ANNOUNCEMENT_RELEASED, signals.MEMBERSHIP_GRANTED,
       signals.MEMBERSHIP_RENEWED, signals.MEMBERSHIP_LAPSED, signals.LIFETIME_GRANTED, signals.CREDENTIAL_ISSUED,
       signals.CREDENTIAL_REVOKED]


@pytest.fixture
def received():
    """Every plugin event sent during the test, as (event type, payload)."""
    seen = []

    def listen(signal, sender, metadata, **kwargs):
        seen.append((metadata.event_type, next(iter(kwargs.values()))))

    for signal in ALL:
        signal.connect(listen, dispatch_uid=f"test-{signal.event_type}")
    yield seen
    for signal in ALL:
        signal.disconnect(dispatch_uid=f"test-{signal.event_type}")


def types(seen):
    return [event_type.split("distinguished.")[1] for event_type, _ in seen]


def test_lifecycle_events_in_order(cycle, users, panels, received, settings, django_capture_on_commit_callbacks):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    with django_capture_on_commit_callbacks(execute=True):
        member = UserFactory(username="member")
        nomination = reviewed_nomination(member, member, panels, decide="accept")
    assert types(received) == ["nomination.submitted.v1"]
    assert received[0][1].id == nomination.id
    with django_capture_on_commit_callbacks(execute=True):
        released_cycle(users, panels, [])
    assert types(received)[1:] == ["membership.granted.v1", "credential.issued.v1", "announcement.released.v1"]
    announcement = received[3][1]
    assert (announcement.accepted, announcement.declined, announcement.deferred) == (1, 0, 0)


def test_no_event_reveals_a_pending_decision(cycle, users, panels, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reviewed_nomination(users["nominee"], users["nominee"], panels, decide="decline")
    assert types(received) == ["nomination.submitted.v1"]
    assert "decline" not in repr(received)


def test_evaluation_events(cycle, users, received, django_capture_on_commit_callbacks):
    track = Track.objects.get(slug="engineer")
    make_term(UserFactory(username="lapsing"), track, cycle, starts_days_ago=368)
    api.evaluate_terms(cycle_year=cycle.year)
    with django_capture_on_commit_callbacks(execute=True):
        api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])
    assert types(received) == ["membership.lapsed.v1"]
    assert received[0][1].holder_username == "lapsing" and received[0][1].status == "lapsed"


@pytest.mark.parametrize("signal", ALL, ids=lambda s: s.event_type)
def test_payloads_survive_the_event_bus_serialisation(
        signal, cycle, users, panels, settings, received, django_capture_on_commit_callbacks):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    with django_capture_on_commit_callbacks(execute=True):
        member = UserFactory(username="member")
        released_cycle(users, panels, [member])
        term = api.list_terms(username="member").items[0]
        api.revoke_term(term_id=term.id, actor=users["staff"], reason="x")
        innovator = Track.objects.get(slug="innovator")
        make_term(UserFactory(username="lapsing"), innovator, cycle, starts_days_ago=368)
        for username, sequence in (("renewing", 1), ("veteran", 5)):
            holder = UserFactory(username=username)
            make_term(holder, innovator, cycle, starts_days_ago=368, sequence=sequence)
            Activity.objects.create(user=holder, activity_type=ActivityType.objects.get(slug="event"),
                                    title="Summit", occurred_on=date.today() - timedelta(days=10), source="imported",
                                    status="verified")
        api.evaluate_terms(cycle_year=cycle.year)
        api.confirm_evaluations(cycle_year=cycle.year, actor=None)
    payloads = [(t, p) for t, p in received if t == signal.event_type]
    assert payloads, f"{signal.event_type} was not sent"
    data_key = next(iter(signal.init_data))
    event_data = {data_key: payloads[0][1]}
    assert deserialize_bytes_to_event_data(serialize_event_data_to_bytes(event_data, signal), signal) == event_data


class RequireEvidence(PipelineStep):
    """Refuses nominations without evidence links."""

    def run_filter(self, nomination):  # pylint: disable=arguments-differ
        if not nomination.evidence_links:
            raise NominationSubmissionRequested.PreventNominationSubmission("Add at least one evidence link.")
        return {"nomination": nomination}


class AddEvidence(PipelineStep):
    """Adds a site-specific field to every credential."""

    def run_filter(self, term, document):  # pylint: disable=arguments-differ
        return {"term": term, "document": {**document, "description": f"Member since {term.starts_at:%Y}."}}


class StopIssuance(PipelineStep):
    """Stops every issuance."""

    def run_filter(self, term, document):  # pylint: disable=arguments-differ
        raise CredentialIssuanceRequested.PreventCredentialIssuance("Issuance is paused.")


def configure(settings, filter_type, step):
    settings.OPEN_EDX_FILTERS_CONFIG = {filter_type: {"pipeline": [f"{__name__}.{step}"], "fail_silently": False}}


def test_submission_filter_refuses_with_a_message(cycle, users, settings, client_for):
    configure(settings, NominationSubmissionRequested.filter_type, "RequireEvidence")
    draft = api.create_nomination(nominator=users["nominee"], cycle_year=2026, track_slug="engineer",
                                  nominee_username="nominee", justifications=full_justifications()).nomination
    response = client_for(users["nominee"]).post(f"/api/distinguished/v1/nominations/{draft.id}/submit/")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["Add at least one evidence link."]
    assert Nomination.objects.get(pk=draft.id).status == "draft"
    api.update_draft(nomination_id=draft.id, evidence_links=["https://github.com/openedx"])
    assert client_for(users["nominee"]).post(f"/api/distinguished/v1/nominations/{draft.id}/submit/").status_code == 200


def test_issuance_filter_changes_the_document(cycle, users, settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    configure(settings, CredentialIssuanceRequested.filter_type, "AddEvidence")
    api.add_signing_key()
    term = make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=10)
    credential = api.issue_credential(term_id=term.pk)
    document = api.credential_document(public_id=credential.public_id)
    assert document["description"] == f"Member since {term.starts_at:%Y}."


def test_issuance_filter_can_stop_it(cycle, users, settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    configure(settings, CredentialIssuanceRequested.filter_type, "StopIssuance")
    api.add_signing_key()
    term = make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=10)
    with pytest.raises(api_validation_error()) as error:
        api.issue_credential(term_id=term.pk)
    assert error.value.errors["credential"] == ["Issuance is paused."]
    assert not Credential.objects.exists()


def api_validation_error():
    from openedx_distinguished.exceptions import ValidationError  # pylint: disable=import-outside-toplevel
    return ValidationError


def test_events_are_importable_before_apps_are_ready():
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel
    code = ("import openedx_distinguished.apps as a; "
            "from openedx_distinguished.signals.signals import CREDENTIAL_ISSUED; print(CREDENTIAL_ISSUED.event_type)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "org.openedx.distinguished.credential.issued.v1"
