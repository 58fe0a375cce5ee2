"""
The demo as a newcomer meets it (``make demo``): seeded in a process of its own with the demo's
settings, on another port than 8000, its sign-in page, its summary and its e-mails.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.demo

ROOT = Path(__file__).resolve().parent.parent

# Run with the demo's settings: seed it as `make demo` does, then look at it as a visitor would.
SCRIPT = r"""
import io, json, re
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from openedx_distinguished.models import Credential
call_command("migrate", verbosity=0, interactive=False)
call_command("load_distinguished_program", verbosity=0, stdout=io.StringIO())
out = io.StringIO()
call_command("seed_demo", stdout=out)
client = Client(HTTP_HOST="127.0.0.1:8123")
login = client.get("/login").content.decode()
signed_in = client.post("/login", {"username": "learner2", "password": "learner-demo-pw",
                                   "next": "/distinguished/nominations/"})
nominations = client.get("/distinguished/nominations/").content.decode()
credential = Credential.objects.exclude(jwt="").filter(revoked_at__isnull=True).first()
member = Client(HTTP_HOST="127.0.0.1:8123")
member.post("/login", {"username": "member", "password": "member-demo-pw", "next": "/distinguished/membership/"})
from django.utils import timezone
print(json.dumps({
    "membership": member.get("/distinguished/membership/").content.decode(),
    "announcement": Client(HTTP_HOST="127.0.0.1:8123").get(
        f"/distinguished/announcements/{timezone.now().year - 1}/").content.decode(),
    "slides": Client(HTTP_HOST="127.0.0.1:8123").get(
        f"/distinguished/announcements/{timezone.now().year - 1}/kit.pdf").content[:5].decode(),
    "summary": out.getvalue(), "login": login, "redirect": signed_in.get("Location"),
    "nominations": nominations, "credential_id": credential.document["id"],
    "badge": client.get(f"/distinguished/badges/{credential.public_id}/v2.svg").content.decode(),
}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo seeded for port 8123 in a temporary database, and what its pages answered."""
    where = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "demo.settings", "DISTINGUISHED_DEMO_PORT": "8123",
           "DISTINGUISHED_DEMO_DB_PATH": str(where / "demo.sqlite3"),
           "DISTINGUISHED_DEMO_EMAIL_DIR": str(where / "mail"), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "mail": where / "mail"}


def test_the_summary_fits_a_screen_and_follows_the_port(demo):
    lines = demo["summary"].strip().splitlines()
    assert len(lines) < 40
    assert "The demo is ready at http://127.0.0.1:8123/" in lines
    assert any("http://127.0.0.1:8123/login" in line for line in lines)
    assert not any(":8000" in line for line in lines)
    assert any(line.startswith(f"E-mails are written to {demo['mail']}") for line in lines)
    # E-mails went to files, not to the summary.
    assert list(demo["mail"].glob("*.log")) and "Subject:" not in demo["summary"]


def test_every_account_signs_in_at_a_normal_path(demo):
    for username in ("staff", "chair", "reviewer", "reviewer2", "member", "learner1", "learner2"):
        assert f"Sign in as {username}" in demo["login"]
    assert demo["redirect"] == "/distinguished/nominations/"
    # learner2 has member's nomination to answer.
    assert "Answer the nomination" in demo["nominations"]


def test_the_member_has_incentives_to_answer_and_last_year_was_announced(demo):
    assert "Will you take part in “Leads technical sessions or working groups”?" in demo["membership"]
    assert "Will you attend “Architecture discussion: events bus”?" in demo["membership"]
    assert "Recognition at the annual conference" in demo["membership"]
    assert "Grace Hopper" in demo["announcement"] and "Example Learning Co." in demo["announcement"]
    # Renewals are not new members; a revoked member is not shown.
    assert "Ada Lovelace" not in demo["announcement"] and "Victor" not in demo["announcement"]
    # Its kit, printed in the summary, and the member's share kit.
    assert demo["slides"] == "%PDF-" and "kit.pdf" in demo["summary"]
    assert "Share your recognition" in demo["membership"]


def test_credentials_and_badges_follow_the_port(demo):
    assert demo["credential_id"].startswith("http://127.0.0.1:8123/distinguished/badges/v3/credentials/")
    assert 'verify="http://127.0.0.1:8123/distinguished/badges/v2/assertions/' in demo["badge"]
    assert "127.0.0.1:8000" not in demo["badge"]
