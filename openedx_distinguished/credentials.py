"""
Rules of credentials: Open Badges 3.0 (signed) and 2.0 (hosted) documents, issuance, revocation,
baked images and what verifiers read. Signing keys and JWS are ``signing``'s; physical awards,
``fulfilment``'s.
"""
from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, router, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openedx_distinguished import baking, events, freshness, incentives, parsing, platform, signing
from openedx_distinguished.artwork import ArtworkRefused, check_artwork
from openedx_distinguished.conf import get_setting
from openedx_distinguished.data import CredentialData, CredentialStatus, NomineeKind, TermStatus
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.filters import CredentialIssuanceRequested
from openedx_distinguished.fulfilment import ensure_fulfilments
from openedx_distinguished.models import Credential, Cycle, MembershipTerm, SigningKey, Track
from openedx_distinguished.terms import held_by, holder_user_ids, term_data

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user

log = logging.getLogger(__name__)

# A signing key with its private half; the keys issuance signs with: RSA, and Ed25519 when installed.
_KeyPair = tuple[SigningKey, signing.PrivateKey]
_Keys = tuple[_KeyPair, _KeyPair | None]
# A credential's public id, as a URL or a row gives it.
PublicId = str | uuid.UUID

OB3_CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
STATUS_LIST_BITS = 131072  # 16 KiB, the minimum size the Bitstring Status List spec asks for


# URLs and documents -------------------------------------------------------------------------

url = signing.url
add_signing_key, add_missing_signing_keys = signing.add_signing_key, signing.add_missing_signing_keys
jwks = signing.jwks


def _issuer() -> dict[str, Any]:
    """``DISTINGUISHED_ISSUER`` over its defaults; an empty ``url`` is the site's public root."""
    issuer = {"name": "Open edX", "url": "https://openedx.org", "email": "", "image": "",
              **get_setting("DISTINGUISHED_ISSUER")}
    return {**issuer, "url": issuer["url"] or signing.base_url()}


def issuer_profile_v3() -> dict:
    """
    The Open Badges 3.0 issuer Profile. Its ``id`` is the issuer's ``did:web``, whose DID document
    lists the keys that sign (ADR 0017); the Profile is also served at ``badges/v3/issuer/``.
    """
    issuer = _issuer()
    profile = {"@context": OB3_CONTEXT, "id": signing.issuer_did(), "type": ["Profile"],
               "name": issuer["name"], "url": issuer["url"]}
    if issuer["email"]:
        profile["email"] = issuer["email"]
    if issuer["image"]:
        profile["image"] = {"id": issuer["image"], "type": "Image"}
    return profile


def issuer_profile_v2() -> dict:
    """The Open Badges 2.0 hosted issuer Profile."""
    issuer = _issuer()
    profile = {"@context": OB2_CONTEXT, "type": "Issuer", "id": url("badges/v2/issuer/"),
               "name": issuer["name"], "url": issuer["url"]}
    if issuer["email"]:
        profile["email"] = issuer["email"]
    if issuer["image"]:
        profile["image"] = issuer["image"]
    return profile


def _track(slug: str) -> Track:
    track = Track.objects.filter(slug=slug).prefetch_related("criteria").first()
    if track is None:
        raise NotFound({"track": [f"There is no track {slug!r}."]})
    return track


def _criteria_narrative(track: Track) -> str:
    return "Recognised by the review panel for: " + "; ".join(c.name for c in track.criteria.all()) + "."


def achievement(*, track_slug: str) -> dict:
    """The Open Badges 3.0 Achievement of a track."""
    return _achievement(_track(track_slug))


def _achievement(track: Track) -> dict[str, Any]:
    """The Open Badges 3.0 Achievement of a track row (one query for its criteria, unless prefetched)."""
    return {
        "@context": OB3_CONTEXT, "id": url(f"badges/v3/achievements/{track.slug}/"), "type": ["Achievement"],
        "achievementType": "Membership", "name": track.badge_name or track.name, "description": track.description,
        "criteria": {"id": url("?track=" + track.slug), "narrative": _criteria_narrative(track)},
        "image": {"id": badge_image_url(track.slug, "png"), "type": "Image"},
        "creator": {"id": signing.issuer_did(), "type": ["Profile"], "name": _issuer()["name"]},
    }


def badge_class(*, track_slug: str) -> dict:
    """The Open Badges 2.0 hosted BadgeClass of a track."""
    track = _track(track_slug)
    return {
        "@context": OB2_CONTEXT, "type": "BadgeClass", "id": url(f"badges/v2/classes/{track.slug}/"),
        "name": track.badge_name or track.name, "description": track.description or track.name,
        "image": badge_image_url(track.slug, "png"),
        "criteria": {"id": url("?track=" + track.slug), "narrative": _criteria_narrative(track)},
        "issuer": url("badges/v2/issuer/"),
    }


def badge_image_url(track_slug: str, kind: str) -> str:
    """Where a track's (unbaked) badge artwork is served: the stable address the documents name."""
    return url(f"badges/art/{track_slug}.{kind}")


