"""
The plugin as the LMS sees it: found through the entry point and wired by edx_django_utils.plugins.
"""
import types
from importlib.metadata import entry_points

from django.urls import resolve, reverse
from edx_django_utils.plugins import get_plugin_apps, get_plugin_url_patterns
from edx_django_utils.plugins.plugin_settings import add_plugins

from openedx_distinguished.apps import DistinguishedConfig
from openedx_distinguished.conf import DEFAULTS

LMS = "lms.djangoapp"


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
    assert resolve("/distinguished/", urlconf=urlconf).view_name == "openedx_distinguished:pages:program"
    assert reverse("openedx_distinguished:api:v1:nomination-detail", kwargs={"pk": 3},
                   urlconf=urlconf) == "/api/distinguished/v1/nominations/3/"


def test_settings_hooks_fill_defaults_and_keep_site_values():
    for settings_type in ("common", "production", "test"):
        module = types.ModuleType(f"lms_settings_{settings_type}")
        module.DISTINGUISHED_MAX_EVIDENCE_LINKS = 3
        import sys  # pylint: disable=import-outside-toplevel
        sys.modules[module.__name__] = module
        try:
            add_plugins(module.__name__, LMS, settings_type)
        finally:
            del sys.modules[module.__name__]
        assert module.DISTINGUISHED_MAX_EVIDENCE_LINKS == 3
        for name, value in DEFAULTS.items():
            if name != "DISTINGUISHED_MAX_EVIDENCE_LINKS":
                assert getattr(module, name) == value
