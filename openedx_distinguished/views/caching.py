"""
HTTP caching of the public documents: an ETag made from the versions in ``freshness`` (no query, no
rendering), a ``304 Not Modified`` when the client has it, and a ``Cache-Control`` that fits the
document (ADR 0018).
"""
import functools
import hashlib
import json

from django.conf import settings
from django.views.decorators.http import condition

from openedx_distinguished import freshness
from openedx_distinguished.conf import get_setting


def conditional(etag_of, cache_control=None, of=None):
    """
    Answer a GET whose ``If-None-Match`` holds ``etag_of(request, *args, **kwargs)`` with 304,
    without calling the view; else call it and give the response that ETag. Both carry the
    ``Cache-Control`` header ``cache_control``, or the one ``of(request)`` chooses.
    """
    def decorate(view):
        checked = condition(etag_func=etag_of)(view)

        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = checked(request, *args, **kwargs)
            if response.status_code in (200, 304):
                response["Cache-Control"] = of(request) if of else cache_control
            return response
        return wrapped
    return decorate


_SITES = {}


def site_digest():
    """
    A short digest of the site's public address and issuer settings, which the documents embed;
    made once per settings object (tests that override settings get another).
    """
    key = id(getattr(settings, "_wrapped", settings))
    digest = _SITES.get(key)
    if digest is None:
        values = (get_setting("DISTINGUISHED_PUBLIC_BASE_URL"), getattr(settings, "LMS_ROOT_URL", ""),
                  repr(get_setting("DISTINGUISHED_ISSUER")))
        digest = _SITES[key] = hashlib.sha256(json.dumps(values).encode()).hexdigest()[:12]
    return digest


def version_tag(*names):
    """An ``etag_of`` from the versions of ``names``, the site, the view's arguments and the query string."""
    def etag_of(request, *args, **kwargs):
        query = request.META.get("QUERY_STRING", "")  # as sent: no QueryDict to build
        versions = (freshness.version(name) for name in names)
        return freshness.etag(*versions, site_digest(), *args, *kwargs.values(), query)
    return etag_of
