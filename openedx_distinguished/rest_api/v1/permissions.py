"""
Who may do what through the v1 REST API, on top of the API's role lookup.
"""
from rest_framework.exceptions import NotFound, PermissionDenied

from openedx_distinguished import api


def require_nomination_role(request, nomination_id, allowed):
    """
    Return the caller's roles on a nomination, or refuse.

    Someone with no role must not learn that the nomination exists (404); someone who can see
    it but may not do this gets 403.
    """
    roles = api.nomination_roles(request.user, nomination_id)
    if not roles:
        raise NotFound()
    if allowed is not None and not roles & set(allowed):
        raise PermissionDenied(f"Only the {' or '.join(sorted(allowed))} may do this.")
    return roles
