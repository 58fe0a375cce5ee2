"""
Tables of credentials: signing keys, and the Open Badges credential of each term.
"""
import uuid

from django.db import models

from .membership import MembershipTerm


class SigningKey(models.Model):
    """
    A key that signs Open Badges 3.0 credentials: RSA for the VC-JWT (RS256), Ed25519 for the Data
    Integrity proof (EdDSA, ``eddsa-rdfc-2022``). The public half is published in the JWKS and the
    issuer's DID document; the private half is stored encrypted and never leaves the server (ADRs
    0007 and 0017). Retired keys stay published so that what they signed before still verifies.

    .. no_pii:
    """

    RS256, EDDSA = "RS256", "EdDSA"

    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=8, default=RS256,
                                 choices=[(RS256, "RSA (RS256, VC-JWT)"), (EDDSA, "Ed25519 (Data Integrity)")])
    public_jwk = models.JSONField()
    private_key_encrypted = models.TextField(editable=False)
    created = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True, help_text="No longer signs; still published.")

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.kid}{' (retired)' if self.retired_at else ''}"


class Credential(models.Model):
    """
    The Open Badges credential of one membership term: one per term, guaranteed by the database.
    The 3.0 document, its signed VC-JWT and its Data Integrity proof are kept as issued; the 2.0
    assertion is derived.

    .. pii: ``recipient_email_hash`` is a salted hash of the holder's email (Open Badges 2.0).
    .. pii_types: email_address
    .. pii_retirement: local_api
    """

    term = models.OneToOneField(MembershipTerm, on_delete=models.PROTECT, related_name="credential")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status_index = models.PositiveIntegerField(unique=True, help_text="Position in the revocation status list.")
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="credentials")
    document = models.JSONField(help_text="The OpenBadgeCredential (Open Badges 3.0) as signed.")
    jwt = models.TextField(help_text="The compact VC-JWT (RS256).")
    ldp_proof = models.TextField(blank=True, help_text=(
        "The Data Integrity proof (eddsa-rdfc-2022) of the document, as JSON; empty for credentials issued "
        "before proofs were added, which `reissue_distinguished_credentials` brings up to date."))
    recipient_salt = models.CharField(max_length=32)
    recipient_email_hash = models.CharField(max_length=80, blank=True)
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True, help_text="Why it was revoked, for program staff only.")
    public_reason = models.CharField(max_length=500, blank=True,
                                     help_text="What verifiers are told of the revocation (a generic text when empty).")

    def __str__(self):
        return str(self.public_id)
