"""
Template tags of the public pages: the site's name and logo, from the plugin's settings or the platform's.
"""
from django import template
from django.conf import settings

from openedx_distinguished.conf import get_setting

register = template.Library()


@register.simple_tag
def site_name():
    """``DISTINGUISHED_SITE_NAME``, else the platform's ``PLATFORM_NAME``, else "Open edX"."""
    return get_setting("DISTINGUISHED_SITE_NAME") or getattr(settings, "PLATFORM_NAME", None) or "Open edX"


@register.simple_tag
def logo_url():
    """``DISTINGUISHED_LOGO_URL``, else the platform's ``LOGO_URL``, else an empty string (no logo)."""
    return get_setting("DISTINGUISHED_LOGO_URL") or getattr(settings, "LOGO_URL", None) or ""
