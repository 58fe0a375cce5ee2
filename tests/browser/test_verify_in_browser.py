"""
Verifying a badge in a real browser: the verification page with both proofs checked, and the page
where anyone uploads a baked badge (or pastes a token) and reads which check passed or failed; axe
at 1280 and 390 px.
"""
import json

import pytest

from openedx_distinguished import api, signing
from openedx_distinguished.models import Track

from ..factories import UserFactory
from ..membership_fixtures import make_term
from .conftest import WIDTHS, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def credential(cycle, live_server, settings):
    """A member's credential, issued on the live server's site."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = live_server.url
    api.add_signing_key()
    member = UserFactory(username="member", first_name="Mara", last_name="Member")
    return api.issue_credential(term_id=make_term(member, Track.objects.get(slug="engineer"), cycle,
                                                  starts_days_ago=20).pk)


def test_verification_page_shows_both_proofs_checked(credential, page_as):
    for width in WIDTHS:
        page = page_as(None, width=width)
        page.goto(f"/distinguished/verify/{credential.public_id}/")
        results = page.locator(".od-verification")
        assert results.count() == 2
        assert [results.nth(n).get_attribute("data-valid") for n in range(2)] == ["true", "true"]
        assert "Data Integrity (eddsa-rdfc-2022)" in page.locator("main").inner_text()
        check_page(page, "verify-credential")


def test_anyone_uploads_a_baked_badge_or_pastes_a_changed_token(credential, page_as, tmp_path, live_server):
    page = page_as(None)
    badge = tmp_path / "badge.svg"
    badge.write_bytes(page.request.get(f"/distinguished/badges/{credential.public_id}/v3.svg").body())
    page.goto(f"/distinguished/verify/{credential.public_id}/")
    page.get_by_role("link", name="Verify a badge file or token someone gave you").click()
    page.get_by_label("Badge file (PNG, SVG, JSON or token)").set_input_files(str(badge))
    page.get_by_role("button", name="Verify").click()
    assert page.locator(".od-verification").get_attribute("data-valid") == "true"
    assert "Mara Member" in page.locator("main").inner_text()

    token = api.credential_jwt(public_id=credential.public_id)
    header, payload, signature = token.split(".")
    claims = json.loads(signing.b64url_decode(payload))
    claims["name"] = "A better badge"
    changed = f"{header}.{signing.b64url(json.dumps(claims).encode()).decode()}.{signature}"
    for width in WIDTHS:
        page = page_as(None, width=width)
        page.goto("/distinguished/verify/")
        page.get_by_label("Or paste the token or JSON").fill(changed)
        page.get_by_role("button", name="Verify").click()
        assert page.locator(".od-verification").get_attribute("data-valid") == "false"
        assert "The signature does not match" in page.get_by_role("alert").inner_text()
        check_page(page, "verify-presented-refused")
        page.goto("/distinguished/verify/")
        page.get_by_role("button", name="Verify").click()
        assert "Choose a badge file, or paste a token" in page.locator("#token-error").inner_text()
        check_page(page, "verify-presented-empty")
