"""
Signing keys and proofs: the issuer's identifier (``did:web``) and DID document, RS256 compact JWS
(the VC-JWT of Open Badges 3.0) and Ed25519 Data Integrity proofs (``eddsa-rdfc-2022``), and
checking both. No program rules here: ``credentials`` decides what is signed (ADR 0017).
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
from datetime import datetime
from datetime import timezone as dt_timezone
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from jwt.algorithms import RSAAlgorithm

from openedx_distinguished import freshness
from openedx_distinguished.conf import get_setting
from openedx_distinguished.exceptions import ValidationError
from openedx_distinguished.models import SigningKey

RSA, ED25519 = SigningKey.RS256, SigningKey.EDDSA
CRYPTOSUITE = "eddsa-rdfc-2022"

# The private keys the plugin signs with (``_load_pem`` accepts no other), and their public halves.
PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey


# Where the issuer lives -----------------------------------------------------------------------

def base_url() -> str:
    """The site's public root (no trailing slash)."""
    return (get_setting("DISTINGUISHED_PUBLIC_BASE_URL") or getattr(settings, "LMS_ROOT_URL", "")).rstrip("/")


def url(path: str) -> str:
    """An absolute URL of one of the plugin's public documents."""
    return f"{base_url()}/distinguished/{path}"


def issuer_did() -> str:
    """
    The issuer's identifier: ``did:web`` for the plugin's root on this site, so that
    ``did:web:lms.example.org:distinguished`` resolves to ``https://lms.example.org/distinguished/did.json``,
    which the plugin serves (the DID method's rule: host, a port percent-encoded, path segments
    joined with ``:``).
    """
    parts = urlsplit(url(""))
    host = parts.hostname or "localhost"
    if parts.port:
        host = f"{host}:{parts.port}"
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return "did:web:" + ":".join([quote(host, safe=""), *segments])


def method_id(kid: str) -> str:
    """The DID URL of a key: the issuer's DID with the key's id as fragment (the JWS ``kid``)."""
    return f"{issuer_did()}#{kid}"


# Keys ----------------------------------------------------------------------------------------

def _fernet(secret_key: str | None = None) -> Fernet:
    """The cipher that protects private keys at rest, derived from the site's SECRET_KEY."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"openedx-distinguished signing keys").derive((secret_key or settings.SECRET_KEY).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def b64url(data: bytes) -> bytes:
    """Base64url without padding (JOSE)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def b64url_decode(text: str | bytes) -> bytes:
    """The bytes of unpadded base64url text; ValueError if it is not that."""
    if isinstance(text, str):
        text = text.encode("ascii")
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


def _thumbprint(jwk: dict[str, Any]) -> str:
    """The RFC 7638 thumbprint of a public JWK (RSA or OKP), used as its ``kid``."""
    members = ("e", "kty", "n") if jwk["kty"] == "RSA" else ("crv", "kty", "x")
    members_json = json.dumps({name: jwk[name] for name in members}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(members_json.encode()).digest()).decode()


def _public_jwk(private_key: PrivateKey) -> tuple[str, dict[str, Any], str]:
    """The ``kid``, public JWK and algorithm of a private key."""
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk, algorithm = {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw).decode()}, ED25519
    else:
        jwk, algorithm = json.loads(RSAAlgorithm.to_jwk(private_key.public_key())), RSA
    kid = _thumbprint(jwk)
    jwk.update({"kid": kid, "use": "sig", "alg": algorithm})
    return kid, jwk, algorithm


def _load_pem(private_key_pem: str) -> PrivateKey:
    """The private key of an operator's PEM; ValidationError unless RSA of 2048 bits or more, or Ed25519."""
    try:
        private_key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ValidationError({"key": ["Not a PEM-encoded, unencrypted private key."]}) from exc
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return private_key
    if not isinstance(private_key, rsa.RSAPrivateKey) or private_key.key_size < 2048:
        raise ValidationError({"key": ["Give an RSA key of at least 2048 bits (RS256) or an Ed25519 key."]})
    return private_key


