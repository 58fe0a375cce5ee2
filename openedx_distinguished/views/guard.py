"""
The rule book's refusals (``access``) as the pages give them: the 404 page, or 403.
"""
from django.core.exceptions import PermissionDenied
from django.http import Http404

from openedx_distinguished import access


def allowed(check, **kwargs):
    """Ask the rule book; a hidden object is a 404, a forbidden action a 403."""
    try:
        return check(**kwargs)
    except access.Hidden as exc:
        raise Http404(exc.message) from exc
    except access.Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
