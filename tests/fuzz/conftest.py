"""
Fixtures of the API fuzzing run: a program with something in every state, and the callers.

Collected only where schemathesis is installed (the ``fuzz`` tox environment, ``make test-fuzz``);
the default test environments skip this directory.
"""
from collections import Counter
from datetime import date, timedelta
from importlib.util import find_spec

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import Panel, PanelMember, Track

from ..factories import CycleFactory, PartnerOrganizationFactory, UserFactory
from ..membership_fixtures import make_term
from ..review_fixtures import full_justifications, reviewed_nomination, submitted_nomination

if find_spec("schemathesis") is None:
    collect_ignore_glob = ["test_*.py"]

# A CSRF secret the callers send both as the cookie and as the header, as a browser would.
CSRF_TOKEN = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"
BASE_URL = "https://lms.example.org"
# Responses per caller and status class, printed at the end of the run.
RESPONSES = Counter()


def seed():
    """
    Something for every endpoint to act on: nominations in each state (draft, awaiting consent,
    submitted, reviewed and decided), last year's members whose evaluation is due, terms with
    credentials and physical awards, a reported activity, an initiative, review panels.
    """
    api.load_program_definition()
    cycle = CycleFactory(year=2026)
    users = {name: UserFactory(username=name) for name in ("learner", "nominee", "nominator", "endorser")}
    users["staff"] = UserFactory(username="staff", is_staff=True)
    core = Panel.objects.create(program=cycle.program, slug="core-product", name="Core Product Working Group")
    core.tracks.set(Track.objects.filter(slug__in=["engineer", "innovator"]))
    panels = {name: UserFactory(username=name) for name in ("rev1", "rev2", "chair")}
    for name, role in (("rev1", "reviewer"), ("rev2", "reviewer"), ("chair", "chair")):
        PanelMember.objects.create(panel=core, user=panels[name], role=role)
    PartnerOrganizationFactory(slug="acme", name="Acme Learning").contacts.add(users["nominee"])

    learner, nominee = users["learner"], users["nominee"]
    api.add_signing_key()
    api.create_nomination(nominator=learner, cycle_year=2026, track_slug="engineer", nominee_username="learner",
                          justifications=full_justifications())
    peer = api.create_nomination(nominator=learner, cycle_year=2026, track_slug="advocate",
                                 nominee_username="nominee", justifications=full_justifications("advocate"))
    api.submit_nomination(nomination_id=peer.nomination.id, actor=learner)
    of_learner = api.create_nomination(nominator=nominee, cycle_year=2026, track_slug="innovator",
                                       nominee_username="learner", justifications=full_justifications("innovator"))
    api.submit_nomination(nomination_id=of_learner.nomination.id, actor=nominee)
    submitted_nomination(users["endorser"], users["endorser"])
    reviewed_nomination(users["nominator"], users["nominator"], panels, decide="accept")

    # Last year's members: terms that end within this cycle, for the evaluation endpoints.
    past = CycleFactory(year=2025, nominations_open_at=timezone.now() - timedelta(days=400))
    engineer, advocate = Track.objects.get(slug="engineer"), Track.objects.get(slug="advocate")
    for index in range(2):
        make_term(UserFactory(username=f"alumnus{index}"), engineer, past, starts_days_ago=340)
    make_term(learner, advocate, past, starts_days_ago=340)
    make_term(nominee, engineer, cycle, starts_days_ago=10)
    api.issue_missing_credentials()
    api.report_activity(user=learner, activity_type="talk", title="A talk", occurred_on=date.today())
    api.save_initiative(title="OEP-99", year=2026, lead_usernames=["learner"])
    api.set_listing(user=nominee, listed=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # pylint: disable=unused-argument
    """The test database, seeded once for the session; each test's changes are rolled back."""
    from celery import current_app  # pylint: disable=import-outside-toplevel

    current_app.conf.task_always_eager = True
    with django_db_blocker.unblock(), override_settings(DISTINGUISHED_PUBLIC_BASE_URL=BASE_URL):
        seed()


@pytest.fixture
def callers(db, settings):
    """The seeded learner and program staff; badge links are built from the public base URL."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = BASE_URL
    user_model = get_user_model()
    return {"learner": user_model.objects.get(username="learner"),
            "staff": user_model.objects.get(username="staff")}


def session_cookies(user):
    """The cookies of a signed-in browser session of ``user`` (session and CSRF)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {"sessionid": session.session_key, "csrftoken": CSRF_TOKEN}


def pytest_terminal_summary(terminalreporter):
    """How many requests the fuzzing sent, per caller and status class."""
    if not RESPONSES:
        return
    terminalreporter.section("API fuzzing")
    for caller in sorted({caller for caller, _ in RESPONSES}):
        counts = {status: count for (who, status), count in sorted(RESPONSES.items()) if who == caller}
        terminalreporter.write_line(f"{caller}: {sum(counts.values())} requests; {counts}")
    total = sum(RESPONSES.values())
    terminalreporter.write_line(f"all: {total} requests, {sum(c for (_, s), c in RESPONSES.items() if s == '5xx')} 5xx")
