"""
Settings the plugin adds to every LMS environment.
"""
from openedx_distinguished.conf import DEFAULTS


def plugin_settings(settings):
    """
    Give every plugin setting its documented default unless the site already set it.
    """
    for name, value in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
