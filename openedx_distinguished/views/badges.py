"""
Public badge documents and pages: JWKS, Open Badges 3.0 and 2.0 documents, baked images, and the
human verification page. Anyone may read them; they carry nothing the holder did not publish.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from openedx_distinguished import access, api
from openedx_distinguished.exceptions import NotFound

from .guard import allowed
from .layout import page

JSON_LD = "application/ld+json"


def _json(data, status=200, content_type=None):
    """A JSON (or JSON-LD) response any site may read (CORS)."""
    response = JsonResponse(data, status=status, json_dumps_params={"indent": 2})
    if content_type:
        response["Content-Type"] = content_type
    response["Access-Control-Allow-Origin"] = "*"
    return response


# What an SVG the plugin serves may do in a browser that opens it directly: draw, with its own
# inline styles; nothing else (no script, no request to anywhere).
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _image(content, kind, **headers):
    """A PNG or SVG response; an SVG locked down by its Content-Security-Policy."""
    response = HttpResponse(content, content_type="image/png" if kind == "png" else "image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    if kind == "svg":
        response["Content-Security-Policy"] = SVG_POLICY
    for name, value in headers.items():
        response[name] = value
    return response


def _or_404(function, **kwargs):
    try:
        return function(**kwargs)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@require_safe
def jwks(request):
    """The public signing keys (current and retired) as a JWKS."""
    response = _json(api.jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def issuer_v3(request):
    """The Open Badges 3.0 issuer profile."""
    return _json(api.issuer_profile_v3(), content_type=JSON_LD)


@require_safe
def issuer_v2(request):
    """The Open Badges 2.0 issuer profile."""
    return _json(api.issuer_profile_v2(), content_type=JSON_LD)


@require_safe
def achievement(request, track):
    """The Open Badges 3.0 achievement of a track."""
    return _json(_or_404(api.achievement, track_slug=track), content_type=JSON_LD)


@require_safe
def badge_class(request, track):
    """The Open Badges 2.0 BadgeClass of a track."""
    return _json(_or_404(api.badge_class, track_slug=track), content_type=JSON_LD)


@require_safe
def artwork(request, track, kind):
    """A track's unbaked badge artwork."""
    if kind not in ("png", "svg"):
        raise Http404("PNG or SVG only.")
    return _image(_or_404(api.badge_artwork, track_slug=track, kind=kind), kind)


@require_safe
def credential(request, public_id):
    """The signed Open Badges 3.0 credential (JSON), or its compact VC-JWT with ``?format=jwt``."""
    if request.GET.get("format") == "jwt":
        token = _or_404(api.credential_jwt, public_id=public_id)
        response = HttpResponse(token, content_type="application/jwt")
    else:
        response = _json(_or_404(api.credential_document, public_id=public_id), content_type=JSON_LD)
    extension = "jwt" if request.GET.get("format") == "jwt" else "json"
    response["Content-Disposition"] = f'inline; filename="distinguished-{public_id}.{extension}"'
    return response


@require_safe
def status_list(request):
    """The revocation status list (Bitstring Status List)."""
    response = _json(api.status_list())
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_safe
def assertion(request, public_id):
    """The Open Badges 2.0 hosted assertion; HTTP 410 once revoked."""
    document = _or_404(api.assertion_v2, public_id=public_id)
    return _json(document, status=410 if document.get("revoked") else 200, content_type=JSON_LD)


@require_safe
def baked(request, public_id, version, kind):
    """The holder's badge image with the 2.0 assertion or 3.0 credential baked in."""
    if version not in (2, 3) or kind not in ("png", "svg"):
        raise Http404("Open Badges 2 or 3, PNG or SVG.")
    if _or_404(api.get_credential, public_id=public_id).status == api.CredentialStatus.REVOKED:
        # A revoked badge is not handed out as a picture that still claims it (OB 2.0 answers 410).
        return HttpResponse("This badge was revoked.", status=410, content_type="text/plain")
    try:
        content = _or_404(api.baked_image, public_id=public_id, version=version, kind=kind)
    except api.BakingError as exc:
        return HttpResponse(f"The badge artwork cannot be baked: {exc}", status=409, content_type="text/plain")
    return _image(content, kind, **{"Content-Disposition":
                                    f'attachment; filename="distinguished-badge-v{version}.{kind}"'})


@require_safe
def verify(request, public_id):
    """For people: whose badge this is, whether it is valid, and how it was earned."""
    details = _or_404(api.verification_details, public_id=public_id)
    try:
        access.check_credential_holder(user=request.user, public_id=public_id)
    except access.Refused:
        can_download = False
    else:
        can_download = True
    return page(request, "openedx_distinguished/verify.html", {
        **details, "public_id": public_id, "can_download": can_download}, section="hall-of-fame",
        breadcrumbs=((_("Hall of fame"), reverse("openedx_distinguished:pages:hall-of-fame")),))


@login_required
@require_safe
def certificate(request, public_id):
    """The PDF certificate of a credential: for its holder (or the organization's contacts) and staff."""
    details = _or_404(api.get_credential, public_id=public_id)
    allowed(access.check_credential_holder, user=request.user, public_id=public_id)
    pdf = api.certificate_pdf(public_id=details.public_id, issuer_name=api.issuer_profile_v3()["name"])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="distinguished-certificate-{details.track_slug}.pdf"'
    return response
