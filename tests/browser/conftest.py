"""
Browser fixtures: Debian's Chromium driven by Playwright, signed in as a given user; axe-core (from
npm, tests/browser/js) checks what the pages offer assistive technology.
"""
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

CHROMIUM = os.environ.get("DISTINGUISHED_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# axe-core, installed by `npm ci --prefix tests/browser/js` (the browser tox environment does it).
AXE = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"

# Where screenshots of the checked pages go, when set (to look at them: the file tool shows PNGs).
SCREENSHOTS = os.environ.get("DISTINGUISHED_SCREENSHOTS")

# The widths every page is looked at: a desktop and a phone.
WIDTHS = (1280, 390)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session; never a downloaded browser."""
    # Imported here: the default test environments do not install Playwright, and they collect
    # this directory (its tests are deselected there by the "not browser" marker expression).
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_as(browser, live_server):
    """A page signed in as ``user`` (or anonymous for None), by planting a real session cookie."""
    contexts = []

    def make(user=None, width=1200):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
        if user is not None:
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                                  "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def serious_violations(page):
    """axe-core's serious and critical violations on ``page``, as "rule: target" lines."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{violation['id']} ({violation['impact']}): {node['target']}"
            for violation in results["violations"] if violation["impact"] in ("serious", "critical")
            for node in violation["nodes"]]


def check_page(page, name=""):
    """
    What every page must offer whatever its width: no serious or critical axe-core violation, and
    no horizontal scrolling (at 390 px the tables are stacked lists). Saves a screenshot when
    DISTINGUISHED_SCREENSHOTS names a directory.
    """
    width = page.viewport_size["width"]
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        label = re.sub(r"[^a-z0-9]+", "-", (name or page.url).lower()).strip("-")
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{label}-{width}.png"), full_page=True)
    assert serious_violations(page) == [], page.url
    overflow = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    assert overflow <= width, f"{page.url} scrolls sideways at {width} px ({overflow} px wide)"