def artwork_query() -> str:
    """What a page adds to an artwork URL so that a browser may keep the image for good (ADR 0018)."""
    return f"?v={freshness.artwork_version()}"


def badge_artwork(*, track_slug: str, kind: str) -> bytes:
    """
    A track's badge artwork: staff's upload, or the artwork shipped with the plugin (also when an
    upload made before artwork was checked would not pass the check now).
    """
    track = _track(track_slug)
    upload = track.badge_png if kind == "png" else track.badge_svg
    if upload:
        with upload.open("rb") as handle:
            content = handle.read()
        try:
            check_artwork(kind=kind, content=content)
        except ArtworkRefused as exc:
            log.warning("Not serving the uploaded %s artwork of %s: %s", kind, track_slug, exc)
        else:
            return content
    shipped_art = resources.files("openedx_distinguished").joinpath("static/openedx_distinguished/badges")
    shipped = shipped_art.joinpath(f"{track_slug}.{kind}")
    if not shipped.is_file():
        shipped = shipped_art.joinpath(f"engineer.{kind}")  # a track staff added: the generic artwork
    return shipped.read_bytes()


def _hash_email(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.lower() + salt).encode()).hexdigest()


def _holder_identity(term: MembershipTerm) -> tuple[str, str]:
    """The identity a credential names: the user's email, or the organization's page."""
    organization, user = term.holder_organization, term.holder_user
    if term.holder_kind == NomineeKind.ORGANIZATION.value and organization is not None:
        return "sourcedId", url(f"organizations/{organization.slug}/")
    if user is None:  # pragma: no cover  (a retired holder's credentials are revoked, and none is issued)
        raise NotFound({"credential": ["The holder's account no longer exists."]})
    return "emailAddress", (user.email or f"{user.username}@users.invalid")


def _embedded(document: dict[str, Any]) -> dict[str, Any]:
    """A document as another one embeds it (without its ``@context``)."""
    return {k: v for k, v in document.items() if k != "@context"}


def _document(term: MembershipTerm, public_id: PublicId, status_index: int, salt: str,
              achievements: dict[str, str]) -> dict[str, Any]:
    """
    The OpenBadgeCredential of a term, before signing. ``achievements`` (track slug to the
    embedded achievement as JSON) keeps what a run made: the achievement is made once per track,
    and each document still gets its own copy, which the issuance filter may change.
    """
    track = term.track
    if track.slug not in achievements:
        achievements[track.slug] = json.dumps(_embedded(_achievement(track)))
    embedded_achievement = json.loads(achievements[track.slug])
    identity_type, identity = _holder_identity(term)
    root = url("")  # the settings behind it are read once per document, not once per link
    document: dict[str, Any] = {
        "@context": OB3_CONTEXT,
        "id": f"{root}badges/v3/credentials/{public_id}/",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": _embedded(issuer_profile_v3()),
        "name": track.badge_name or track.name,
        "validFrom": term.starts_at.isoformat(),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": identity_type, "hashed": True, "salt": salt,
                            "identityHash": _hash_email(identity, salt)}],
            "achievement": embedded_achievement,
        },
        "credentialStatus": {
            "id": f"{root}badges/v3/status/#{status_index}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(status_index),
            "statusListCredential": f"{root}badges/v3/status/",
        },
    }
    if term.ends_at is not None:
        document["validUntil"] = term.ends_at.isoformat()
    return document


def _registered_claims(document: dict[str, Any], term: MembershipTerm, issued_at: datetime) -> dict[str, Any]:
    """
    The JWT claims OB 3.0 puts beside the credential's own members: ``iss`` (the issuer's id),
    ``jti`` (the credential's id), ``nbf`` and ``exp`` (its validity), ``iat``, and ``sub`` only
    where the subject has an ``id`` (ours are named by a hashed ``identifier``, so none).
    """
    claims = {"iss": document["issuer"]["id"], "jti": document["id"], "nbf": int(term.starts_at.timestamp()),
              "iat": int(issued_at.timestamp())}
    if term.ends_at is not None:
        claims["exp"] = int(term.ends_at.timestamp())
    subject_id = (document.get("credentialSubject") or {}).get("id")
    if subject_id:
        claims["sub"] = subject_id
    return claims


def _sign(document: dict[str, Any], term: MembershipTerm, keys: _Keys, *, issued_at: datetime) -> tuple[str, str, str]:
    """
    The document as JSON, its compact VC-JWT (RS256) and its Data Integrity proof (Ed25519,
    ``eddsa-rdfc-2022``) as JSON. ``keys`` holds the RSA key and the Ed25519 key (or None: then
    the credential gets no Data Integrity proof) with their private halves.

    The JWT payload is the credential itself, its members at the top level with the registered
    claims beside them (OB 3.0's VC-JWT; the earlier ``vc`` wrapper was VC 1.1's layout).
    """
    (rsa_key, rsa_private), ed_pair = keys
    document_json = json.dumps(document, separators=(",", ":"))
    claims = _registered_claims(document, term, issued_at)
    payload = json.dumps({**document, **claims}, separators=(",", ":"))
    token = signing.sign_jws(payload, key=rsa_key, private_key=rsa_private)
    proof = ""
    if ed_pair is not None:
        proof = json.dumps(signing.data_integrity_proof(document, key=ed_pair[0], private_key=ed_pair[1],
                                                        created=issued_at), separators=(",", ":"))
    return document_json, token, proof


