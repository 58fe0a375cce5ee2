"""
Checking a credential someone presents: a compact VC-JWT, a Data Integrity credential (JSON), or a
badge image with either baked in. The plugin's own verifier, for its verification page: every
check is listed with its outcome, and the first that fails says why the credential is not valid.
"""
from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import Any

import attr
from django.utils import timezone

from openedx_distinguished import baking, credentials, signing
from openedx_distinguished.models import Credential, SigningKey
from openedx_distinguished.signing import ProofError

# What a proof check returns: what was signed, the key that signed it, and when it says it signed.
_Proof = tuple[dict[str, Any], SigningKey, datetime | None]
_Ring = dict[str, SigningKey]

# What a presented file may weigh: a baked badge is tens of kilobytes.
MAX_PRESENTED_BYTES = 2 * 1024 * 1024


@attr.s(frozen=True, auto_attribs=True)
class Check:
    """One step of a verification: its name, whether it passed, and what it found."""

    name: str
    passed: bool
    detail: str = ""


@attr.s(frozen=True, auto_attribs=True)
class Verification:
    """What verifying a presented credential found."""

    valid: bool
    format: str  # "vc-jwt", "vc-jwt (VC 1.1 layout)", "data-integrity" or "" when unreadable
    checks: tuple[Check, ...]
    reason: str = ""
    public_id: str | None = None
    name: str = ""
    holder: str = ""

    @property
    def label(self) -> str:
        """The proof format in words."""
        return {"vc-jwt": "VC-JWT (RS256)", "vc-jwt (VC 1.1 layout)": "VC-JWT (RS256, VC 1.1 layout)",
                "data-integrity": "Data Integrity (eddsa-rdfc-2022)"}.get(self.format, "Credential")

    @property
    def failed(self) -> list[Check]:
        """The checks that did not pass."""
        return [check for check in self.checks if not check.passed]


class _Failed(Exception):
    def __init__(self, name: str, detail: str) -> None:
        super().__init__(detail)
        self.check = Check(name, False, detail)


def _read(presented: bytes | str) -> str:
    """The credential text inside what was presented: the text itself, or what a PNG or SVG carries."""
    if isinstance(presented, str):
        presented = presented.encode("utf-8")
    if len(presented) > MAX_PRESENTED_BYTES:
        raise _Failed("Read", "The file is larger than 2 MB; a badge image is far smaller.")
    if presented.startswith(baking.PNG_SIGNATURE):
        try:
            text = baking.unbake_png(presented, 3)
        except (baking.BakingError, ValueError, IndexError) as exc:
            raise _Failed("Read", f"The PNG image cannot be read: {exc}") from exc
        if text is None:
            raise _Failed("Read", "The PNG image carries no Open Badges 3.0 credential.")
        return text
    try:
        text = presented.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise _Failed("Read", "Give a compact JWS, a JSON credential, or a PNG or SVG badge.") from exc
    if text.startswith("<"):
        found = baking.unbake_svg(text, 3)
        if found is None:
            raise _Failed("Read", "The SVG image carries no Open Badges 3.0 credential.")
        return found.strip()
    return text


def _when(number: object) -> datetime | None:
    """A JWT NumericDate as an aware datetime (None if it is not a number)."""
    return datetime.fromtimestamp(number, tz=dt_timezone.utc) if isinstance(number, (int, float)) else None


