"""
Fuzzing of the v1 REST API from its own OpenAPI schema, with schemathesis, as three callers.

Every operation of ``/api/distinguished/v1/schema/`` gets requests generated from the schema
(valid ones and deliberately invalid ones), sent in-process through the WSGI application to a
test database with a program in every state. Whoever calls (anonymous, a learner who nominates
and is a member, program staff), the API must never answer 5xx, and every 4xx must be the API's
JSON error: an object with a human-readable message (``detail``, or a list per field).

``DISTINGUISHED_FUZZ_EXAMPLES`` sets the examples per operation (default 25); generation is
derandomized, so a run is reproducible.
"""
import json
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from .conftest import CSRF_TOKEN, RESPONSES, session_cookies

pytestmark = [pytest.mark.fuzz]

SCHEMA_PATH = "/api/distinguished/v1/schema/"
MAX_EXAMPLES = int(os.environ.get("DISTINGUISHED_FUZZ_EXAMPLES", "25"))

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    # The test database and the callers are function-scoped fixtures on purpose: every
    # operation starts from the same seeded state.
    suppress_health_check=list(HealthCheck),
)


# Loaded through the WSGI application like any client would (schema generation needs no database).
# Not from a fixture: schemathesis' lazy fixture loader does not run on pytest 9.
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application())
# The callers authenticate with the session cookie set below, never with generated credentials.
schema.config.generation.update(with_security_parameters=False)


def has_message(value):
    """Whether an error body carries at least one non-empty human-readable string."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return any(has_message(item) for item in value.values())
    if isinstance(value, list):
        return any(has_message(item) for item in value)
    return False


def json_error_with_message(ctx, response, case):  # pylint: disable=unused-argument
    """A 4xx is the API's JSON error: an object with a message (``detail`` or a list per field)."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), (
        f"{case.method} {case.formatted_path} answered {response.status_code} as {content_type!r}, not JSON: "
        f"{response.text[:200]!r}"
    )
    body = json.loads(response.text)
    assert isinstance(body, dict) and has_message(body), (
        f"{case.method} {case.formatted_path} answered {response.status_code} without a message: {body!r}"
    )
    return True


CHECKS = [not_a_server_error, json_error_with_message, response_schema_conformance]


def call_as(case, user, caller):
    """
    Send the case as ``user`` (None: anonymous, else with a signed-in session and its CSRF token),
    count the answer for the run's summary and check it.
    """
    extra = {} if user is None else {"cookies": session_cookies(user), "headers": {"X-CSRFToken": CSRF_TOKEN}}
    response = case.call(**extra)
    RESPONSES[(caller, f"{response.status_code // 100}xx")] += 1
    case.validate_response(response, checks=CHECKS, headers=extra.get("headers"))


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_anonymous(case, callers):
    call_as(case, None, "anonymous")


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_learner(case, callers):
    call_as(case, callers["learner"], "learner")


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_program_staff(case, callers):
    call_as(case, callers["staff"], "program staff")
