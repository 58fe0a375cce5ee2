"""
The demo speaks to a locally built MFE as the LMS does: ``POST /login_refresh`` sets the JWT
cookies for a signed-in session, the plugin's API accepts those cookies alone (through
edx-drf-extensions' middleware and authentication), and the configured app origins may call it
with credentials. Run with the demo's settings, in a process of their own.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.demo

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import io, json
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0, interactive=False)
call_command("load_distinguished_program", verbosity=0, stdout=io.StringIO())
user = get_user_model().objects.create_user("ada", "ada@example.org", "pw")
HOST, APP = "localhost:8000", "http://localhost:1996"
API = "/api/distinguished/v1/me/dashboard/"

def answer(response):
    return {"status": response.status_code, "origin": response.get("Access-Control-Allow-Origin"),
            "credentials": response.get("Access-Control-Allow-Credentials"), "vary": response.get("Vary", ""),
            "body": response.content.decode()[:300]}

anonymous = Client(HTTP_HOST=HOST).post("/login_refresh")
session = Client(HTTP_HOST=HOST)
session.force_login(user)
refreshed = session.post("/login_refresh", HTTP_ORIGIN=APP)
cookies = {name: morsel.value for name, morsel in refreshed.cookies.items()}
flags = {name: {"httponly": bool(morsel["httponly"]), "samesite": morsel["samesite"]}
         for name, morsel in refreshed.cookies.items()}
app = Client(HTTP_HOST=HOST)  # no session: the cookies alone
for name, value in cookies.items():
    app.cookies[name] = value
with_cookies = app.get(API, HTTP_ORIGIN=APP, HTTP_USE_JWT_COOKIE="true")
tampered = Client(HTTP_HOST=HOST)
for name, value in cookies.items():
    tampered.cookies[name] = value + ("x" if name.endswith("signature") else "")
print(json.dumps({
    "anonymous": answer(anonymous), "refreshed": answer(refreshed), "flags": flags,
    "cookies": sorted(cookies),
    "with_cookies": answer(with_cookies),
    "without": answer(Client(HTTP_HOST=HOST).get(API, HTTP_ORIGIN=APP)),
    "tampered": answer(tampered.get(API, HTTP_ORIGIN=APP)),
    "preflight": {**answer(Client(HTTP_HOST=HOST).options(API, HTTP_ORIGIN=APP,
                                                          HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")),
                  "headers": Client(HTTP_HOST=HOST).options(API, HTTP_ORIGIN=APP,
                      HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET").get("Access-Control-Allow-Headers", "")},
    "stranger": answer(app.get(API, HTTP_ORIGIN="https://evil.example.org")),
}))
"""


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    """What the demo answered each request of SCRIPT, run once in a process with the demo's settings."""
    where = tmp_path_factory.mktemp("demo-mfe")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "demo.settings", "DISTINGUISHED_DEMO_DB_PATH": str(where / "db"),
           "DISTINGUISHED_DEMO_EMAIL": "none", "PYTHONPATH": str(ROOT)}
    env.pop("DISTINGUISHED_DEMO_MFE_ORIGINS", None)
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_login_refresh_sets_the_two_cookies_of_a_signed_in_session(answers):
    assert answers["anonymous"]["status"] == 401
    assert answers["refreshed"]["status"] == 200 and "expires_epoch_seconds" in answers["refreshed"]["body"]
    assert answers["cookies"] == ["edx-jwt-cookie-header-payload", "edx-jwt-cookie-signature"]
    # The app reads the header and payload; the signature stays out of reach of scripts.
    assert answers["flags"]["edx-jwt-cookie-header-payload"]["httponly"] is False
    assert answers["flags"]["edx-jwt-cookie-signature"]["httponly"] is True


def test_the_api_accepts_the_cookies_alone_and_refuses_a_forged_signature(answers):
    assert answers["with_cookies"]["status"] == 200
    assert json.loads(answers["with_cookies"]["body"])["kind"] in ("call", "none")
    assert answers["without"]["status"] == 401
    assert answers["tampered"]["status"] == 401


def test_the_configured_app_origin_may_call_with_credentials(answers):
    for case in ("with_cookies", "without", "refreshed", "preflight"):
        assert answers[case]["origin"] == "http://localhost:1996", case
        assert answers[case]["credentials"] == "true", case
        assert "Origin" in answers[case]["vary"], case
    assert answers["preflight"]["status"] == 200 and "use-jwt-cookie" in answers["preflight"]["headers"]
    assert answers["stranger"]["origin"] is None and answers["stranger"]["credentials"] is None
