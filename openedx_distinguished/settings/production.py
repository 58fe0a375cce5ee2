"""
Settings the plugin adds in production: operators' values (Tutor patches, YAML) win.
"""
from openedx_distinguished.settings import common


def plugin_settings(settings):
    """
    Apply the defaults for anything the operator left unset.
    """
    common.plugin_settings(settings)
