"""
Settings the plugin adds when the LMS (or this repository's test suite) runs its tests.
"""
from openedx_distinguished.settings import common


def plugin_settings(settings):
    """
    Tests use the same defaults as every other environment.
    """
    common.plugin_settings(settings)
