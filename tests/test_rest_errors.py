"""
The REST API's errors, whatever the request: always its JSON shape, never a server error.

Each test is a case the API fuzzing (``make test-fuzz``) found answered with an HTML page or a 500.
"""
import ast
import json
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from openedx_distinguished import api
from openedx_distinguished.models import Track

from .membership_fixtures import make_term

pytestmark = pytest.mark.django_db
BASE = "/api/distinguished/v1"
CSRF = "errorserrorserrorserrorserrors00"  # a CSRF secret, sent as the cookie and as the header


def session_client(user):
    """A browser-like client: signed in with the session cookie, CSRF checks on."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = CSRF
    return client


def json_error(response, status):
    """The response is the API's JSON error with ``status`` and a message."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body and all(body.values())
    return body


@pytest.mark.parametrize("path", [
    "/nowhere/", "/nominations/null,null/", "/nominations/-1/submit/", "/review/cycles/x/assignments.csv",
    "/profiles/a/b/",
])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_paths_under_the_api_get_its_json_404(method, path):
    assert json_error(getattr(Client(), method)(f"{BASE}{path}"), 404) == {"detail": "Not found."}


def test_a_path_without_its_final_slash_is_still_redirected_to_the_endpoint():
    response = Client().get(f"{BASE}/tracks?x=1")
    assert (response.status_code, response["Location"]) == (301, f"{BASE}/tracks/?x=1")


def test_the_catch_all_does_not_reach_the_schema(program):
    schema = Client().get(f"{BASE}/schema/", HTTP_ACCEPT="application/json").json()
    assert not [path for path in schema["paths"] if "{" not in path and not path.endswith("/")
                and not path.endswith(".csv")]


@pytest.mark.parametrize("content_type, body, status", [
    ("multipart/form-data", b'{"cycle": 2026}', 400),  # no boundary
    ("application/x-www-form-urlencoded", "&".join(f"f{i}=1" for i in range(1100)), 400),  # too many fields
    ("application/x-www-form-urlencoded", "a=" + "x" * 2_700_000, 413),  # over DATA_UPLOAD_MAX_MEMORY_SIZE
])
def test_unreadable_form_bodies_of_a_signed_in_browser_get_a_json_error(cycle, users, content_type, body, status):
    # The session authentication reads the CSRF token from the form with Django's parser.
    response = session_client(users["learner"]).post(f"{BASE}/nominations/", data=body, content_type=content_type,
                                                     HTTP_X_CSRFTOKEN=CSRF)
    json_error(response, status)


def test_an_empty_status_filter_lists_every_activity(cycle, users):
    make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=10)
    api.report_activity(user=users["nominee"], activity_type="talk", title="A talk", occurred_on=date.today())
    response = session_client(users["nominee"]).get(f"{BASE}/activities/?status=")
    assert (response.status_code, response.json()["count"]) == (200, 1)


@pytest.mark.parametrize("listing", ["nominations", "endorsements", "initiatives", "terms", "activities"])
def test_an_offset_past_what_the_database_takes_is_a_400(cycle, users, listing):
    response = session_client(users["staff"]).get(f"{BASE}/{listing}/?offset={10 ** 30}")
    assert json_error(response, 400) == {"offset": ["Out of range (0 to 1000000000)."]}


def test_listings_are_documented_as_pages(program):
    schema = Client().get(f"{BASE}/schema/", HTTP_ACCEPT="application/json").json()
    listing = schema["paths"]["/api/distinguished/v1/nominations/"]["get"]["responses"]["200"]
    ref = listing["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"count", "next", "previous", "results"}


def test_every_view_is_described_with_the_apis_own_extend_schema():
    """
    drf-spectacular's own ``extend_schema`` builds on the site's DEFAULT_SCHEMA_CLASS when the module
    is imported; the LMS sets none, and the schema endpoint then fails (``make test-lms`` shows it).
    The views use ``rest_api.v1.schema.extend_schema``, which builds on drf-spectacular's AutoSchema.
    """
    views = Path(api.__file__).parent / "rest_api" / "v1"
    wrong = [f"{path.name}:{node.lineno}" for path in sorted(views.glob("*.py")) if path.name != "schema.py"
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ImportFrom) and node.module == "drf_spectacular.utils"
             and any(alias.name == "extend_schema" for alias in node.names)]
    assert not wrong