def _install(private_key: PrivateKey) -> str:
    """Store ``private_key`` as the signing key of its algorithm, retiring the earlier one."""
    kid, public_jwk, algorithm = _public_jwk(private_key)
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    if SigningKey.objects.filter(kid=kid).exists():
        raise ValidationError({"key": ["This key is already installed."]})
    SigningKey.objects.filter(algorithm=algorithm, retired_at__isnull=True).update(retired_at=timezone.now())
    SigningKey.objects.create(kid=kid, algorithm=algorithm, public_jwk=public_jwk,
                              private_key_encrypted=_fernet().encrypt(pem).decode())
    freshness.changed(freshness.KEYS, freshness.BADGES)
    return kid


def add_signing_key(*, private_key_pem: str | None = None) -> str:
    """
    Make new signing keys: the operator's PEM (RSA of at least 2048 bits, or Ed25519) for its
    algorithm, or, without one, a new RSA key and a new Ed25519 key. Earlier keys of the same
    algorithm are retired, not deleted: they stay published so that what they signed still
    verifies.

    Returns:
        the new key's ``kid`` (the RSA one when both are made).

    Raises:
        ValidationError: the PEM is not a usable private key, or is installed already.
    """
    with transaction.atomic():
        if private_key_pem:
            return _install(_load_pem(private_key_pem))
        _install(ed25519.Ed25519PrivateKey.generate())
        return _install(rsa.generate_private_key(public_exponent=65537, key_size=3072))


def add_missing_signing_keys() -> list[str]:
    """Make a signing key for each algorithm that has none in use (an upgrade adds Ed25519); their kids."""
    made: list[str] = []
    with transaction.atomic():
        in_use = set(SigningKey.objects.filter(retired_at__isnull=True).values_list("algorithm", flat=True))
        if ED25519 not in in_use:
            made.append(_install(ed25519.Ed25519PrivateKey.generate()))
        if RSA not in in_use:
            made.append(_install(rsa.generate_private_key(public_exponent=65537, key_size=3072)))
    return made


def published_keys() -> list[SigningKey]:
    """Every key, current and retired, oldest first."""
    return list(SigningKey.objects.order_by("created", "id"))


def _published_jwk(key: SigningKey) -> dict[str, Any]:
    """A key's public JWK as published: its ``kid`` is its DID URL, the very ``kid`` of the tokens it signs."""
    return {**key.public_jwk, "kid": method_id(key.kid)}


def jwks() -> dict[str, Any]:
    """
    Every public key, current and retired, as a JSON Web Key Set: each under its DID URL (the
    ``kid`` of what it signs now), and each RSA key also under its bare thumbprint, the ``kid`` of
    the tokens issued before ADR 0017, so that JOSE libraries still find their key.
    """
    keys = published_keys()
    return {"keys": [_published_jwk(key) for key in keys] + [key.public_jwk for key in keys if key.algorithm == RSA]}


def active_key(algorithm: str = RSA) -> tuple[SigningKey, PrivateKey]:
    """The key of ``algorithm`` that signs now, with its decrypted private half."""
    key = SigningKey.objects.filter(algorithm=algorithm, retired_at__isnull=True).order_by("-created", "-id").first()
    if key is None:
        raise ValidationError({"key": ["No signing key: run `create_distinguished_signing_key` first."]})
    return key, private_half(key.private_key_encrypted, settings.SECRET_KEY)


@functools.lru_cache(maxsize=8)
def private_half(private_key_encrypted: str, secret_key: str) -> PrivateKey:
    """
    A signing key's private half, decrypted and loaded once per process and SECRET_KEY: loading an
    RSA key checks it, which takes about a tenth of a second, as long as signing a hundred
    credentials. (The process holds the SECRET_KEY that decrypts it anyway.)
    """
    try:
        pem = _fernet(secret_key).decrypt(private_key_encrypted.encode())
    except InvalidToken as exc:
        raise ValidationError({"key": ["The signing key cannot be decrypted with this SECRET_KEY."]}) from exc
    private_key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private_key, (rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey)):  # pragma: no cover
        raise ValidationError({"key": ["The signing key is neither an RSA nor an Ed25519 key."]})
    return private_key