def _signing_keys() -> _Keys:
    """The keys issuance signs with: RSA (required) and Ed25519 (when installed)."""
    try:
        ed_pair: _KeyPair | None = signing.active_key(signing.ED25519)
    except ValidationError:
        ed_pair = None
    return signing.active_key(signing.RSA), ed_pair


# Issue and revoke ---------------------------------------------------------------------------

def _credential_data(credential: Credential) -> CredentialData:
    """The plain record of a credential, with its status now (valid, expired or revoked)."""
    term = credential.term
    holder = term.holder_organization.name if term.holder_organization else platform.display_name(term.holder_user)
    valid_until = term.ends_at
    if credential.revoked_at:
        status = CredentialStatus.REVOKED
    elif term.status == TermStatus.LAPSED.value or (valid_until is not None and valid_until < timezone.now()):
        # A lapsed membership's credential is expired from the moment the lapse is confirmed.
        status = CredentialStatus.EXPIRED
    else:
        status = CredentialStatus.VALID
    return CredentialData(
        public_id=str(credential.public_id), term_id=term.pk, holder_display_name=holder,
        holder_username=term.holder_user.username if term.holder_user else None, track_slug=term.track.slug,
        track_name=term.track.name, status=status, issued_at=credential.issued_at, valid_from=term.starts_at,
        valid_until=valid_until, revoked_at=credential.revoked_at, revocation_reason=credential.revocation_reason,
        public_reason=public_revocation_reason(credential) if credential.revoked_at else "",
        lifetime=term.status == TermStatus.LIFETIME.value,
        links=_links(credential),
    )


def _links(credential: Credential) -> dict[str, str]:
    """Every public link of a credential, built from the loaded row (no query)."""
    public = str(credential.public_id)
    return {
        "verify": url(f"verify/{public}/"),
        "certificate_pdf": url(f"certificates/{public}.pdf"),
        "linkedin": _linkedin(credential),
        "credential_jwt": url(f"badges/v3/credentials/{public}/") + "?format=jwt",
        "assertion_v2": url(f"badges/v2/assertions/{public}/"),
        "png_v3": url(f"badges/{public}/v3.png"), "svg_v3": url(f"badges/{public}/v3.svg"),
        "png_v2": url(f"badges/{public}/v2.png"), "svg_v2": url(f"badges/{public}/v2.svg"),
        "jwks": url("badges/jwks.json"), "did": url("did.json"), "status_list": url("badges/v3/status/"),
        # The Data Integrity forms, for wallets: once the credential has its proof (ADR 0017).
        **({"credential_json": url(f"badges/v3/credentials/{public}/") + "?format=ldp",
            "png_v3_ldp": url(f"badges/{public}/v3.png?proof=ldp"),
            "svg_v3_ldp": url(f"badges/{public}/v3.svg?proof=ldp")} if credential.ldp_proof else {}),
    }


def _credentials() -> QuerySet[Credential]:
    return Credential.objects.select_related("term__track", "term__holder_organization", "term__cycle",
                                             "signing_key", *platform.with_profile("term__holder_user"))


ISSUABLE_STATUSES = (TermStatus.ACTIVE.value, TermStatus.RENEWAL_DUE.value, TermStatus.LIFETIME.value)

# Terms a batch issues in one transaction: their rows stay locked while it signs them (~1 ms each).
ISSUE_BATCH_SIZE = 200


def _check_issuable(term: MembershipTerm | None) -> None:
    """Raise why ``term`` (a locked row, or None) cannot get a credential."""
    if term is None:
        raise NotFound({"term": ["Not found."]})
    if term.status not in ISSUABLE_STATUSES:
        raise InvalidTransition({"term": [f"A {term.status} term gets no credential."]})
    if term.holder_kind == NomineeKind.INDIVIDUAL.value and term.holder_user is None:
        raise InvalidTransition({"term": ["The holder's account no longer exists."]})


def _signed(term: MembershipTerm, *, public_id: PublicId, salt: str, status_index: int, keys: _Keys,
            issued_at: datetime, achievements: dict[str, str]) -> tuple[str, str, str]:
    """
    What the new credential of ``term`` at ``status_index`` holds: its document, as the issuance
    filter leaves it, as JSON, its signed token and its Data Integrity proof (see ``_sign``).

    Raises:
        ValidationError: the revocation list is full, or the filter stopped the issuance.
    """
    if status_index >= STATUS_LIST_BITS:
        raise ValidationError({"credential": ["The revocation list is full."]})  # pragma: no cover
    document = _document(term, public_id, status_index, salt, achievements)
    try:
        document = CredentialIssuanceRequested.run_filter(term=term_data(term), document=document)
    except CredentialIssuanceRequested.PreventCredentialIssuance as exc:
        raise ValidationError({"credential": [str(exc) or "Issuance was stopped by a filter."]}) from exc
    return _sign(document, term, keys, issued_at=issued_at)


