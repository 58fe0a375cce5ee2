"""
Referral links: ``/distinguished/join/<code>/`` remembers the member's code and sends the visitor on
to registration; the registration event then attributes the new account to the member.
"""
from django.http import Http404
from django.shortcuts import redirect

from openedx_distinguished import api
from openedx_distinguished.conf import REFERRAL_COOKIE, get_setting

REFERRAL_COOKIE_DAYS = 30


def join(request, code):
    """Remember the referral code for 30 days and redirect to the LMS registration page."""
    if not api.is_referral_code(code=code):
        raise Http404("Unknown referral link.")
    response = redirect(get_setting("DISTINGUISHED_REGISTRATION_URL"))
    response.set_cookie(REFERRAL_COOKIE, code, max_age=REFERRAL_COOKIE_DAYS * 24 * 3600, httponly=True,
                        samesite="Lax", secure=request.is_secure())
    return response