@functools.lru_cache(maxsize=32)
def _public_from_jwk(jwk_json: str) -> PublicKey:
    """A public JWK (as sorted JSON, so that it can be cached) as a ``cryptography`` key."""
    jwk = json.loads(jwk_json)
    if jwk["kty"] == "OKP":
        return ed25519.Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    loaded = RSAAlgorithm.from_jwk(jwk_json)
    if not isinstance(loaded, rsa.RSAPublicKey):  # pragma: no cover  (published JWKs hold no private half)
        raise ProofError("The published key is not a public key.")
    return loaded


def public_key(key: SigningKey) -> PublicKey:
    """The public half of a stored key, as a ``cryptography`` key."""
    return _public_from_jwk(json.dumps(key.public_jwk, sort_keys=True))


# The DID document ------------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    """Bitcoin's base58 alphabet, as multibase ``z`` values use."""
    number, text = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        text = _B58[rest] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def base58btc_decode(text: str) -> bytes:
    """The bytes of base58btc text; ValueError for a character outside the alphabet."""
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multikey(jwk: dict[str, Any]) -> str:
    """An Ed25519 public key as a Multikey ``publicKeyMultibase`` (multicodec 0xed01, base58btc)."""
    return "z" + base58btc(b"\xed\x01" + b64url_decode(jwk["x"]))


def did_document() -> dict[str, Any]:
    """
    The issuer's DID document: every key, current and retired, as a verification method that may
    assert credentials. RSA keys as JWKs (``JsonWebKey2020``), which VC-JWT verifiers read; Ed25519
    keys as ``Multikey``, which Data Integrity verifiers read.
    """
    did = issuer_did()
    methods: list[dict[str, Any]] = []
    # The RSA key in use first: verifiers that read a DID's "first key" (for a token or a status
    # list that names none) take the one that signs now; then the Ed25519 key, then retired keys.
    in_order = sorted(published_keys(), key=lambda key: (key.retired_at is not None, key.algorithm != RSA,
                                                         -key.created.timestamp(), -key.pk))
    for key in in_order:
        method: dict[str, Any] = {"id": f"{did}#{key.kid}", "controller": did}
        if key.algorithm == ED25519:
            method.update({"type": "Multikey", "publicKeyMultibase": multikey(key.public_jwk)})
        else:
            method.update({"type": "JsonWebKey2020", "publicKeyJwk": _published_jwk(key)})
        methods.append(method)
    ids = [method["id"] for method in methods]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1",
                     "https://w3id.org/security/suites/jws-2020/v1"],
        "id": did, "alsoKnownAs": [url("badges/v3/issuer/")],
        "verificationMethod": methods, "assertionMethod": ids, "authentication": [],
    }


# Compact JWS (RS256) ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=8)
def _jws_header(kid_uri: str) -> bytes:
    return b64url(json.dumps({"alg": "RS256", "kid": kid_uri, "typ": "JWT"}, separators=(",", ":")).encode())


def sign_jws(payload_json: str, *, key: SigningKey, private_key: PrivateKey) -> str:
    """The compact JWS (RS256) of a JSON payload, its ``kid`` the key's DID URL."""
    if not isinstance(private_key, rsa.RSAPrivateKey):  # pragma: no cover
        raise TypeError("RS256 signs with an RSA key.")
    signing_input = _jws_header(method_id(key.kid)) + b"." + b64url(payload_json.encode())
    signature = private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return (signing_input + b"." + b64url(signature)).decode("ascii")


class ProofError(ValueError):
    """A proof that does not verify; the message says why, for people."""