def _recipient_hash(term: MembershipTerm, salt: str) -> str:
    return _hash_email(term.holder_user.email, salt) if term.holder_user else ""


def _next_status_index() -> int:
    top = Credential.objects.aggregate(top=Max("status_index"))["top"]
    return 0 if top is None else top + 1


def _issued(issued: Sequence[tuple[MembershipTerm, PublicId]]) -> None:
    """
    What follows the issuance of saved credentials, ``issued`` as (term, public id) pairs: their
    fulfilments now; CREDENTIAL_ISSUED, and BADGE_AWARDED for individuals, after the commit.
    """
    ensure_fulfilments(*(term for term, _ in issued))
    incentives.badges_delivered(*(term.pk for term, _ in issued))
    freshness.changed(freshness.BADGES, freshness.PRESENCE)
    events.credentials_issued([(term, str(public_id), url(f"verify/{public_id}/")) for term, public_id in issued])
    transaction.on_commit(functools.partial(_send_badge_events, issued, revoked=False))


def _locked_terms(term_ids: Iterable[int], *related: str) -> dict[int, MembershipTerm]:
    """
    The terms of ``term_ids`` by id, with their holders (and ``related``), the term rows locked
    until the transaction ends. Only the term rows: a locking query that joined the holders would
    lock their rows too, ``auth_user``'s among them, which every sign-in updates.
    """
    locked = list(MembershipTerm.objects.select_for_update().filter(pk__in=list(term_ids))
                  .values_list("pk", flat=True))
    return MembershipTerm.objects.select_related("holder_organization", *platform.with_profile("holder_user"),
                                                 *related).defer(*_unused_columns()).in_bulk(locked)


def _unused_columns() -> tuple[str, ...]:
    """
    What issuance never reads of a term and its holder, left in the database: a fifth of the time
    a batch spent loading its terms went into turning these timestamps into datetimes. (Those of
    the user model's fields that it has: a custom user model may lack some.)
    """
    user_fields = {field.name for field in get_user_model()._meta.concrete_fields}
    return ("created", "modified", *(f"holder_user__{name}" for name in ("password", "last_login", "date_joined")
                                     if name in user_fields))


def _locked_batch(term_ids: Iterable[int], tracks: dict[int, Track], cycles: dict[int, Cycle]
                  ) -> dict[int, MembershipTerm]:
    """
    The terms of ``term_ids`` by id, locked, with their holders, tracks (with their criteria) and
    cycles. ``tracks`` and ``cycles`` (by id) hold those loaded for earlier batches: each is loaded
    once per run, not once per term.
    """
    terms = _locked_terms(term_ids)
    for model, loaded, attname, prefetch in ((Track, tracks, "track_id", ("criteria",)),
                                             (Cycle, cycles, "cycle_id", ())):
        missing = {getattr(term, attname) for term in terms.values()} - loaded.keys()
        if missing:
            loaded.update(model.objects.prefetch_related(*prefetch).in_bulk(missing))
    for term in terms.values():
        term.track, term.cycle = tracks[term.track_id], cycles[term.cycle_id]
    return terms


def issue_credential(*, term_id: int) -> CredentialData:
    """
    Issue the Open Badges credential of a term, once: a second call (or a concurrent worker)
    gets the same credential. The term row is locked while the credential is made (a batch of
    one: see ``_issue_batch``).

    Raises:
        NotFound: no such term.
        InvalidTransition: the term is not current (lapsed, renewed or revoked).
        ValidationError: no signing key is installed.
    """
    _issue_batch([term_id], {"tracks": {}, "cycles": {}, "achievements": {}})
    return _credential_data(_credentials().get(term_id=term_id))


def _credentials_db() -> str:
    return router.db_for_write(Credential)


