"""
Public badge documents and pages: JWKS, Open Badges 3.0 and 2.0 documents, baked images, and the
human verification page. Anyone may read them; they carry nothing the holder did not publish.
"""
import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from openedx_distinguished import access, api, freshness
from openedx_distinguished.exceptions import NotFound, ValidationError

from .caching import conditional, site_digest, version_tag
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
@conditional(version_tag(freshness.KEYS), "public, max-age=300")
def jwks(request):
    """The public signing keys (current and retired) as a JWKS."""
    return _json(api.jwks())


@require_safe
@conditional(version_tag(freshness.KEYS), "public, max-age=3600")
def issuer_v3(request):
    """The Open Badges 3.0 issuer profile."""
    return _json(api.issuer_profile_v3(), content_type=JSON_LD)


@require_safe
@conditional(version_tag(freshness.KEYS), "public, max-age=3600")
def issuer_v2(request):
    """The Open Badges 2.0 issuer profile."""
    return _json(api.issuer_profile_v2(), content_type=JSON_LD)


@require_safe
@conditional(version_tag(freshness.BADGES), "public, max-age=3600")
def achievement(request, track):
    """The Open Badges 3.0 achievement of a track."""
    return _json(_or_404(api.achievement, track_slug=track), content_type=JSON_LD)


@require_safe
@conditional(version_tag(freshness.BADGES), "public, max-age=3600")
def badge_class(request, track):
    """The Open Badges 2.0 BadgeClass of a track."""
    return _json(_or_404(api.badge_class, track_slug=track), content_type=JSON_LD)


def _artwork_cache_control(request):
    """
    Artwork fetched at the URL pages link (its ``v`` the current ``artwork_version``) never changes
    there: kept for good. At its plain address, as documents name it, it is checked daily.
    """
    if request.GET.get("v") == freshness.artwork_version():
        return "public, max-age=31536000, immutable"
    return "public, max-age=86400"


def _artwork_tag(request, track, kind):
    """The artwork's ETag: its version names the plugin's release too (the artwork it ships)."""
    return freshness.etag(freshness.artwork_version(), site_digest(), track, kind, request.META.get("QUERY_STRING", ""))


@require_safe
@conditional(_artwork_tag, of=_artwork_cache_control)
def artwork(request, track, kind):
    """A track's unbaked badge artwork."""
    if kind not in ("png", "svg"):
        raise Http404("PNG or SVG only.")
    return _image(_or_404(api.badge_artwork, track_slug=track, kind=kind), kind)


# What the credential's URL answers (its ``id``): the compact JWS for verifiers (the media type of
# a VC secured with JOSE, or plain text, as OB 3.0's web-resource format allows), the Data
# Integrity credential for JSON-LD readers, and the verification page for people.
JWT_TYPES = ("application/vc+jwt", "application/jwt", "text/plain")
LDP_TYPES = ("application/vc+ld+json", "application/vc", "application/ld+json", "application/json")