def _parse_time(value: object) -> datetime | None:
    """An ISO 8601 date-time as an aware datetime (UTC if it names no zone), or None."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt_timezone.utc)


def _proof_checks(name: str, check_proof: Callable[[], _Proof], checks: list[Check]) -> dict[str, Any]:
    """
    The signature check ``check_proof`` (which returns what was signed, the key and when it says
    it signed), then whether the key was in force then; returns what was signed.
    """
    try:
        signed, key, signed_at = check_proof()
    except ProofError as exc:
        raise _Failed(name, str(exc)) from exc
    checks.append(Check(name, True, f"Signed with the issuer's key {key.kid}."))
    try:
        signing.check_key_in_force(key, signed_at)
    except ProofError as exc:
        raise _Failed("Key in force", str(exc)) from exc
    checks.append(Check("Key in force", True, "The key was in use when it signed."))
    return signed


def _jwt_checks(text: str, checks: list[Check], ring: _Ring) -> tuple[dict[str, Any], str]:
    """Verify a VC-JWT; returns the credential and its format."""
    def check_proof() -> _Proof:
        _, payload, key = signing.verify_jws(text, ring)
        return payload, key, _when(payload.get("iat")) or _when(payload.get("nbf"))

    payload = _proof_checks("Signature (RS256)", check_proof, checks)
    legacy = "@context" not in payload and isinstance(payload.get("vc"), dict)
    document = payload["vc"] if legacy else payload
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    problems: list[str] = []
    if not legacy and payload.get("iss") != issuer_id:
        problems.append("iss is not the issuer's id")
    if payload.get("jti") != document.get("id"):
        problems.append("jti is not the credential's id")
    subject_id = (document.get("credentialSubject") or {}).get("id")
    if not legacy and payload.get("sub") != subject_id:
        problems.append("sub is not the subject's id")
    valid_from = _parse_time(document.get("validFrom"))
    if valid_from is None or _when(payload.get("nbf")) != valid_from.replace(microsecond=0):
        problems.append("nbf is not validFrom")
    if problems:
        raise _Failed("Claims", "The token's claims do not match its credential: " + "; ".join(problems) + ".")
    checks.append(Check("Claims", True, "iss, jti, sub and nbf match the credential."))
    return document, ("vc-jwt (VC 1.1 layout)" if legacy else "vc-jwt")


def _ldp_checks(text: str, checks: list[Check], ring: _Ring) -> tuple[dict[str, Any], str]:
    """Verify a Data Integrity credential; returns the credential and its format."""
    try:
        secured = json.loads(text)
    except ValueError as exc:
        raise _Failed("Read", "The JSON credential cannot be parsed.") from exc
    if not isinstance(secured, dict):
        raise _Failed("Read", "The JSON credential must be an object.")

    def check_proof() -> _Proof:
        _, key, created = signing.verify_data_integrity(secured, ring)
        return secured, key, created

    _proof_checks("Signature (eddsa-rdfc-2022)", check_proof, checks)
    return {name: member for name, member in secured.items() if name != "proof"}, "data-integrity"


def _status_bits(status_token: str, ring: _Ring) -> bytes:
    """The bits of the status list, after checking its own signature."""
    try:
        _, payload, key = signing.verify_jws(status_token, ring)
        signing.check_key_in_force(key, _when(payload.get("iat")))
    except ProofError as exc:
        raise _Failed("Revocation", f"The status list does not verify: {exc}") from exc
    document = payload.get("vc", payload)
    if document.get("issuer") != signing.issuer_did() or "BitstringStatusListCredential" not in (
            document.get("type") or ()):
        raise _Failed("Revocation", "The status list is not this issuer's.")
    try:
        encoded = document["credentialSubject"]["encodedList"]
        data = encoded[1:] if encoded.startswith("u") else encoded
        return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise _Failed("Revocation", "The status list cannot be read.") from exc


def _status_check(document: dict[str, Any], checks: list[Check], status_token: str | None, ring: _Ring) -> None:
    """Whether the signed status list has the credential's bit set (revoked)."""
    entry = document.get("credentialStatus")
    if not isinstance(entry, dict):
        raise _Failed("Revocation", "The credential names no status list.")
    bits = _status_bits(status_token if status_token is not None else credentials.status_list_jwt(), ring)
    raw = entry.get("statusListIndex")
    try:
        if not isinstance(raw, (str, int)):
            raise TypeError(raw)
        index = int(raw)
        revoked = bool(bits[index // 8] & (0x80 >> (index % 8)))
    except (TypeError, ValueError, IndexError) as exc:
        raise _Failed("Revocation", "The credential's status list index is not in the list.") from exc
    if revoked:
        raise _Failed("Revocation", _revocation_reason(index))
    checks.append(Check("Revocation", True, "Not revoked (the signed status list says so)."))


def _revocation_reason(index: int) -> str:
    """What verifiers are told of the revocation at ``index``: staff's public reason, or the generic text."""
    public_reason = Credential.objects.filter(status_index=index).values_list("public_reason", flat=True).first()
    if public_reason:
        return f"Revoked by the issuer: {public_reason}"
    return str(credentials.GENERIC_REVOCATION)


def _validity_check(document: dict[str, Any], checks: list[Check]) -> None:
    """Whether the credential is valid now (after its validFrom, before its validUntil)."""
    now = timezone.now()
    starts, ends = _parse_time(document.get("validFrom")), _parse_time(document.get("validUntil"))
    if starts is not None and starts > now:
        raise _Failed("Validity", f"Not valid before {starts:%Y-%m-%d}.")
    if ends is not None and ends < now:
        raise _Failed("Validity", f"Expired on {ends:%Y-%m-%d}.")
    checks.append(Check("Validity", True, f"Valid until {ends:%Y-%m-%d}." if ends else "Valid, with no end date."))


def verify_presented(*, presented: bytes | str, status_list_token: str | None = None,
                     ring: _Ring | None = None, describe: bool = True) -> Verification:
    """
    Verify a credential as a verifier would: its proof against the issuer's published keys (a key
    retired before the signature counts as no key), its claims, the signed status list (this site's,
    or ``status_list_token`` as a verifier fetched it) and its validity dates. ``ring`` (see
    ``signing.keyring``) saves the key queries when several are checked; ``describe`` looks up
    whose credential it is.
    """
    checks: list[Check] = []
    document: dict[str, Any] | None = None
    found_format = ""
    ring = signing.keyring() if ring is None else ring
    try:
        text = _read(presented)
        found_format = "data-integrity" if text.startswith("{") else "vc-jwt"
        if text.startswith("{"):
            document, found_format = _ldp_checks(text, checks, ring)
        else:
            document, found_format = _jwt_checks(text, checks, ring)
        _status_check(document, checks, status_list_token, ring)
        _validity_check(document, checks)
    except _Failed as failure:
        checks.append(failure.check)
        return Verification(valid=False, format=found_format, checks=tuple(checks), reason=failure.check.detail,
                            **(_about(document) if describe else {}))
    return Verification(valid=True, format=found_format, checks=tuple(checks),
                        **(_about(document) if describe else {}))


def _about(document: dict[str, Any] | None) -> dict[str, Any]:
    """The credential's public id, name and holder, when it is one of this site's (a record for ``Verification``)."""
    if not isinstance(document, dict):
        return {}
    public_id = str(document.get("id", "")).rstrip("/").rsplit("/", 1)[-1]
    try:
        data = credentials.get_credential(public_id=public_id)
    except credentials.NotFound:
        return {"name": str(document.get("name", ""))}
    return {"public_id": data.public_id, "name": str(document.get("name", "")), "holder": data.holder_display_name}