def _insert_credentials(rows: Iterable[dict[str, Any]], *, key: SigningKey, issued_at: datetime) -> None:
    """
    INSERT new credentials with one executemany. ``rows`` hold what differs between them: dicts
    of term_id, public_id, status_index, document_json, jwt, ldp_proof, recipient_salt and
    recipient_email_hash.

    Each value goes in as its field prepares it, the values all rows share prepared once. The
    document goes in as the JSON ``_sign`` made where the backend stores JSON as that text (SQLite,
    MySQL and MariaDB: those that keep Django's own ``adapt_json_value``).
    """
    connection = connections[_credentials_db()]
    fields = [field for field in Credential._meta.concrete_fields if not field.primary_key]
    # Every column a new credential does not set itself takes its field's default, as the ORM would.
    shared = {field.attname: field.get_default() for field in fields}
    shared.update({"signing_key_id": key.pk, "issued_at": issued_at})
    shared = {attname: field.get_db_prep_save(shared[attname], connection)
              for field in fields if (attname := field.attname) not in {"public_id", "document"}}
    public_id_field, document_field = Credential._meta.get_field("public_id"), Credential._meta.get_field("document")
    json_as_text = type(connection.ops).adapt_json_value is BaseDatabaseOperations.adapt_json_value
    values = []
    for row in rows:
        row = {**shared, **row, "public_id": public_id_field.get_db_prep_save(row["public_id"], connection),
               "document": (row["document_json"] if json_as_text
                            else document_field.get_db_prep_save(json.loads(row["document_json"]), connection))}
        values.append([row[field.attname] for field in fields])
    quote = connection.ops.quote_name
    columns = [quote(str(field.column)) for field in fields]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(Credential._meta.db_table)} ({', '.join(columns)}) "
                           f"VALUES ({', '.join(['%s'] * len(columns))})", values)


def _terms_without_credential() -> QuerySet[MembershipTerm]:
    return MembershipTerm.objects.filter(status__in=ISSUABLE_STATUSES, credential__isnull=True).exclude(
        holder_kind=NomineeKind.INDIVIDUAL.value, holder_user__isnull=True)


def issue_missing_credentials() -> int:
    """
    Issue a credential to every current term that has none (after a key was installed, say).

    The same as ``issue_credential`` for each of them, in batches of ``ISSUE_BATCH_SIZE`` terms
    (one transaction, a few queries and the signatures per batch). Like a loop over
    ``issue_credential``, it stops at the first term that cannot get one and raises why, keeping
    what it issued before.

    Returns:
        how many terms it went through (a term a concurrent worker served meanwhile included).
    """
    if not SigningKey.objects.filter(algorithm=signing.RSA, retired_at__isnull=True).exists():
        return 0
    term_ids = list(_terms_without_credential().values_list("pk", flat=True))
    loaded: dict[str, dict[Any, Any]] = {"tracks": {}, "cycles": {}, "achievements": {}}
    done = 0
    for start in range(0, len(term_ids), ISSUE_BATCH_SIZE):
        done += _issue_batch(term_ids[start:start + ISSUE_BATCH_SIZE], loaded)
    return done


def _issue_batch(term_ids: Sequence[int], loaded: dict[str, dict[Any, Any]]) -> int:
    """
    Issue the credentials of ``term_ids`` in this order (see ``issue_missing_credentials``);
    ``loaded`` keeps the tracks, cycles and achievements of earlier batches of the run.
    """
    error: Exception | None = None
    with transaction.atomic():
        terms = _locked_batch(term_ids, loaded["tracks"], loaded["cycles"])
        served = set(Credential.objects.filter(term_id__in=term_ids).values_list("term_id", flat=True))
        keys = _signing_keys()
        identities = {term_id: (uuid.uuid4(), secrets.token_hex(8)) for term_id in term_ids}
        issued_at = timezone.now()
        for _ in range(5):
            rows: list[dict[str, Any]] = []
            done, error, index = 0, None, _next_status_index()
            for term_id in term_ids:
                if term_id not in served:
                    try:
                        _check_issuable(terms.get(term_id))
                        term, (public_id, salt), status_index = terms[term_id], identities[term_id], index + len(rows)
                        document_json, token, proof = _signed(
                            term, public_id=public_id, salt=salt, status_index=status_index, keys=keys,
                            issued_at=issued_at, achievements=loaded["achievements"])
                    except (NotFound, InvalidTransition, ValidationError) as exc:
                        error = exc
                        break
                    rows.append({"term_id": term_id, "public_id": public_id, "status_index": status_index,
                                 "document_json": document_json, "jwt": token, "ldp_proof": proof,
                                 "recipient_salt": salt, "recipient_email_hash": _recipient_hash(term, salt)})
                done += 1
            try:
                with transaction.atomic(using=_credentials_db()):
                    _insert_credentials(rows, key=keys[0][0], issued_at=issued_at)
                break
            except IntegrityError:
                continue  # other terms took these status indexes a moment ago
        else:  # pragma: no cover
            raise ValidationError({"credential": ["Could not allocate a revocation-list index; try again."]})
        _issued([(terms[row["term_id"]], row["public_id"]) for row in rows])
    if error is not None:
        raise error
    return done


