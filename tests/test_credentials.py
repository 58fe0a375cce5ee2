"""
Credentials: keys and rotation, Open Badges 3.0 and 2.0 documents, baking, revocation, events,
the verification page, and keeping private key material private.
"""
import base64
import gzip
import json
import logging
import urllib.request
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from jwcrypto import jwk
from jwcrypto import jwt as jose_jwt
from openedx_events.learning.signals import BADGE_AWARDED, BADGE_REVOKED
from openedx_filters import PipelineStep

from openedx_distinguished import api, baking
from openedx_distinguished.exceptions import InvalidTransition, ValidationError
from openedx_distinguished.filters import CredentialIssuanceRequested
from openedx_distinguished.models import Credential, Fulfilment, MembershipTerm, SigningKey, Track
from openedx_distinguished.signals.signals import CREDENTIAL_ISSUED

from .factories import UserFactory
from .membership_fixtures import make_term, released_cycle

pytestmark = pytest.mark.django_db
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


@pytest.fixture
def key(db, settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    return api.add_signing_key()


@pytest.fixture
def member_term(key, cycle, users, panels):
    """A member whose term started with the release, which issued the credential."""
    person = UserFactory(username="member", email="Member@Example.org")
    released_cycle(users, panels, [person])
    return MembershipTerm.objects.get(holder_user=person)


def public_id(term):
    return str(Credential.objects.get(term=term).public_id)


class TestIssuance:
    """Issued when a term starts, once."""

    def test_release_issues_the_credential(self, member_term):
        credential = api.credential_for_term(term_id=member_term.pk)
        assert (credential.status, credential.track_slug, credential.holder_username) == ("valid", "engineer", "member")
        assert api.issue_credential(term_id=member_term.pk).public_id == credential.public_id
        assert Credential.objects.count() == 1

    def test_no_key_no_credential_then_the_job_catches_up(self, cycle, users, panels, settings):
        settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
        person = UserFactory(username="early")
        released_cycle(users, panels, [person])
        assert not Credential.objects.exists()
        with pytest.raises(ValidationError):
            api.issue_credential(term_id=MembershipTerm.objects.get().pk)
        api.add_signing_key()
        assert any(line == "credentials: 1 issued" for line in api.run_due_jobs())
        assert Credential.objects.count() == 1

    @pytest.mark.parametrize("batch", [False, True], ids=["one", "batch"])
    def test_issuing_locks_the_term_rows_and_not_the_holders(self, key, cycle, users, batch):
        """Locking ``auth_user`` rows would hold up the holders' sign-ins while credentials are signed."""
        term = make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=1)
        with CaptureQueriesContext(connection) as captured:
            if batch:
                assert api.issue_missing_credentials() == 1
            else:
                api.issue_credential(term_id=term.pk)
        assert Credential.objects.filter(term=term).exists()
        locking = [query["sql"] for query in captured if "FOR UPDATE" in query["sql"]]
        if connection.features.has_select_for_update:  # MariaDB (make test-mariadb); SQLite has no row locks
            assert any(MembershipTerm._meta.db_table in sql for sql in locking)
        assert not [sql for sql in locking if "auth_user" in sql]

    def test_ended_terms_get_none(self, key, cycle, users):
        term = make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=30,
                         status="lapsed")
        with pytest.raises(InvalidTransition):
            api.issue_credential(term_id=term.pk)

    def test_renewal_issues_the_next_terms_credential(self, key, cycle, users):
        term = make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=368,
                         sequence=5)  # ended three days ago
        from openedx_distinguished.models import Activity, ActivityType  # pylint: disable=import-outside-toplevel
        Activity.objects.create(user=users["nominee"], activity_type=ActivityType.objects.get(slug="event"),
                                title="Summit", occurred_on=term.starts_at.date(), source="imported",
                                status="verified")
        api.evaluate_terms(cycle_year=cycle.year)
        api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])
        lifetime = MembershipTerm.objects.get(previous=term)
        document = api.credential_document(public_id=public_id(lifetime))
        assert "validUntil" not in document
        assert api.credential_for_term(term_id=lifetime.pk).lifetime


