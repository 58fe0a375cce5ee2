"""
Settings the plugin adds to every LMS environment.
"""
from openedx_distinguished.conf import DEFAULTS

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
    Give every plugin setting its documented default unless the site already set it, and edx-ace
    the channel settings it needs if the site has none.
    """
    for name, value in {**ACE_DEFAULTS, **DEFAULTS}.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