def reissue_credentials(*, everything: bool = False) -> int:
    """
    Re-sign the credentials issued before Data Integrity proofs and OB 3.0's VC-JWT layout (or all,
    with ``everything``) with the keys in use now: each keeps its id, recipient salt, place in the
    revocation list, issue date and revocation, so every link to it stays good (ADR 0017).

    Returns:
        how many were re-signed.

    Raises:
        ValidationError: no signing key, or the issuance filter stopped one (nothing of its batch
        is kept).
    """
    pending = Credential.objects.order_by("pk")
    if not everything:
        pending = pending.filter(ldp_proof="")
    achievements: dict[str, str] = {}
    ids, done = list(pending.values_list("pk", flat=True)), 0
    keys = _signing_keys()
    for start in range(0, len(ids), ISSUE_BATCH_SIZE):
        with transaction.atomic():
            batch = list(Credential.objects.select_for_update().filter(pk__in=ids[start:start + ISSUE_BATCH_SIZE])
                         .select_related("term__track", "term__holder_organization", "term__cycle",
                                         *platform.with_profile("term__holder_user")))
            signed_at = timezone.now()
            for credential in batch:
                document_json, token, proof = _signed(
                    credential.term, public_id=credential.public_id, salt=credential.recipient_salt,
                    status_index=credential.status_index, keys=keys, issued_at=signed_at, achievements=achievements)
                credential.document, credential.jwt, credential.ldp_proof = json.loads(document_json), token, proof
                credential.signing_key = keys[0][0]
            Credential.objects.bulk_update(batch, ["document", "jwt", "ldp_proof", "signing_key"])
            freshness.changed(freshness.BADGES)
            done += len(batch)
    return done


# What verifiers read of a revocation when staff gave no public reason.
GENERIC_REVOCATION = gettext_lazy("The issuer revoked this credential.")


def public_revocation_reason(credential: Credential) -> str:
    """What the public is told of a credential's revocation: staff's public reason, or a generic text."""
    return credential.public_reason or str(GENERIC_REVOCATION)


def revoke_credential(*, public_id: PublicId, reason: object, public_reason: object = "",
                      actor: User | None = None) -> CredentialData:
    """
    Revoke a credential; every format (3.0 status list, 2.0 assertion, verification page) shows it.
    ``reason`` is the internal note (program staff only); verifiers read ``public_reason``, or a
    generic text when it is empty, never the note (ADR 0014).

    Raises:
        NotFound, ValidationError (no reason, or a reason too long or with hidden characters),
        InvalidTransition (already revoked).
    """
    del actor
    note = parsing.text(reason, field="reason", most=2000, lines=True)
    public_note = parsing.text(public_reason, field="public_reason", most=500)
    if not note:
        raise ValidationError({"reason": ["Give the reason, for the record (program staff only read it)."]})
    with transaction.atomic():
        credential = Credential.objects.select_for_update().filter(public_id=_uuid(public_id)).first()
        if credential is None:
            raise NotFound({"credential": ["Not found."]})
        if credential.revoked_at:
            raise InvalidTransition({"credential": ["This credential is already revoked."]})
        credential.revoked_at, credential.revocation_reason = timezone.now(), note
        credential.public_reason = public_note
        credential.save(update_fields=["revoked_at", "revocation_reason", "public_reason"])
        freshness.changed(freshness.BADGES, freshness.PRESENCE)
        credential = _credentials().get(pk=credential.pk)
        events.credential_revoked(credential.term, str(credential.public_id), url(f"verify/{credential.public_id}/"))
        transaction.on_commit(functools.partial(_send_badge_events, [(credential.term, credential.public_id)],
                                                revoked=True))
    return get_credential(public_id=public_id)


def revoke_for_term(*, term_id: int, reason: str) -> None:
    """Revoke the credential of a revoked term, if it has one."""
    public_id = Credential.objects.filter(term_id=term_id, revoked_at__isnull=True).values_list(
        "public_id", flat=True).first()
    if public_id is not None:
        revoke_credential(public_id=public_id, reason=reason)


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound({"credential": ["Not found."]}) from exc


def get_credential(*, public_id: PublicId) -> CredentialData:
    """The record of a credential; NotFound if there is none."""
    credential = _credentials().filter(public_id=_uuid(public_id)).first()
    if credential is None:
        raise NotFound({"credential": ["Not found."]})
    return _credential_data(credential)


def credential_for_term(*, term_id: int) -> CredentialData | None:
    """The credential of a term, or None."""
    return credentials_for_terms(term_ids=[term_id]).get(term_id)


def credentials_for_terms(*, term_ids: Iterable[int]) -> dict[int, CredentialData]:
    """The credentials of the terms of ``term_ids`` that have one, by term id, in one query."""
    return {credential.term_id: _credential_data(credential)
            for credential in _credentials().filter(term_id__in=list(term_ids))}


def credential_document(*, public_id: PublicId) -> dict[str, Any]:
    """The signed Open Badges 3.0 credential, as issued."""
    return _get(public_id).document


def credential_jwt(*, public_id: PublicId) -> str:
    """The compact VC-JWT of a credential."""
    return _get(public_id).jwt


def credential_ldp(*, public_id: PublicId) -> dict[str, Any] | None:
    """The credential secured with its Data Integrity proof (JSON-LD), or None if it was issued without one."""
    credential = _get(public_id)
    if not credential.ldp_proof:
        return None
    # A proof set of one: OB 3.0's JSON schema takes ``proof`` as an array (VC 2.0 allows both).
    return {**credential.document, "proof": [json.loads(credential.ldp_proof)]}


