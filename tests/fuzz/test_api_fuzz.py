"""
Fuzzing of the v1 REST API from its own OpenAPI schema, with schemathesis, as three callers.

Every operation of ``/api/distinguished/v1/schema/`` gets requests generated from the schema
(valid ones and deliberately invalid ones), sent in-process through the WSGI application to a
test database with a program in every state. Whoever calls (anonymous, a learner who nominates
and is a member, program staff), the API must never answer 5xx, and every 4xx must be the API's
JSON error: an object with a human-readable message (``detail``, or a list per field).

Two more runs, as program staff, aim at the path and query parameters of every GET operation
that has some: one sends hostile values (tests/fuzz/strategies.py: digits of other scripts,
numbers past what a database integer holds, signs and padding, control and text-direction
characters) through schemathesis' ``flatmap_path_parameters`` and ``flatmap_query`` hooks; a
sweep sends each value the review's cases were found with to each parameter alone (the others
valid), so that none is left to chance. The same checks apply.

``DISTINGUISHED_FUZZ_EXAMPLES`` sets the examples per operation (default 25; the hostile run takes
as many); generation is derandomized, so a run is reproducible.
"""
import json
import os
from urllib.parse import quote

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from openedx_distinguished.models import Nomination

from .conftest import CSRF_TOKEN, RESPONSES, session_cookies
from .strategies import NOTORIOUS, NOTORIOUS_TEXTS, hostile_texts, huge_numbers, number_texts

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


# Hostile values as path and query parameters ---------------------------------------------------

def hostile_value(parameter):
    """Hostile values for ``parameter``: number-like text for an integer, any text (numbers too) otherwise."""
    kind = (parameter.definition.get("schema") or {}).get("type")
    if kind in ("integer", "number"):
        return st.one_of(number_texts, huge_numbers)
    return st.one_of(hostile_texts, number_texts)


def one_segment(value):
    """Whether ``value`` stays one path segment: not empty, no slash, not a dot segment (they lead elsewhere)."""
    return value not in ("", ".", "..") and "/" not in value


def flatmap_path_parameters(context, path_parameters):
    """Each path parameter as the schema generated it, or a hostile value (schemathesis quotes them)."""
    generated = path_parameters or {}
    return st.fixed_dictionaries({
        parameter.name: st.one_of(hostile_value(parameter).filter(one_segment), *(
            [st.just(generated[parameter.name])] if parameter.name in generated else []))
        for parameter in context.operation.path_parameters
    })


def flatmap_query(context, query):
    """
    One of the operation's query parameters alone with a hostile value (so that no other one is
    refused first), or any of them, each as the schema generated it or a hostile value.
    """
    generated = query or {}
    parameters = list(context.operation.query)
    if not parameters:
        return st.just(query)
    alone = st.sampled_from(parameters).flatmap(
        lambda parameter: st.fixed_dictionaries({parameter.name: hostile_value(parameter)}))
    mixed = st.fixed_dictionaries({}, optional={
        parameter.name: st.one_of(hostile_value(parameter), *(
            [st.just(generated[parameter.name])] if parameter.name in generated else []))
        for parameter in parameters
    })
    return st.one_of(alone, mixed)


def reads_parameters(context):
    """
    A GET operation with path or query parameters (read from its definition: the filter runs
    before schemathesis has read the operation's parameters). Not the schema itself: an unknown
    ``?format=`` is its renderer's 404 in YAML (tests/test_hardening_inputs.py has that case).
    """
    operation = context.operation
    return (operation.method.upper() == "GET" and bool(operation.definition.raw.get("parameters"))
            and not operation.path.endswith("/schema/"))


hostile_schema = schema.include(reads_parameters)


@hostile_schema.hooks.apply(flatmap_path_parameters)
@hostile_schema.hooks.apply(flatmap_query)
@hostile_schema.parametrize()
@FUZZ_SETTINGS
def test_api_parameters_as_program_staff(case, callers):
    call_as(case, callers["staff"], "program staff, hostile parameters")


def _sweep():
    """(operation, location, parameter name) of every parameter of the GET operations of the hostile run."""
    for result in hostile_schema.get_all_operations():
        operation = result.ok()
        for location, parameters in (("path", operation.path_parameters), ("query", operation.query)):
            for parameter in parameters:
                yield pytest.param(operation, location, parameter.name,
                                   id=f"{operation.path} {location} {parameter.name}")


# Valid path parameters of the seeded program, so that a query parameter is read at all.
VALID_PATH = {"year": "2026", "slug": "engineer", "username": "learner", "language": "en"}


@pytest.mark.parametrize("operation, location, name", list(_sweep()))
def test_api_parameter_sweep_as_program_staff(callers, operation, location, name):
    valid = {**VALID_PATH, "id": str(Nomination.objects.order_by("pk").values_list("pk", flat=True).first())}
    for value in NOTORIOUS + NOTORIOUS_TEXTS:
        if location == "path" and not one_segment(value):
            continue
        path = {parameter.name: valid[parameter.name] for parameter in operation.path_parameters}
        query = {}
        if location == "path":
            path[name] = value
        else:
            query[name] = value
        case = operation.Case(path_parameters={key: quote(item, safe="") for key, item in path.items()}, query=query)
        call_as(case, callers["staff"], "program staff, parameter sweep")