def _wanted(request):
    """Which form of a credential the request asks for: "jwt", "ldp" or "html" (``?format=`` first)."""
    explicit = request.GET.get("format") if request.META.get("QUERY_STRING") else None
    if explicit in ("jwt", "ldp", "html"):
        return explicit
    if explicit == "json":
        return "ldp"
    accept = request.META.get("HTTP_ACCEPT", "")
    if not accept or accept == "*/*":
        return "jwt"
    best, best_quality = "jwt", -1.0
    for item in accept.split(","):
        media, *params = [part.strip() for part in item.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        form = ("html" if media in ("text/html", "application/xhtml+xml") else "jwt" if media in JWT_TYPES
                else "ldp" if media in LDP_TYPES else None)
        if form and quality > best_quality:  # of equal qualities, the first listed wins
            best, best_quality = form, quality
    return best


def _negotiated_tag(request, public_id=""):
    """The ETag of a document served in several forms: the badges' version, the document and the form."""
    return freshness.etag(freshness.version(freshness.BADGES), site_digest(), public_id, _wanted(request))


@require_safe
@conditional(_negotiated_tag, "public, max-age=300")
def credential(request, public_id):
    """
    The Open Badges 3.0 credential at its ``id``: the compact VC-JWT by default (and for
    ``application/vc+jwt``, ``application/jwt``, ``text/plain``), the Data Integrity credential for
    ``application/vc+ld+json``, ``application/ld+json`` or ``application/json``, and the
    verification page for a browser (``text/html``). ``?format=jwt|ldp|html`` chooses explicitly.
    """
    wanted = _wanted(request)
    if wanted == "html":
        _or_404(api.get_credential, public_id=public_id)
        response = redirect(reverse("openedx_distinguished:pages:verify", args=[public_id]))
    elif wanted == "ldp":
        secured = _or_404(api.credential_ldp, public_id=public_id)
        if secured is None:
            raise Http404("This credential was issued before Data Integrity proofs.")
        response = _json(secured, content_type="application/vc+ld+json")
        response["Content-Disposition"] = f'inline; filename="distinguished-{public_id}.json"'
    else:
        response = HttpResponse(_or_404(api.credential_jwt, public_id=public_id), content_type="application/vc+jwt")
        response["Content-Disposition"] = f'inline; filename="distinguished-{public_id}.jwt"'
        response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    return response


@require_safe
@conditional(version_tag(freshness.KEYS), "public, max-age=300")
def did_document(request):
    """The issuer's DID document (``did:web``): its keys, current and retired."""
    return _json(api.did_document(), content_type="application/did+json")


@require_safe
@conditional(_negotiated_tag, "public, max-age=60")
def status_list(request):
    """
    The revocation status list, signed: a VC-JWT of the Bitstring Status List credential by
    default, the credential with a Data Integrity proof for JSON-LD readers (the ``Accept`` of
    ``_wanted``, or ``?format=ldp``). ``?format=json`` shows the unsigned document for reading.
    """
    if request.GET.get("format") == "json":
        response = _json(api.status_list())
    elif _wanted(request) == "ldp":
        try:
            response = _json(api.status_list_ldp(), content_type="application/vc+ld+json")
        except ValidationError as exc:
            raise Http404("No Ed25519 key signs the status list.") from exc
    else:
        response = HttpResponse(api.status_list_jwt(), content_type="application/vc+jwt")
        response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    return response


@require_safe
@conditional(version_tag(freshness.BADGES), "public, max-age=60")
def assertion(request, public_id):
    """The Open Badges 2.0 hosted assertion; HTTP 410 once revoked."""
    document = _or_404(api.assertion_v2, public_id=public_id)
    return _json(document, status=410 if document.get("revoked") else 200, content_type=JSON_LD)


@require_safe
@conditional(version_tag(freshness.BADGES), "public, max-age=300")
def baked(request, public_id, version, kind):
    """The holder's badge image with the 2.0 assertion or 3.0 credential baked in."""
    if version not in (2, 3) or kind not in ("png", "svg"):
        raise Http404("Open Badges 2 or 3, PNG or SVG.")
    if _or_404(api.get_credential, public_id=public_id).status == api.CredentialStatus.REVOKED:
        # A revoked badge is not handed out as a picture that still claims it (OB 2.0 answers 410).
        return HttpResponse("This badge was revoked.", status=410, content_type="text/plain")
    proof = request.GET.get("proof", "jwt")
    try:
        content = _or_404(api.baked_image, public_id=public_id, version=version, kind=kind, proof=proof)
    except ValidationError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")  # every field it names
    except api.BakingError as exc:
        return HttpResponse(f"The badge artwork cannot be baked: {exc}", status=409, content_type="text/plain")
    suffix = "-ldp" if version == 3 and proof == "ldp" else ""
    return _image(content, kind, **{"Content-Disposition":
                                    f'attachment; filename="distinguished-badge-v{version}{suffix}.{kind}"'})


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
    # Both proofs checked as a verifier would, against one read of the keys and the status list.
    checked = {"status_list_token": api.status_list_jwt(), "ring": api.signing_keyring(), "describe": False}
    proofs = [(_("VC-JWT (RS256)"), api.verify_presented(presented=api.credential_jwt(public_id=public_id), **checked))]
    secured = api.credential_ldp(public_id=public_id)
    if secured is not None:
        proofs.append((_("Data Integrity (eddsa-rdfc-2022)"),
                       api.verify_presented(presented=json.dumps(secured, separators=(",", ":")), **checked)))
    return page(request, "openedx_distinguished/verify.html", {
        **details, "public_id": public_id, "can_download": can_download, "proofs": proofs}, section="hall-of-fame",
        breadcrumbs=((_("Hall of fame"), reverse("openedx_distinguished:pages:hall-of-fame")),))


@require_http_methods(["GET", "HEAD", "POST"])
def verify_presented(request):
    """
    For anyone handed a badge: upload the baked image (or paste the token or JSON) and see whether
    it verifies, with every check and the reason when one fails.
    """
    context, status = {"issuer_did": api.issuer_did(), "errors": {}, "token": ""}, 200
    if request.method == "POST":
        upload, token = request.FILES.get("file"), request.POST.get("token", "").strip()
        if upload is not None and upload.size > api.MAX_PRESENTED_BYTES:
            context["errors"]["file"] = [_("The file is larger than 2 MB; a badge image is far smaller.")]
        elif upload is None and not token:
            context["errors"]["token"] = [_("Choose a badge file, or paste a token or JSON credential.")]
        else:
            context["result"] = api.verify_presented(presented=upload.read() if upload is not None else token)
            context["token"] = token
        status = 400 if context["errors"] else 200
    return page(request, "openedx_distinguished/verify_presented.html", context, section="hall-of-fame",
                status=status, breadcrumbs=((_("Hall of fame"), reverse("openedx_distinguished:pages:hall-of-fame")),))


@login_required
@require_safe
def certificate(request, public_id):
    """The PDF certificate of a credential: for its holder (or the organization's contacts) and staff."""
    details = _or_404(api.get_credential, public_id=public_id)
    allowed(access.check_credential_holder, user=request.user, public_id=public_id)
    pdf = api.certificate_pdf(public_id=details.public_id, issuer_name=api.issuer_profile_v3()["name"])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="distinguished-certificate-{details.track_slug}.pdf"'
    response["Cache-Control"] = "private, no-store"  # the holder's own document
    return response