def _get(public_id: PublicId) -> Credential:
    credential = Credential.objects.filter(public_id=_uuid(public_id)).first()
    if credential is None:
        raise NotFound({"credential": ["Not found."]})
    return credential


def assertion_v2(*, public_id: PublicId) -> dict[str, Any]:
    """
    The Open Badges 2.0 hosted Assertion; for a revoked credential, the revocation notice (which
    adapters serve with HTTP 410).
    """
    credential = _credentials().get(pk=_get(public_id).pk)
    assertion_id = url(f"badges/v2/assertions/{credential.public_id}/")
    if credential.revoked_at:
        return {"@context": OB2_CONTEXT, "id": assertion_id, "type": "Assertion", "revoked": True,
                "revocationReason": public_revocation_reason(credential)}
    term = credential.term
    identity_type, identity = _holder_identity(term)
    assertion = {
        "@context": OB2_CONTEXT, "type": "Assertion", "id": assertion_id,
        "recipient": {"type": "email" if identity_type == "emailAddress" else "url", "hashed": True,
                      "salt": credential.recipient_salt, "identity": _hash_email(identity, credential.recipient_salt)},
        "badge": url(f"badges/v2/classes/{term.track.slug}/"),
        "verification": {"type": "hosted"},
        "issuedOn": credential.issued_at.isoformat(),
        "image": url(f"badges/{credential.public_id}/v2.png"),
        "evidence": [{"id": url(f"verify/{credential.public_id}/"), "narrative": "How this badge was earned."}],
    }
    if term.ends_at is not None:
        assertion["expires"] = term.ends_at.isoformat()
    return assertion


def status_list() -> dict:
    """The Bitstring Status List credential of revocations (bit set = revoked), before signing."""
    bits = bytearray(STATUS_LIST_BITS // 8)
    for index in Credential.objects.filter(revoked_at__isnull=False).values_list("status_index", flat=True):
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()
    list_url = url("badges/v3/status/")
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"], "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signing.issuer_did(), "validFrom": timezone.now().replace(microsecond=0).isoformat(),
        "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": "u" + encoded},
    }


def status_list_jwt() -> str:
    """
    The status list as a signed VC-JWT, so that nothing between the issuer and a verifier can
    un-revoke a badge: the payload is the list credential with its registered claims.
    """
    document = status_list()
    issued_at = timezone.now()
    claims = {"iss": document["issuer"], "jti": document["id"], "nbf": int(issued_at.timestamp()),
              "iat": int(issued_at.timestamp())}
    key, private_key = signing.active_key(signing.RSA)
    return signing.sign_jws(json.dumps({**document, **claims}, separators=(",", ":")), key=key,
                            private_key=private_key)


def status_list_ldp() -> dict:
    """
    The status list secured with a Data Integrity proof (Ed25519, ``eddsa-rdfc-2022``), for
    verifiers that read JSON-LD only (those of the Data Integrity credential).

    Raises:
        ValidationError: no Ed25519 key is installed.
    """
    document = status_list()
    key, private_key = signing.active_key(signing.ED25519)
    proof = signing.data_integrity_proof(document, key=key, private_key=private_key, created=timezone.now())
    return {**document, "proof": [proof]}


FORMATS = ("jwt", "ldp")


def baked_image(*, public_id: PublicId, version: int, kind: str, proof: str = "jwt") -> bytes:
    """
    The holder's badge image with the credential baked in: Open Badges 3.0 as the VC-JWT (``proof``
    "jwt") or as the Data Integrity credential ("ldp"); 2.0 as a reference to the hosted assertion.

    SVG, as each version's baking rules say: 3.0 puts the compact JWS in the ``verify`` attribute
    of ``openbadges:credential`` (a JSON-LD credential goes in its body); 2.0 puts the assertion's
    URL in ``verify`` and leaves the body empty. PNG: the same payload in the version's iTXt chunk.

    Raises:
        ValidationError: ``proof`` is neither "jwt" nor "ldp".
        NotFound: no such credential, or no Data Integrity proof for "ldp".
    """
    if proof not in FORMATS:
        raise ValidationError({"proof": ["Choose proof=jwt (VC-JWT) or proof=ldp (Data Integrity)."]})
    credential = _credentials().get(pk=_get(public_id).pk)
    artwork = badge_artwork(track_slug=credential.term.track.slug, kind=kind)
    if version == 2:
        payload, verify_url = url(f"badges/v2/assertions/{credential.public_id}/"), True
    elif proof == "ldp":
        secured = credential_ldp(public_id=credential.public_id)
        if secured is None:
            raise NotFound({"credential": ["This credential was issued before Data Integrity proofs; "
                                           "the issuer re-issues it."]})
        payload, verify_url = json.dumps(secured, separators=(",", ":")), False
    else:
        payload, verify_url = credential.jwt, True
    if kind == "png":
        return baking.bake_png(artwork, payload, version)
    return baking.bake_svg(artwork.decode("utf-8"), payload, version, in_verify=verify_url).encode("utf-8")


