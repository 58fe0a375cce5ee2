"""
The plugin's Django settings: their defaults, and the one way to read them (at call time).
"""
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {}

# The cookie a member's referral link sets; the registration event reads it back.
REFERRAL_COOKIE = "distinguished_referral"

# .. setting_name: DISTINGUISHED_MAX_EVIDENCE_LINKS
# .. setting_default: 10
# .. setting_description: The most evidence links one nomination or endorsement may carry.
DEFAULTS["DISTINGUISHED_MAX_EVIDENCE_LINKS"] = 10

# .. setting_name: DISTINGUISHED_MAX_URL_LENGTH
# .. setting_default: 500
# .. setting_description: The longest evidence link accepted, in characters.
DEFAULTS["DISTINGUISHED_MAX_URL_LENGTH"] = 500

# .. setting_name: DISTINGUISHED_MAX_JUSTIFICATION_LENGTH
# .. setting_default: 5000
# .. setting_description: The longest justification accepted for one criterion, in characters.
DEFAULTS["DISTINGUISHED_MAX_JUSTIFICATION_LENGTH"] = 5000

# .. setting_name: DISTINGUISHED_PROGRAM_SLUG
# .. setting_default: "distinguished-contributors"
# .. setting_description: Slug of the program this site runs; the default program data file
#   creates it, and the REST API and pages read it.
DEFAULTS["DISTINGUISHED_PROGRAM_SLUG"] = "distinguished-contributors"

# .. setting_name: DISTINGUISHED_SITE_NAME
# .. setting_default: None
# .. setting_description: The site name the public pages show in their header and titles; None
#   uses the platform's ``PLATFORM_NAME`` (or "Open edX" outside the platform).
DEFAULTS["DISTINGUISHED_SITE_NAME"] = None

# .. setting_name: DISTINGUISHED_LOGO_URL
# .. setting_default: None
# .. setting_description: URL of the logo in the public pages' header (absolute, or a path on this
#   site); None uses the platform's ``LOGO_URL`` when set, else no logo.
DEFAULTS["DISTINGUISHED_LOGO_URL"] = None

# .. setting_name: DISTINGUISHED_API_PAGE_SIZE
# .. setting_default: 50
# .. setting_description: Default page size of the plugin's REST listings (callers may ask for
#   up to four times as many with ``limit``).
DEFAULTS["DISTINGUISHED_API_PAGE_SIZE"] = 50

# .. setting_name: DISTINGUISHED_REVIEWERS_PER_NOMINATION
# .. setting_default: 3
# .. setting_description: How many reviewers automatic assignment gives each nomination.
DEFAULTS["DISTINGUISHED_REVIEWERS_PER_NOMINATION"] = 3

# .. setting_name: DISTINGUISHED_REVIEW_QUORUM
# .. setting_default: 2
# .. setting_description: Counted reviews (conflicted reviewers' excluded) a nomination needs before
#   a decision can be recorded without an override reason; the scoreboard flags it.
DEFAULTS["DISTINGUISHED_REVIEW_QUORUM"] = 2

# .. setting_name: DISTINGUISHED_RENEWAL_NOTICE_DAYS
# .. setting_default: 60
# .. setting_description: How long before the end of a term it becomes "renewal due".
DEFAULTS["DISTINGUISHED_RENEWAL_NOTICE_DAYS"] = 60

# .. setting_name: DISTINGUISHED_REGISTRATION_URL
# .. setting_default: "/register"
# .. setting_description: Where a referral link sends visitors after remembering the member's code.
DEFAULTS["DISTINGUISHED_REGISTRATION_URL"] = "/register"

# .. setting_name: DISTINGUISHED_SHARE_HASHTAGS
# .. setting_default: ["OpenedX"]
# .. setting_description: The hashtags (without "#") that end the post a member's share kit
#   prepares for LinkedIn or Mastodon; an empty list adds none.
DEFAULTS["DISTINGUISHED_SHARE_HASHTAGS"] = ["OpenedX"]

# .. setting_name: DISTINGUISHED_ISSUER
# .. setting_default: {"name": "Open edX", "url": "https://openedx.org", "email": "", "image": ""}
# .. setting_description: The issuer profile of the program's Open Badges (name, url, email, image URL).
#   An empty url is the site's public root (DISTINGUISHED_PUBLIC_BASE_URL, else LMS_ROOT_URL), read
#   when a document is made, so that it follows settings made after this one (as tutor dev's port).
DEFAULTS["DISTINGUISHED_ISSUER"] = {"name": "Open edX", "url": "https://openedx.org", "email": "", "image": ""}

# .. setting_name: DISTINGUISHED_PUBLIC_BASE_URL
# .. setting_default: "" (the LMS's LMS_ROOT_URL)
# .. setting_description: The public origin badge documents, JWKS and verification pages are served
#   from; credential ids are built from it, so it must not change once credentials are issued.
DEFAULTS["DISTINGUISHED_PUBLIC_BASE_URL"] = ""

# .. setting_name: DISTINGUISHED_NOMINATIONS_URL
# .. setting_default: "" (the nomination's own page, /distinguished/nominations/<id>/)
# .. setting_description: Where emails send nominators, nominees and endorsers to follow a nomination
#   and to answer a consent request, when a site has a page of its own for it (an MFE, say). A
#   path is joined to the public base URL; "{id}" in it is replaced with the nomination's id.
DEFAULTS["DISTINGUISHED_NOMINATIONS_URL"] = ""

# .. setting_name: DISTINGUISHED_BASE_TEMPLATE
# .. setting_default: "" (the LMS's main_django.html when it exists, else the plugin's own base)
# .. setting_description: The template the program's pages extend. Left empty, the pages take the
#   LMS's look (header, user menu, footer, comprehensive theme) through edx-platform's
#   main_django.html, and the plugin's own base on any other host. A theme may name its own base;
#   it must offer the blocks title, headextra, bodyclass, body and bodyextra (ADR 0011).
DEFAULTS["DISTINGUISHED_BASE_TEMPLATE"] = ""

# .. setting_name: DISTINGUISHED_REVIEW_REMINDER_DAYS
# .. setting_default: 7
# .. setting_description: How many days before a cycle's review deadline the scheduled jobs remind
#   reviewers of the assigned nominations they have not reviewed yet (once per reviewer and cycle).
DEFAULTS["DISTINGUISHED_REVIEW_REMINDER_DAYS"] = 7

# .. setting_name: DISTINGUISHED_EMAIL_MAX_ATTEMPTS
# .. setting_default: 5
# .. setting_description: How many times delivering one email is tried (Celery retries and the
#   scheduled jobs' redelivery together) before it is left unsent; the admin's message log shows why.
DEFAULTS["DISTINGUISHED_EMAIL_MAX_ATTEMPTS"] = 5


def get_setting(name: str) -> Any:
    """
    Return the value of one of the plugin's settings, falling back to its documented default.

    Read at call time so that overrides (tests, site configuration reloads) take effect.
    """
    return getattr(settings, name, DEFAULTS[name])


def site_name() -> str:
    """The site's name as the pages show it: ``DISTINGUISHED_SITE_NAME``, else ``PLATFORM_NAME``, else "Open edX"."""
    return get_setting("DISTINGUISHED_SITE_NAME") or getattr(settings, "PLATFORM_NAME", None) or "Open edX"


def logo_url() -> str:
    """``DISTINGUISHED_LOGO_URL``, else the platform's ``LOGO_URL``, else an empty string (no logo)."""
    return get_setting("DISTINGUISHED_LOGO_URL") or getattr(settings, "LOGO_URL", None) or ""