def read_jws(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """The header, payload, signing input and signature of a compact JWS; ProofError if malformed."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ProofError("Not a compact JWS: it needs three parts separated by dots.")
    try:
        header, payload = json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, UnicodeError) as exc:
        raise ProofError("Not a compact JWS: a part is not base64url-encoded JSON.") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ProofError("Not a compact JWS: the header and payload must be JSON objects.")
    return header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def keyring() -> dict[str, SigningKey]:
    """Every published key by its ``kid``, in one query: for checking several proofs."""
    return {key.kid: key for key in published_keys()}


def key_for(reference: object, ring: dict[str, SigningKey] | None = None) -> SigningKey | None:
    """
    The published key a ``kid`` or verification method names (a DID URL of this issuer, or a bare
    kid as tokens issued before ADR 0017 carry); from ``ring`` when given. Anything but text (a
    document's missing or malformed member) names none.
    """
    if not isinstance(reference, str):
        return None
    if "#" in reference:
        did, _, kid = reference.partition("#")
        if did != issuer_did():
            return None
    else:
        kid = reference
    if ring is not None:
        return ring.get(kid)
    return SigningKey.objects.filter(kid=kid).first()


def check_key_in_force(key: SigningKey, signed_at: datetime | None) -> None:
    """ProofError if ``key`` signed at ``signed_at`` after it was retired (or no date says when)."""
    if key.retired_at is None:
        return
    if signed_at is None:
        raise ProofError(f"Signed by the retired key {key.kid}, with no date to show it was before its retirement.")
    if signed_at > key.retired_at:
        raise ProofError(f"Signed by the key {key.kid} on {signed_at:%Y-%m-%d %H:%M} UTC, after the key was "
                         f"retired on {key.retired_at:%Y-%m-%d %H:%M} UTC.")


def verify_jws(token: str, ring: dict[str, SigningKey] | None = None
               ) -> tuple[dict[str, Any], dict[str, Any], SigningKey]:
    """
    Check a compact JWS against the published keys: its header, payload and key.

    Raises:
        ProofError: malformed, an algorithm other than RS256, a key the issuer never published,
        a signature that does not match.
    """
    header, payload, signing_input, signature = read_jws(token)
    if header.get("alg") != "RS256":
        raise ProofError(f"The token's algorithm is {header.get('alg')!r}; this issuer signs with RS256 only.")
    key = key_for(header.get("kid"), ring)
    if key is None or key.algorithm != RSA:
        raise ProofError(f"The key {header.get('kid')!r} is not one this issuer published.")
    public = public_key(key)
    if not isinstance(public, rsa.RSAPublicKey):  # pragma: no cover  (an RS256 key's JWK is RSA)
        raise ProofError(f"The key {header.get('kid')!r} is not an RSA key.")
    try:
        public.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise ProofError("The signature does not match: the token was changed after it was signed, "
                         "or signed by someone else.") from exc
    return header, payload, key


# Data Integrity (eddsa-rdfc-2022) ---------------------------------------------------------------

CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.jsonld",
}


@functools.lru_cache(maxsize=None)
def _context(name: str) -> dict[str, Any]:
    return json.loads(resources.files("openedx_distinguished").joinpath("jsonld", name).read_text("utf-8"))


def document_loader(address: str, options: object = None) -> dict[str, Any]:
    """pyld's document loader: the contexts shipped in the package, and nothing else (never fetched)."""
    del options
    if address not in CONTEXT_FILES:
        from pyld.jsonld import JsonLdError  # pylint: disable=import-outside-toplevel
        raise JsonLdError(f"The context {address} is not one the plugin ships.", "jsonld.LoadDocumentError",
                          code="loading document failed")
    return {"contextUrl": None, "documentUrl": address, "document": _context(CONTEXT_FILES[address])}


def canonical(document: dict[str, Any]) -> str:
    """The RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document."""
    from pyld import jsonld  # pylint: disable=import-outside-toplevel
    return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                       "documentLoader": document_loader, "safe": True})


def proof_options(*, key: SigningKey, created: datetime) -> dict[str, Any]:
    """The proof's members other than its value."""
    return {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE,
            "created": created.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "verificationMethod": method_id(key.kid), "proofPurpose": "assertionMethod"}


@functools.lru_cache(maxsize=16)
def _options_hash(options_json: str, context_json: str) -> bytes:
    return hashlib.sha256(canonical({**json.loads(options_json), "@context": json.loads(context_json)})
                          .encode()).digest()


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    """What eddsa-rdfc-2022 signs: the hash of the canonical proof options, then of the document."""
    options_hash = _options_hash(json.dumps(options, sort_keys=True), json.dumps(document.get("@context")))
    return options_hash + hashlib.sha256(canonical(document).encode()).digest()