class TestOpenBadges3:
    """The OpenBadgeCredential, its VC-JWT and the published keys."""

    def test_document_has_what_the_spec_requires(self, member_term):
        document = api.credential_document(public_id=public_id(member_term))
        assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"
        assert "ob/v3p0" in document["@context"][1]
        assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert document["id"].startswith("https://lms.example.org/distinguished/badges/v3/credentials/")
        assert document["issuer"]["id"] == "did:web:lms.example.org:distinguished"
        assert document["issuer"]["type"] == ["Profile"] and document["issuer"]["name"]
        assert document["validFrom"] == member_term.starts_at.isoformat()
        assert document["validUntil"] == member_term.ends_at.isoformat()
        subject = document["credentialSubject"]
        assert subject["type"] == ["AchievementSubject"]
        identity = subject["identifier"][0]
        assert identity["identityType"] == "emailAddress" and identity["hashed"]
        import hashlib  # pylint: disable=import-outside-toplevel
        assert identity["identityHash"] == "sha256$" + hashlib.sha256(
            ("member@example.org" + identity["salt"]).encode()).hexdigest()
        achievement = subject["achievement"]
        assert {"id", "type", "name", "description", "criteria"} <= set(achievement)
        assert achievement["achievementType"] == "Membership"
        assert document["credentialStatus"]["type"] == "BitstringStatusListEntry"

    def test_vc_jwt_verifies_with_an_independent_library_over_http(self, member_term, live_server, settings):
        settings.DISTINGUISHED_PUBLIC_BASE_URL = live_server.url
        token = api.credential_jwt(public_id=public_id(member_term))
        verify_over_http(live_server.url, token)
        # Rotation: a new key signs from now on, and the old credential still verifies.
        api.add_signing_key()
        newcomer = UserFactory(username="newcomer")
        term = make_term(newcomer, Track.objects.get(slug="innovator"), member_term.cycle, starts_days_ago=1)
        new_token = api.credential_jwt(public_id=api.issue_credential(term_id=term.pk).public_id)
        old_claims, old_kid = verify_over_http(live_server.url, token)
        new_claims, new_kid = verify_over_http(live_server.url, new_token)
        assert old_kid != new_kid
        assert old_claims["credentialSubject"]["achievement"]["name"] == "Open edX Distinguished Engineer"
        assert new_claims["credentialSubject"]["achievement"]["name"] == "Open edX Distinguished Innovator"

    def test_claims(self, member_term):
        token = api.credential_jwt(public_id=public_id(member_term))
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        rsa_key = SigningKey.objects.get(algorithm=SigningKey.RS256)
        assert header == {"alg": "RS256", "kid": f"did:web:lms.example.org:distinguished#{rsa_key.kid}", "typ": "JWT"}
        # OB 3.0's VC-JWT: the payload is the credential, with the registered claims beside its members.
        assert "vc" not in claims
        assert {name: value for name, value in claims.items() if name not in ("iss", "jti", "nbf", "iat", "exp")} \
            == api.credential_document(public_id=public_id(member_term))
        assert claims["iss"] == claims["issuer"]["id"] == "did:web:lms.example.org:distinguished"
        assert claims["jti"] == claims["id"]
        # The subject is named by a hashed identifier, not an id: no ``sub`` (a hash could never match one).
        assert "id" not in claims["credentialSubject"] and "sub" not in claims
        assert claims["nbf"] == int(member_term.starts_at.timestamp())
        assert claims["exp"] == int(member_term.ends_at.timestamp())

    def test_public_documents(self, member_term, client):
        pid = public_id(member_term)
        secured = client.get(f"/distinguished/badges/v3/credentials/{pid}/?format=ldp").json()
        assert secured["type"][1] == "OpenBadgeCredential" and secured["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
        jwt_response = client.get(f"/distinguished/badges/v3/credentials/{pid}/?format=jwt")
        assert jwt_response["Content-Type"] == "application/vc+jwt" and jwt_response.content.count(b".") == 2
        assert client.get("/distinguished/badges/v3/issuer/").json()["type"] == ["Profile"]
        assert client.get("/distinguished/badges/v3/achievements/engineer/").json()["achievementType"] == "Membership"
        assert client.get("/distinguished/badges/v3/achievements/astronaut/").status_code == 404
        assert client.get(f"/distinguished/badges/v3/credentials/{uuid.uuid4()}/").status_code == 404
        assert client.get("/distinguished/badges/v3/credentials/not-a-uuid/").status_code == 404


def verify_over_http(base, token):
    """Fetch the JWKS from the live server and verify ``token`` with jwcrypto; return (claims, kid)."""
    with urllib.request.urlopen(f"{base}/distinguished/badges/jwks.json", timeout=10) as response:  # noqa: S310
        keys = jwk.JWKSet.from_json(response.read().decode())
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    # The kid is the key's DID URL: the issuer's DID, then the key's id as fragment. (The test moves
    # the site to the live server's address after issuing: the fragment names the key either way.)
    key = next(key for key in keys["keys"] if key.get("kid").endswith("#" + header["kid"].rsplit("#", 1)[1]))
    verified = jose_jwt.JWT(jwt=token, key=key, algs=["RS256"],
                            check_claims={"exp": None, "nbf": None})
    return json.loads(verified.claims), header["kid"]


def test_an_empty_issuer_url_is_the_sites_root_when_the_document_is_made(key, settings):
    """As Tutor renders it: ``tutor dev`` gives LMS_ROOT_URL its port after the plugin's settings."""
    settings.DISTINGUISHED_ISSUER = {"name": "Guild", "url": "", "email": "", "image": ""}
    settings.DISTINGUISHED_PUBLIC_BASE_URL, settings.LMS_ROOT_URL = "", "http://local.openedx.io:8000"
    assert api.issuer_profile_v3()["url"] == api.issuer_profile_v2()["url"] == "http://local.openedx.io:8000"
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://badges.example.org/"
    assert api.issuer_profile_v3()["url"] == "https://badges.example.org"
    settings.DISTINGUISHED_ISSUER = {"name": "Guild", "url": "https://guild.example.org"}
    assert api.issuer_profile_v2()["url"] == "https://guild.example.org"


class TestOpenBadges2:
    """The hosted assertion, badge class and issuer, and revocation with HTTP 410."""

    def test_documents_carry_the_required_fields(self, member_term, client):
        pid = public_id(member_term)
        assertion = client.get(f"/distinguished/badges/v2/assertions/{pid}/").json()
        assert assertion["@context"] == "https://w3id.org/openbadges/v2"
        assert assertion["type"] == "Assertion"
        assert assertion["id"] == f"https://lms.example.org/distinguished/badges/v2/assertions/{pid}/"
        assert assertion["recipient"]["type"] == "email" and assertion["recipient"]["hashed"] is True
        assert assertion["recipient"]["identity"].startswith("sha256$") and assertion["recipient"]["salt"]
        assert assertion["verification"] == {"type": "hosted"}
        assert assertion["issuedOn"] and assertion["expires"]
        badge = client.get(assertion["badge"].replace("https://lms.example.org", "")).json()
        assert badge["type"] == "BadgeClass"
        assert {"id", "name", "description", "image", "criteria", "issuer"} <= set(badge)
        issuer = client.get(badge["issuer"].replace("https://lms.example.org", "")).json()
        assert issuer["type"] == "Issuer" and {"id", "name", "url"} <= set(issuer)

    def test_revocation_shows_in_every_format(self, member_term, client, users):
        pid = public_id(member_term)
        before = client.get("/distinguished/badges/v3/status/?format=json").json()
        api.revoke_term(term_id=member_term.pk, actor=users["staff"], reason="Code of conduct.")
        gone = client.get(f"/distinguished/badges/v2/assertions/{pid}/")
        assert gone.status_code == 410
        # The internal reason stays with program staff: verifiers read a generic text.
        assert gone.json()["revoked"] is True
        assert gone.json()["revocationReason"] == "The issuer revoked this credential."
        assert Credential.objects.get(public_id=pid).revocation_reason == "Code of conduct."
        index = Credential.objects.get(public_id=pid).status_index
        after = client.get("/distinguished/badges/v3/status/?format=json").json()
        assert bit(before, index) == 0 and bit(after, index) == 1
        page = client.get(f"/distinguished/verify/{pid}/").content.decode()
        assert "This credential was revoked" in page and "The issuer revoked this credential." in page
        assert "Code of conduct" not in page and "Code of conduct" not in gone.content.decode()
        with pytest.raises(InvalidTransition):
            api.revoke_credential(public_id=pid, reason="Again")


def bit(status_credential, index):
    """The revocation bit of ``index`` in a Bitstring Status List credential."""
    encoded = status_credential["credentialSubject"]["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert len(bits) * 8 >= 131072
    return (bits[index // 8] >> (7 - index % 8)) & 1


class TestBaking:
    """Bake and unbake, PNG and SVG, in both versions."""

    @pytest.mark.parametrize("version", [2, 3])
    def test_png_round_trip_single_uncompressed_chunk(self, version):
        baked = baking.bake_png(TINY_PNG, "payload-1", version)
        baked = baking.bake_png(baked, "payload-2", version)
        assert baking.unbake_png(baked, version) == "payload-2"
        keyword = baking.PNG_KEYWORDS[version]
        chunks = [body for kind, body, _ in baking._chunks(baked)  # pylint: disable=protected-access
                  if kind == b"iTXt"]
        assert len(chunks) == 1
        assert chunks[0].startswith(keyword + b"\x00\x00")  # compression flag 0: uncompressed
        assert [kind for kind, _, _ in baking._chunks(baked)][-1] == b"IEND"  # pylint: disable=protected-access
        assert baking.unbake_png(baked, 5 - version) is None

    @pytest.mark.parametrize("version", [2, 3])
    def test_svg_round_trip(self, version):
        artwork = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
        baked = baking.bake_svg(baking.bake_svg(artwork, "first", version), 'second "&<', version, in_verify=True)
        assert baking.unbake_svg(baked, version) == 'second "&<'
        assert baked.count("<openbadges:") == 1 and 'verify="second &quot;&amp;&lt;"' in baked
        assert f'xmlns:openbadges="{baking.SVG_NAMESPACES[version]}"' in baked
        # A JSON payload goes in the body; baking again replaces the element whichever way it was baked.
        again = baking.bake_svg(baked, '{"a": 1}', version)
        assert baking.unbake_svg(again, version) == '{"a": 1}' and again.count("<openbadges:") == 1
        assert "verify=" not in again

    def test_not_an_image(self):
        with pytest.raises(baking.BakingError):
            baking.bake_png(b"GIF89a", "x", 2)
        with pytest.raises(baking.BakingError):
            baking.bake_svg("<html/>", "x", 3)

    @pytest.mark.parametrize("version, kind", [(2, "png"), (3, "png"), (2, "svg"), (3, "svg")])
    def test_baked_member_badge(self, member_term, client, version, kind):
        pid = public_id(member_term)
        response = client.get(f"/distinguished/badges/{pid}/v{version}.{kind}")
        assert response.status_code == 200
        payload = (baking.unbake_png(response.content, version) if kind == "png"
                   else baking.unbake_svg(response.content.decode(), version))
        expected = (api.credential_jwt(public_id=pid) if version == 3
                    else f"https://lms.example.org/distinguished/badges/v2/assertions/{pid}/")
        assert payload == expected
        if kind == "svg":
            # Both versions' SVG rules: the token or the assertion's URL in ``verify``, the body empty.
            element = "credential" if version == 3 else "assertion"
            assert f'<openbadges:{element} verify="{expected}"></openbadges:{element}>' in response.content.decode()
        if version == 3:
            ldp = client.get(f"/distinguished/badges/{pid}/v3.{kind}?proof=ldp")
            baked_json = (baking.unbake_png(ldp.content, 3) if kind == "png"
                          else baking.unbake_svg(ldp.content.decode(), 3))
            assert json.loads(baked_json) == api.credential_ldp(public_id=pid)
            refused = client.get(f"/distinguished/badges/{pid}/v3.{kind}?proof=other")
            assert refused.status_code == 400 and refused.content.decode().startswith("proof: Choose proof=jwt")
        assert client.get(f"/distinguished/badges/{pid}/v4.{kind}").status_code == 404

    def test_a_refusal_of_any_field_answers_400_with_its_message(self, member_term, client, monkeypatch):
        """Fails on the view that read only ``errors["proof"]``: a refusal of another field was a 500."""
        def refuse(**kwargs):
            raise ValidationError({"kind": ["Not this picture."]})
        monkeypatch.setattr(api, "baked_image", refuse)
        response = client.get(f"/distinguished/badges/{public_id(member_term)}/v3.png")
        assert (response.status_code, response.content.decode()) == (400, "kind: Not this picture.")


class TestEvents:
    """BADGE_AWARDED and BADGE_REVOKED with the platform's BadgeData."""

    def test_awarded_and_revoked(self, key, cycle, users, panels, django_capture_on_commit_callbacks):
        received = []

        def listen(signal, sender, badge, metadata, **kwargs):
            received.append((metadata.event_type, badge))

        BADGE_AWARDED.connect(listen)
        BADGE_REVOKED.connect(listen)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                person = UserFactory(username="member")
                released_cycle(users, panels, [person])
            term = MembershipTerm.objects.get(holder_user=person)
            with django_capture_on_commit_callbacks(execute=True):
                api.revoke_term(term_id=term.pk, actor=users["staff"], reason="Conduct.")
        finally:
            BADGE_AWARDED.disconnect(listen)
            BADGE_REVOKED.disconnect(listen)
        assert [event for event, _ in received] == ["org.openedx.learning.badge.awarded.v1",
                                                    "org.openedx.learning.badge.revoked.v1"]
        badge = received[0][1]
        assert badge.uuid == public_id(term) and badge.user.pii.username == "member"
        assert badge.template.name == "Open edX Distinguished Engineer" and badge.template.origin


class TestVerificationPage:
    """What anyone sees at /distinguished/verify/<id>/."""

    def test_how_it_was_earned(self, member_term, client):
        page = client.get(f"/distinguished/verify/{public_id(member_term)}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Member" in html and "Distinguished Engineer" in html and "Valid" in html
        assert "Nominated in the 2026 cycle" in html
        assert "Delivered significant contributions" in html
        assert "https://www.linkedin.com/profile/add?" in html
        assert "Download the certificate" not in html  # for the holder and staff only
        client.force_login(member_term.holder_user)
        own_view = client.get(f"/distinguished/verify/{public_id(member_term)}/").content.decode()
        assert "Download the certificate" in own_view
        assert client.get(f"/distinguished/verify/{uuid.uuid4()}/").status_code == 404


class TestPrivateKeyStaysPrivate:
    """Private key material appears in no response, admin page or log line."""

    def test_nowhere(self, member_term, client, users, caplog):
        caplog.set_level(logging.DEBUG)
        private_numbers = [marker for signing_key in SigningKey.objects.all() for marker in secret_markers(signing_key)]
        signing_key = SigningKey.objects.get(algorithm=SigningKey.RS256)
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        pid = public_id(member_term)
        urls = ["/distinguished/badges/jwks.json", f"/distinguished/badges/v3/credentials/{pid}/",
                f"/distinguished/badges/v3/credentials/{pid}/?format=jwt", f"/distinguished/verify/{pid}/",
                f"/distinguished/badges/v2/assertions/{pid}/", "/distinguished/badges/v3/status/",
                "/distinguished/did.json", f"/distinguished/badges/v3/credentials/{pid}/?format=ldp"]
        bodies = [client.get(u).content.decode(errors="ignore") for u in urls]
        client.force_login(admin)
        bodies.append(client.get(reverse("admin:openedx_distinguished_signingkey_changelist")).content.decode())
        bodies.append(client.get(reverse("admin:openedx_distinguished_signingkey_change",
                                         args=[signing_key.pk])).content.decode())
        bodies.append(client.get(reverse("admin:openedx_distinguished_credential_changelist")).content.decode())
        api.add_signing_key()
        bodies.append(caplog.text)
        for body in bodies:
            for marker in private_numbers:
                assert marker not in body
        published = json.loads(bodies[0])["keys"]
        assert {key["kty"] for key in published} == {"OKP", "RSA"}
        for key in published:
            assert {"kid", "use", "alg"} | ({"n", "e"} if key["kty"] == "RSA" else {"crv", "x"}) <= set(key)
            assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


def secret_markers(signing_key):
    """Strings that would betray the private key: its encrypted form, its PEM body, its private exponent."""
    from openedx_distinguished.signing import _fernet  # pylint: disable=import-outside-toplevel
    pem = _fernet().decrypt(signing_key.private_key_encrypted.encode()).decode()
    body = "".join(pem.splitlines()[1:-1])
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    if signing_key.algorithm == SigningKey.EDDSA:  # the JWK "d" of an OKP key is its raw private bytes
        raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
        return [signing_key.private_key_encrypted[:40], body[-40:], base64.urlsafe_b64encode(raw).rstrip(b"=").decode()]
    d = private.private_numbers().d
    d_b64 = base64.urlsafe_b64encode(d.to_bytes((d.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()
    return [signing_key.private_key_encrypted[:40], body[:40], body[-40:], d_b64[:40]]


class TestKeyCommandAndAdmin:
    """The key command, and the admin pages and revoke action of credentials."""

    def test_command_creates_rotates_and_refuses_bad_files(self, db, tmp_path):
        from io import StringIO  # pylint: disable=import-outside-toplevel

        from django.core.management import CommandError, call_command  # pylint: disable=import-outside-toplevel
        out = StringIO()
        call_command("create_distinguished_signing_key", stdout=out)
        call_command("create_distinguished_signing_key", stdout=out)
        # Each run makes an RSA key and an Ed25519 key, retiring the earlier key of each kind.
        assert SigningKey.objects.count() == 4
        assert sorted(SigningKey.objects.filter(retired_at__isnull=True).values_list("algorithm", flat=True)) \
            == ["EdDSA", "RS256"]
        assert "PRIVATE" not in out.getvalue()
        bad = tmp_path / "bad.pem"
        bad.write_text("not a key", encoding="utf-8")
        with pytest.raises(CommandError, match="PEM"):
            call_command("create_distinguished_signing_key", "--pem-file", str(bad))
        with pytest.raises(CommandError):
            call_command("create_distinguished_signing_key", "--pem-file", str(tmp_path / "missing.pem"))
        assert SigningKey.objects.count() == 4

    def test_if_missing_makes_the_first_key_only(self, db):
        from io import StringIO  # pylint: disable=import-outside-toplevel

        from django.core.management import call_command  # pylint: disable=import-outside-toplevel
        out = StringIO()
        call_command("create_distinguished_signing_key", "--if-missing", stdout=out)
        first = set(SigningKey.objects.all())
        assert {key.algorithm for key in first} == {"RS256", "EdDSA"}
        call_command("create_distinguished_signing_key", "--if-missing", stdout=out)
        assert set(SigningKey.objects.all()) == first and all(key.retired_at is None for key in first)
        assert "in use already" in out.getvalue()

    def test_operator_key_is_installed(self, db, tmp_path):
        from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
        from cryptography.hazmat.primitives.asymmetric import rsa  # pylint: disable=import-outside-toplevel
        from django.core.management import call_command  # pylint: disable=import-outside-toplevel
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = tmp_path / "operator.pem"
        pem.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        call_command("create_distinguished_signing_key", "--pem-file", str(pem))
        published = api.jwks()["keys"][0]
        numbers = private.public_key().public_numbers()
        assert base64.urlsafe_b64decode(published["n"] + "==") == numbers.n.to_bytes(256, "big")

    def test_admin_revoke_and_pages(self, member_term, client):
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        client.force_login(admin)
        for name in ("credential", "fulfilment", "signingkey"):
            assert client.get(reverse(f"admin:openedx_distinguished_{name}_changelist")).status_code == 200
        credential = Credential.objects.get()
        changelist = reverse("admin:openedx_distinguished_credential_changelist")
        client.post(changelist, {"action": "revoke_selected", "_selected_action": [credential.pk], "apply": "1",
                                 "reason": "Issued by mistake."})
        assert Credential.objects.get().revocation_reason == "Issued by mistake."

    @pytest.mark.parametrize("role", ["learner", "nominee", "nominator"])
    def test_non_staff_cannot_revoke_in_the_admin(self, member_term, client, users, role):
        client.force_login(users[role])
        credential = Credential.objects.get()
        client.post(reverse("admin:openedx_distinguished_credential_changelist"),
                    {"action": "revoke_selected", "_selected_action": [credential.pk], "apply": "1", "reason": "x"})
        assert Credential.objects.get().revoked_at is None


def test_artwork_uploads_are_checked(client, db, program):
    from django.core.files.uploadedfile import SimpleUploadedFile  # pylint: disable=import-outside-toplevel
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    track = Track.objects.get(slug="engineer")
    url = reverse("admin:openedx_distinguished_track_change", args=[track.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name not in (
        "badge_png", "badge_svg", "retention_activity_types")}
    data.update({"program": track.program_id, "retention_activity_types": "[]",
                 "criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0",
                 "incentives-TOTAL_FORMS": "0", "incentives-INITIAL_FORMS": "0",
                 "badge_png": SimpleUploadedFile("fake.png", b"GIF89a not a png", content_type="image/png"),
                 "badge_svg": SimpleUploadedFile("evil.svg", b"<svg><script>alert(1)</script></svg>")})
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "badge_png" in errors and "badge_svg" in errors
    assert not Track.objects.get(pk=track.pk).badge_png


class StopForMember2(PipelineStep):
    """Stops the issuance of ``m2``'s credential only."""

    def run_filter(self, term, document):  # pylint: disable=arguments-differ
        if term.holder_username == "m2":
            raise CredentialIssuanceRequested.PreventCredentialIssuance("Not m2's yet.")
        return {"term": term, "document": document}


class TestBatchIssuance:
    """``issue_missing_credentials`` issues in batches what ``issue_credential`` issues one by one."""

    @pytest.fixture
    def waiting(self, key, cycle, monkeypatch):
        """Five members whose terms have no credential, issued two per batch."""
        monkeypatch.setattr("openedx_distinguished.credentials.ISSUE_BATCH_SIZE", 2)
        tracks = list(Track.objects.filter(slug__in=("engineer", "advocate")))
        return [make_term(UserFactory(username=f"m{n}"), tracks[n % 2], cycle, starts_days_ago=10) for n in range(5)]

    def test_a_batch_takes_the_same_queries_for_any_number_of_terms(self, key, cycle,
                                                                    django_capture_on_commit_callbacks):
        tracks = list(Track.objects.filter(slug__in=("engineer", "advocate", "innovator")))

        def queries_for(count):
            for n in range(count):
                make_term(UserFactory(username=f"q{count}-{n}"), tracks[n % 3], cycle, starts_days_ago=10)
            with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
                assert api.issue_missing_credentials() == count  # and the events, which read the holders
            return len(captured)

        assert queries_for(3) == queries_for(9)

    def test_every_term_gets_a_signed_credential_fulfilments_and_events(self, waiting,
                                                                        django_capture_on_commit_callbacks):
        received, issued = [], []

        def listen(signal, sender, badge, metadata, **kwargs):
            received.append((badge.user.pii.username, badge.uuid))

        def listen_issued(signal, sender, credential, metadata, **kwargs):
            issued.append((credential.holder_username, credential.public_id))

        BADGE_AWARDED.connect(listen)
        CREDENTIAL_ISSUED.connect(listen_issued)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                assert api.issue_missing_credentials() == 5
        finally:
            BADGE_AWARDED.disconnect(listen)
            CREDENTIAL_ISSUED.disconnect(listen_issued)
        credentials = list(Credential.objects.order_by("status_index"))
        assert [c.status_index for c in credentials] == list(range(5))
        # One BADGE_AWARDED and one CREDENTIAL_ISSUED per credential, naming its holder and id.
        expected = sorted((c.term.holder_user.username, str(c.public_id)) for c in credentials)
        assert sorted(received) == sorted(issued) == expected
        assert [name for name, _ in expected] == [f"m{n}" for n in range(5)]
        key_set = jwk.JWKSet.from_json(json.dumps(api.jwks()))
        for credential in credentials:
            token = jose_jwt.JWT(jwt=credential.jwt, key=key_set, algs=["RS256"])
            claims = json.loads(token.claims)
            # What is stored is what was signed: the payload is the document and its registered claims.
            assert {k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf", "iat", "exp")} \
                == credential.document
            assert claims["iat"] == int(credential.issued_at.timestamp())
            assert claims["credentialStatus"]["statusListIndex"] == str(credential.status_index)
            assert claims["credentialSubject"]["achievement"]["name"] == credential.term.track.badge_name
            assert api.verify_presented(presented=json.dumps(api.credential_ldp(public_id=credential.public_id))).valid
        physical = {"engineer": 1, "advocate": 0}  # the default program ships only the engineer's physical badge
        assert Fulfilment.objects.count() == sum(physical[term.track.slug] for term in waiting)
        assert api.issue_missing_credentials() == 0  # nothing waits any more

    def test_it_stops_at_the_first_term_it_cannot_issue_and_keeps_the_earlier(self, waiting, settings):
        settings.OPEN_EDX_FILTERS_CONFIG = {CredentialIssuanceRequested.filter_type: {
            "pipeline": [f"{__name__}.StopForMember2"], "fail_silently": False}}
        with pytest.raises(ValidationError) as error:
            api.issue_missing_credentials()  # newest terms first: m4, m3, then m2 stops it
        assert error.value.errors["credential"] == ["Not m2's yet."]
        assert sorted(Credential.objects.values_list("term__holder_user__username", flat=True)) == ["m3", "m4"]


class TestVerificationPageQueries:
    """The verification page reads a renewal chain in one query, however long it is."""

    def test_constant(self, key, cycle, users, client, django_assert_max_num_queries):
        track = Track.objects.get(slug="engineer")
        counts = []
        for length, person in ((2, UserFactory(username="short")), (6, UserFactory(username="long"))):
            previous = None
            for sequence in range(1, length + 1):
                status = "active" if sequence == length else "renewed"
                term = make_term(person, track, cycle, starts_days_ago=365 * (length - sequence) + 10,
                                 sequence=sequence, status=status)
                MembershipTerm.objects.filter(pk=term.pk).update(previous=previous)
                previous = term
            path = f"/distinguished/verify/{api.issue_credential(term_id=previous.pk).public_id}/"
            with django_assert_max_num_queries(10) as captured:
                page = client.get(path)
            assert page.status_code == 200 and "2026" in page.content.decode()
            counts.append(len(captured.captured_queries))
        assert counts[0] == counts[1]
