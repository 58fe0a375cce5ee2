"""
Settings the plugin adds to every LMS environment.
"""
from pathlib import Path

from openedx_distinguished.conf import DEFAULTS

# The plugin's own compiled catalogues (<package>/conf/locale/<language>/LC_MESSAGES/django.mo), when
# a release or an image put them there (make pull_translations). Inside the LMS, the catalogues its
# pull_plugin_translations command brings are in conf/plugins-locale/plugins/openedx_distinguished,
# which the platform adds to LOCALE_PATHS itself (ADR 0024).
BUNDLED_LOCALE = str(Path(__file__).resolve().parent.parent / "conf" / "locale")

# What edx-ace needs to send the plugin's emails. The LMS configures all of these itself (and its
# values win); they matter where nothing else sets them: this repository's tests and demo host.
ACE_DEFAULTS = {
    "ACE_ENABLED_CHANNELS": ["django_email"],
    "ACE_ENABLED_POLICIES": [],
    "ACE_CHANNEL_DEFAULT_EMAIL": "django_email",
    "ACE_CHANNEL_TRANSACTIONAL_EMAIL": "django_email",
}


def plugin_settings(settings):
    """
    Give every plugin setting its documented default unless the site already set it, edx-ace the
    channel settings it needs if the site has none, and Django the plugin's bundled catalogues.
    """
    for name, value in {**ACE_DEFAULTS, **DEFAULTS}.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
    # A list or tuple gets the bundled catalogues last, so that what the site pulled wins; a value
    # the platform derives later (a Derived setting) is left to it.
    locale_paths = getattr(settings, "LOCALE_PATHS", [])
    if isinstance(locale_paths, (list, tuple)) and BUNDLED_LOCALE not in locale_paths:
        settings.LOCALE_PATHS = [*locale_paths, BUNDLED_LOCALE]
