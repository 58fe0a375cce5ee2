"""
Browser fixtures: Debian's Chromium driven by Playwright, signed in as a given user.
"""
import os

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

CHROMIUM = os.environ.get("DISTINGUISHED_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


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

    def make(user=None):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
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
