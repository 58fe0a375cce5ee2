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


def require_review_role(request, nomination_id, allowed):
    """
    Return the caller's review roles on a nomination, or refuse.

    A conflicted reviewer, like anyone outside the panel, gets 404: the nomination does not exist
    for them. A panel member without the needed role gets 403.
    """
    roles = api.review_roles(request.user, nomination_id)
    if not roles or api.ROLE_CONFLICTED in roles:
        raise NotFound()
    if not roles & set(allowed):
        raise PermissionDenied(f"Only {' or '.join(sorted(allowed))} may do this.")
    return roles


def chair_scope(request):
    """
    The tracks the caller may run the review of: None (all) for program staff, the tracks of the
    panels they chair for chairs; anyone else gets 403.
    """
    if api.is_program_staff(request.user):
        return None
    tracks = api.chaired_track_ids(request.user)
    if not tracks:
        raise PermissionDenied("Only panel chairs and program staff may do this.")
    return tracks
