"""
Who may do what through the v1 REST API: the rule book of ``access``, answered in the API's terms.
"""
from rest_framework.exceptions import NotFound, PermissionDenied

from openedx_distinguished import access


def allowed(check, **kwargs):
    """Ask the rule book; a hidden object is the API's 404, a forbidden action its 403."""
    try:
        return check(**kwargs)
    except access.Hidden as exc:
        raise NotFound() from exc
    except access.Forbidden as exc:
        raise PermissionDenied(exc.message) from exc


def require_nomination_role(request, nomination_id, action):
    """The caller's roles on a nomination, if they may take ``action`` (``access.NominationAction``)."""
    return allowed(access.check_nomination, user=request.user, nomination_id=nomination_id, action=action)


def require_review_role(request, nomination_id, action):
    """The caller's review roles on a nomination, if they may take ``action`` (``access.ReviewAction``)."""
    return allowed(access.check_review, user=request.user, nomination_id=nomination_id, action=action)


def chair_scope(request):
    """The tracks the caller may run the review of (None: all, for program staff); 403 for others."""
    return allowed(access.review_scope, user=request.user)


def require_staff(request):
    """Refuse (403) anyone but program staff."""
    allowed(access.check_staff, user=request.user)