def data_integrity_proof(document: dict[str, Any], *, key: SigningKey, private_key: PrivateKey,
                         created: datetime) -> dict[str, Any]:
    """The ``DataIntegrityProof`` of ``document`` (which holds no proof) by an Ed25519 key."""
    if not isinstance(private_key, ed25519.Ed25519PrivateKey):  # pragma: no cover
        raise TypeError("eddsa-rdfc-2022 signs with an Ed25519 key.")
    options = proof_options(key=key, created=created)
    signature = private_key.sign(_hash_data(document, options))
    return {**options, "proofValue": "z" + base58btc(signature)}


# What a presented Data Integrity document may hold before it is canonicalised: RDF
# canonicalisation is exponential on some shapes of blank nodes (JSON objects without an ``id``),
# so a document much larger or more nested than a credential is refused unread. A credential the
# plugin issues has about a dozen objects and weighs about 3 KB.
MAX_LDP_OBJECTS, MAX_LDP_BYTES = 64, 64 * 1024


def _screen(document: dict[str, Any]) -> None:
    """ProofError unless ``document`` names only shipped contexts and is small enough to canonicalise."""
    contexts = document.get("@context")
    if not isinstance(contexts, list) or not all(isinstance(c, str) and c in CONTEXT_FILES for c in contexts):
        raise ProofError("The document names contexts this issuer does not use.")
    if len(json.dumps(document, separators=(",", ":"))) > MAX_LDP_BYTES:
        raise ProofError("The document is far larger than a credential of this issuer.")
    objects, pending = 0, [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            objects += 1
            if "@context" in value and value is not document:
                raise ProofError("The document carries a context of its own.")
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    if objects > MAX_LDP_OBJECTS:
        raise ProofError("The document holds far more objects than a credential of this issuer.")


def verify_data_integrity(secured: dict[str, Any], ring: dict[str, SigningKey] | None = None
                          ) -> tuple[dict[str, Any], SigningKey, datetime | None]:
    """
    Check the Data Integrity proof of a secured document against the published keys.

    Returns:
        the proof, the key, and when the proof says it was made.

    Raises:
        ProofError: no proof, another cryptosuite, an unknown key, a signature that does not match.
    """
    proof = secured.get("proof")
    if isinstance(proof, list):  # a proof set: the one of this cryptosuite
        proof = next((item for item in proof if isinstance(item, dict) and item.get("cryptosuite") == CRYPTOSUITE),
                     proof[0] if len(proof) == 1 else None)
    if not isinstance(proof, dict):
        raise ProofError("The document has no Data Integrity proof.")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"The proof is not a DataIntegrityProof with the {CRYPTOSUITE} cryptosuite.")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("The proof's purpose is not assertionMethod.")
    key = key_for(proof.get("verificationMethod"), ring)
    if key is None or key.algorithm != ED25519:
        raise ProofError(f"The key {proof.get('verificationMethod')!r} is not one this issuer published.")
    value = proof.get("proofValue")
    try:
        if not isinstance(value, str) or not value.startswith("z"):
            raise ValueError
        signature = base58btc_decode(value[1:])
    except ValueError as exc:
        raise ProofError("The proof's value is not a base58btc multibase string.") from exc
    options = {name: member for name, member in proof.items() if name != "proofValue"}
    document = {name: member for name, member in secured.items() if name != "proof"}
    _screen(document)
    try:
        data = _hash_data(document, options)
    except Exception as exc:  # pyld raises its own errors, and others on odd JSON-LD: all mean "cannot check"
        raise ProofError("The document cannot be canonicalised with the contexts this issuer uses.") from exc
    public = public_key(key)
    if not isinstance(public, ed25519.Ed25519PublicKey):  # pragma: no cover  (an EdDSA key's JWK is OKP)
        raise ProofError(f"The key {proof.get('verificationMethod')!r} is not an Ed25519 key.")
    try:
        public.verify(signature, data)
    except InvalidSignature as exc:
        raise ProofError("The Data Integrity proof does not match: the credential was changed after it "
                         "was signed, or signed by someone else.") from exc
    try:
        created = datetime.fromisoformat(str(proof.get("created")).replace("Z", "+00:00"))
    except ValueError:
        created = None
    return proof, key, created
