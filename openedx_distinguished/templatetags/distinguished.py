"""
Template tags of the public pages: the site's name and logo, from the plugin's settings or the platform's.
"""
from django import template
from django.urls import reverse

from openedx_distinguished import conf
from openedx_distinguished.credentials import artwork_query
from openedx_distinguished.views.wording import HISTORY, STATUS_TONE, WORDS

register = template.Library()


@register.simple_tag
def site_name():
    """``DISTINGUISHED_SITE_NAME``, else the platform's ``PLATFORM_NAME``, else "Open edX"."""
    return conf.site_name()


@register.simple_tag
def logo_url():
    """``DISTINGUISHED_LOGO_URL``, else the platform's ``LOGO_URL``, else an empty string (no logo)."""
    return conf.logo_url()


@register.simple_tag
def badge_art(track_slug, kind="svg"):
    """The URL of a track's badge artwork as pages link it: versioned, so that browsers keep it for good."""
    return reverse("openedx_distinguished:pages:badge-art", args=(track_slug, kind)) + artwork_query()


@register.filter
def words(value):
    """A status of the program in words (never its code): nominations, terms, activities, awards, badges."""
    for enum_type, table in WORDS:
        if isinstance(value, enum_type):
            return table.get(value, value)
    return value


@register.filter
def tone(status):
    """The tone of a nomination status badge: waiting, good, ended or nothing."""
    return STATUS_TONE.get(status, "")


@register.filter
def history_words(to_status):
    """A step of a nomination's history in words."""
    return HISTORY.get(to_status, to_status)
