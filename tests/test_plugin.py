"""
The plugin as the LMS sees it: found through the entry point and wired by edx_django_utils.plugins.
"""
import sys
import types
from importlib.metadata import entry_points

import pytest
from django.urls import resolve, reverse
from edx_django_utils.plugins import get_plugin_apps, get_plugin_url_patterns
from edx_django_utils.plugins.plugin_settings import add_plugins

from openedx_distinguished.apps import DistinguishedConfig
from openedx_distinguished.conf import DEFAULTS

LMS = "lms.djangoapp"
# A setting the "site" sets itself, which the plugin must not overwrite.
SITE_SETTING = "DISTINGUISHED_MAX_EVIDENCE_LINKS"


def test_entry_point_names_the_app_config():
    found = {ep.name: ep.load() for ep in entry_points(group=LMS)}
    assert found["openedx_distinguished"] is DistinguishedConfig


def test_plugin_apps_include_this_app():
    assert "openedx_distinguished.apps.DistinguishedConfig" in get_plugin_apps(LMS)


def test_url_patterns_from_the_plugin_framework_resolve():
    patterns = get_plugin_url_patterns(LMS)
    ours = [p for p in patterns if getattr(p, "namespace", None) == "openedx_distinguished"]
    assert len(ours) == 1
    urlconf = types.ModuleType("lms_like_urls")
    urlconf.urlpatterns = patterns
    match = resolve("/api/distinguished/v1/tracks/", urlconf=urlconf)
    assert match.view_name == "openedx_distinguished:api:v1:track-list"
    assert resolve("/distinguished/", urlconf=urlconf).view_name == "openedx_distinguished:pages:hall-of-fame"
    assert resolve("/distinguished/program/", urlconf=urlconf).view_name == "openedx_distinguished:pages:program"
    assert reverse("openedx_distinguished:api:v1:nomination-detail", kwargs={"pk": 3},
                   urlconf=urlconf) == "/api/distinguished/v1/nominations/3/"


@pytest.mark.parametrize("settings_type", ["common", "production", "test"])
def test_settings_hooks_fill_defaults_and_keep_site_values(settings_type, monkeypatch):
    name = f"lms_settings_{settings_type}"
    module = types.ModuleType(name)
    setattr(module, SITE_SETTING, 3)
    monkeypatch.setitem(sys.modules, name, module)
    add_plugins(name, LMS, settings_type)
    assert getattr(module, SITE_SETTING) == 3
    for setting, value in DEFAULTS.items():
        if setting != SITE_SETTING:
            assert getattr(module, setting) == value
