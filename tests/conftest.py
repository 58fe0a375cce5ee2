"""
Shared fixtures: the default program loaded, an open cycle, and the people around a nomination.
"""
import os

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from openedx_distinguished import api

from .factories import CycleFactory, PartnerOrganizationFactory, UserFactory
from .review_fixtures import full_justifications, panels  # noqa: F401  pylint: disable=unused-import


@pytest.fixture
def program(db):
    """The default program definition, loaded as the management command loads it."""
    api.load_program_definition()
    return api


@pytest.fixture
def cycle(program):
    """A cycle whose nomination phase is open now."""
    return CycleFactory(year=2026)


@pytest.fixture
def users(db):
    """Named users for every role a nomination has."""
    return {
        "nominator": UserFactory(username="nominator"),
        "nominee": UserFactory(username="nominee"),
        "learner": UserFactory(username="learner"),
        "endorser": UserFactory(username="endorser"),
        "staff": UserFactory(username="staff", is_staff=True),
    }


@pytest.fixture
def organization(db, users):
    """A partner organization whose contact is the ``nominee`` user."""
    org = PartnerOrganizationFactory(slug="acme", name="Acme Learning")
    org.contacts.add(users["nominee"])
    return org


@pytest.fixture
def client_for():
    """An API client signed in as the given user (or anonymous for None)."""
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    return make


@pytest.fixture(autouse=True)
def empty_cache():
    """
    Each test starts with an empty cache: what the plugin caches for the whole site (the
    qualifying course runs) must not outlive the database rows of the test that cached it.
    """
    from django.core.cache import cache  # pylint: disable=import-outside-toplevel

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def eager_celery():
    """Celery tasks run in-process, as the tests' transaction commits."""
    from celery import current_app  # pylint: disable=import-outside-toplevel

    current_app.conf.task_always_eager = True
    current_app.conf.task_eager_propagates = True
    yield
    current_app.conf.task_always_eager = False


def pytest_collection_modifyitems(config, items):
    """
    Deselect ``integration`` tests (they need Redis) except in the MariaDB run or with
    DISTINGUISHED_INTEGRATION=1, ``demo`` tests (the demo runs on SQLite) in the MariaDB run,
    ``mariadb`` tests (they need row locks) outside it, and ``lms`` tests (they need the
    platform's tables) except with the LMS-like settings.
    """
    mysql = os.environ.get("DISTINGUISHED_TEST_DB") == "mysql"
    unwanted = {"demo"} if mysql else {"mariadb"}
    if not (mysql or os.environ.get("DISTINGUISHED_INTEGRATION") == "1"):
        unwanted.add("integration")
    if not django_settings.configured or "tests.platform.student" not in django_settings.INSTALLED_APPS:
        unwanted.add("lms")
    deselected = [item for item in items if any(item.get_closest_marker(name) for name in unwanted)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not any(item.get_closest_marker(name) for name in unwanted)]