def linkedin_url(*, public_id: PublicId) -> str:
    """An "Add to profile" link for LinkedIn's certification form, prefilled from the credential."""
    return _linkedin(_credentials().get(pk=_get(public_id).pk))


def _linkedin(credential: Credential) -> str:
    """The LinkedIn link of a credential loaded with its term and track (no query)."""
    term = credential.term
    params: dict[str, object] = {
        "startTask": "CERTIFICATION_NAME", "name": term.track.badge_name or term.track.name,
        "organizationName": _issuer()["name"], "issueYear": term.starts_at.year, "issueMonth": term.starts_at.month,
        "certUrl": url(f"verify/{credential.public_id}/"), "certId": str(credential.public_id),
    }
    if term.ends_at is not None:
        params.update({"expirationYear": term.ends_at.year, "expirationMonth": term.ends_at.month})
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def _send_badge_events(credentials: Iterable[tuple[MembershipTerm, PublicId]], *, revoked: bool) -> None:
    """
    BADGE_AWARDED or BADGE_REVOKED, telling the rest of Open edX about individuals' badges:
    ``credentials`` are (term, public id) pairs, terms loaded with their holder and track.
    Organizations have no platform user to tell.
    """
    from openedx_events.learning.data import (  # pylint: disable=import-outside-toplevel
        BadgeData,
        BadgeTemplateData,
        UserData,
        UserPersonalData,
    )
    from openedx_events.learning.signals import BADGE_AWARDED, BADGE_REVOKED  # pylint: disable=import-outside-toplevel

    templates: dict[int, BadgeTemplateData] = {}  # by track id: a track's badge template is the same for all its badges
    for term, public_id in credentials:
        user, track = term.holder_user, term.track
        if user is None:
            continue
        if track.pk not in templates:
            templates[track.pk] = BadgeTemplateData(
                uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, url(f"badges/v3/achievements/{track.slug}/"))),
                origin="openedx_distinguished", name=track.badge_name or track.name,
                description=track.description, image_url=badge_image_url(track.slug, "png"))
        badge = BadgeData(
            uuid=str(public_id), template=templates[track.pk],
            user=UserData(id=user.pk, is_active=user.is_active,
                          pii=UserPersonalData(username=user.username, email=user.email,
                                               name=platform.display_name(user))),
        )
        (BADGE_REVOKED if revoked else BADGE_AWARDED).send_event(badge=badge)


def verification_details(*, public_id: PublicId) -> dict[str, Any]:
    """
    What the verification page shows: the credential and its status, the issuer, and how it was
    earned (the cycle, the date the decision was announced, the track's criteria and the public
    evidence of the nomination; for renewals, the first term's).
    """
    credential = _credentials().get(pk=_get(public_id).pk)
    term = credential.term
    first = _first_term(term)
    nomination = first.nomination
    decision = getattr(nomination, "decision", None) if nomination is not None else None
    criteria = [c.name for c in term.track.criteria.all()]
    data = _credential_data(credential)
    return {
        "credential": data,
        "issuer": issuer_profile_v3(),
        "first_cycle_year": first.cycle.year,
        "announced_at": decision.released_at if decision else first.starts_at,
        "consecutive_terms": term.sequence,
        "criteria": criteria,
        "evidence": list(nomination.evidence_links) if nomination is not None else [],
        "linkedin_url": data.links["linkedin"],
        "links": data.links,
    }


def _first_term(term: MembershipTerm) -> MembershipTerm:
    """
    The first term of the renewal chain that led to ``term`` (``term`` itself for a first term),
    with its cycle and nomination. The holder's earlier terms in the track come in one query,
    whatever the length of the chain; a retired holder's chain is followed link by link.
    """
    earlier: dict[int, MembershipTerm] = {}
    if term.previous_id is not None and (term.holder_user_id or term.holder_organization_id):
        earlier = MembershipTerm.objects.select_related("cycle", "nomination").filter(
            track_id=term.track_id, holder_user_id=term.holder_user_id,
            holder_organization_id=term.holder_organization_id, sequence__lt=term.sequence,
        ).in_bulk()
    first = term
    for _ in range(term.sequence):
        if first.previous_id is None:
            break
        first = earlier.get(first.previous_id) or MembershipTerm.objects.select_related(
            "cycle", "nomination").get(pk=first.previous_id)
    return first


# Holders ------------------------------------------------------------------------------------

def credential_holder_ids(*, public_id: PublicId) -> set[int]:
    """The users a credential belongs to: its holder, or the contacts of the holding organization."""
    credential = Credential.objects.select_related("term__holder_organization").filter(
        public_id=_uuid(public_id)).first()
    if credential is None:
        raise NotFound({"credential": ["Not found."]})
    return holder_user_ids(credential.term)


def list_credentials(*, holder: User | AnonymousUser | None) -> list[CredentialData]:
    """The credentials of a user, and of the organizations they are a contact of, newest first."""
    rows = _credentials().filter(held_by(holder, "term__")) \
        .order_by("-issued_at", "-id")
    return [_credential_data(row) for row in rows]
