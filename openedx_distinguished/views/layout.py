"""
How the plugin's pages are framed: inside the LMS's own ``main_django.html`` when the site has it
(its header, user menu, footer and theme), else in the plugin's own ``base.html`` (ADR 0011).
"""
import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from openedx_distinguished import api
from openedx_distinguished.conf import get_setting

# edx-platform's base of its Django-template pages (the wiki and the OAuth pages extend it).
LMS_BASE_TEMPLATE = "main_django.html"
OWN_BASE_TEMPLATE = "openedx_distinguished/base.html"


@functools.lru_cache(maxsize=8)
def _base_for(configured: str) -> str:
    """The base template for the setting's value ``configured`` (cached: the loaders are asked once)."""
    if configured:
        return configured
    try:
        get_template(LMS_BASE_TEMPLATE)
    except TemplateDoesNotExist:
        return OWN_BASE_TEMPLATE
    return LMS_BASE_TEMPLATE


def base_template() -> str:
    """
    The template the pages extend: ``DISTINGUISHED_BASE_TEMPLATE`` when set, else the LMS's
    ``main_django.html`` when the template loaders find one, else the plugin's own base.
    """
    return _base_for(get_setting("DISTINGUISHED_BASE_TEMPLATE") or "")


def _forget_base(setting, **kwargs):
    # Tests (and sites) that change the templates or the setting see the change at once.
    if setting in ("TEMPLATES", "DISTINGUISHED_BASE_TEMPLATE"):
        _base_for.cache_clear()


setting_changed.connect(_forget_base, dispatch_uid="openedx_distinguished.views.layout")


def page(request, template_name, context=None, *, status=200, breadcrumbs=(), section=""):
    """
    Render one of the plugin's pages in the site's frame.

    Args:
        breadcrumbs: (label, url) pairs from the program's top to the page's parent.
        section: the navigation entry the page belongs to (``hall-of-fame``, ``nominate``, ...).
    """
    user = request.user
    signed_in = user.is_authenticated
    context = {
        **(context or {}),
        "od_base_template": base_template(),
        "od_breadcrumbs": breadcrumbs,
        "od_section": section,
        "od_signed_in": signed_in,
        # One query, for signed-in people only: whether the review workspace is theirs.
        "od_reviews": signed_in and (api.is_program_staff(user=user) or api.is_panel_member(user=user)),
        "od_login_url": settings.LOGIN_URL,
    }
    response = render(request, template_name, context, status=status)
    if signed_in:
        # A signed-in person's page names them and shows what is theirs: kept by no cache, shared or not.
        response["Cache-Control"] = "private, no-store"
    return response
