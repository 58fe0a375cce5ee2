"""
What a locally built micro-frontend (the profile or learner-dashboard app, with frontend-platform)
needs from the demo to run against it, as it needs them from the LMS:

* ``POST /login_refresh``: for a signed-in session, the JWT cookies the LMS sets (the token split
  in two: ``edx-jwt-cookie-header-payload``, which the app reads, and the HTTP-only
  ``edx-jwt-cookie-signature``); 401 otherwise. edx-drf-extensions' ``JwtAuthCookieMiddleware``
  joins them again and its ``JwtAuthentication`` (the plugin's REST API's) checks the token.
* CORS with credentials for the origins in ``DISTINGUISHED_DEMO_MFE_ORIGINS`` (the LMS uses
  django-cors-headers and ``CORS_ORIGIN_WHITELIST``; the demo keeps to the few headers an app sends).
"""
import time

import jwt
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

# The token's life, as the LMS's JWT_ACCESS_TOKEN_EXPIRE_SECONDS default.
TOKEN_SECONDS = 3600


def _token(user):
    """A JWT for ``user`` with the claims the LMS puts in the ones it issues for its apps."""
    issuer = settings.JWT_AUTH["JWT_ISSUERS"][0]
    now = int(time.time())
    claims = {
        "iss": issuer["ISSUER"], "aud": issuer["AUDIENCE"], "iat": now, "exp": now + TOKEN_SECONDS,
        "version": "1.2.0", "token_type": "JWT", "scopes": ["user_id", "email", "profile"], "filters": [],
        "preferred_username": user.username, "email": user.email, "user_id": user.pk,
        "administrator": user.is_staff, "name": user.get_full_name(), "email_verified": True,
        "is_restricted": False, "grant_type": "password",
    }
    return jwt.encode(claims, issuer["SECRET_KEY"], algorithm=settings.JWT_AUTH["JWT_ALGORITHM"])


@csrf_exempt  # frontend-platform posts it without a CSRF token, as to the LMS
@require_POST
def login_refresh(request):
    """Set the JWT cookies for the session's user (200), or say there is none (401)."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Not signed in."}, status=401)
    header, payload, signature = _token(request.user).split(".")
    response = JsonResponse({"expires_epoch_seconds": int(time.time()) + TOKEN_SECONDS})
    names = settings.JWT_AUTH
    response.set_cookie(names["JWT_AUTH_COOKIE_HEADER_PAYLOAD"], f"{header}.{payload}", max_age=TOKEN_SECONDS,
                        samesite="Lax")
    response.set_cookie(names["JWT_AUTH_COOKIE_SIGNATURE"], signature, max_age=TOKEN_SECONDS, httponly=True,
                        samesite="Lax")
    return response


class MfeCorsMiddleware:
    """Let the configured app origins call the demo with their cookies; answer their preflights."""

    HEADERS = "authorization, content-type, use-jwt-cookie, x-csrftoken, x-requested-with"

    def __init__(self, get_response):
        self.get_response = get_response
        self.origins = set(getattr(settings, "DISTINGUISHED_DEMO_MFE_ORIGINS", ()))

    def __call__(self, request):
        origin = request.META.get("HTTP_ORIGIN")
        allowed = origin in self.origins
        if allowed and request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=200)
            response["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            response["Access-Control-Allow-Headers"] = self.HEADERS
            response["Access-Control-Max-Age"] = "600"
        else:
            response = self.get_response(request)
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Credentials"] = "true"
        response["Vary"] = ", ".join(filter(None, [response.get("Vary"), "Origin"]))
        return response
