"""
Interoperability of the Open Badges 3.0 credentials with verifiers the project does not write:
openbadgeslib's ``OB3Verifier`` (VC-JWT, baked PNG and SVG, the signed status list) and
``OB3LdpVerifier`` (Data Integrity), 1EdTech's published JSON schema, and Digital Bazaar's
``@digitalbazaar/vc`` with the ``eddsa-rdfc-2022`` cryptosuite (Node.js). Every verifier resolves
the issuer's ``did:web`` through the plugin's own views, as it would over HTTPS.
"""
import base64
import gzip
import json
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from jwcrypto import jwk
from jwcrypto import jwt as jose_jwt
from openbadgeslib.ob3.ldp import OB3LdpVerifier
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier

from openedx_distinguished import api, baking, signing
from openedx_distinguished.models import Credential, MembershipTerm, SigningKey

from .factories import UserFactory
from .membership_fixtures import released_cycle

HERE = Path(__file__).parent
SCHEMA = json.loads((HERE / "interop" / "ob_v3p0_achievementcredential_schema.json").read_text("utf-8"))
NODE_VERIFIER = HERE / "interop" / "js" / "verify-di.mjs"
SITE = "https://lms.example.org"
DID = "did:web:lms.example.org:distinguished"


@pytest.fixture
def issued(db, settings, cycle, users, panels):  # pylint: disable=redefined-outer-name
    """Two members whose credentials the release issued, on a site at https://lms.example.org."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = SITE
    settings.ALLOWED_HOSTS = ["lms.example.org", "testserver"]
    api.add_signing_key()
    people = [UserFactory(username="ada", email="ada@example.org"),
              UserFactory(username="bob", email="bob@example.org")]
    released_cycle(users, panels, people)
    return [Credential.objects.get(term=MembershipTerm.objects.get(holder_user=person)) for person in people]


def download(address):
    """What a verifier's HTTPS fetch of one of the site's URLs gets: the plugin's view answers it."""
    parts = urlsplit(address)
    assert f"{parts.scheme}://{parts.netloc}" == SITE, f"a verifier fetched {address}, off the site"
    response = Client(HTTP_HOST="lms.example.org", **{"wsgi.url_scheme": "https"}).get(
        parts.path + (f"?{parts.query}" if parts.query else ""), secure=True)
    assert response.status_code == 200, (address, response.status_code)
    return response.content


def fetch(client, path, **headers):
    return client.get(path, secure=True, HTTP_HOST="lms.example.org", **headers)


class TestOpenbadgeslib:
    """openbadgeslib's verifiers, anchored to the issuer's did:web (resolved through did.json)."""

    def test_vc_jwt_png_and_svg_verify_with_the_signed_status_list(self, issued, client):
        verifier = OB3Verifier.for_issuer_did(DID, download=download)
        for credential in issued:
            pid = credential.public_id
            served = fetch(client, f"/distinguished/badges/v3/credentials/{pid}/").content.decode()
            png = fetch(client, f"/distinguished/badges/{pid}/v3.png").content
            svg = fetch(client, f"/distinguished/badges/{pid}/v3.svg").content
            for token in (served, OB3Verifier.extract_token_from_png(png), OB3Verifier.extract_token_from_svg(svg)):
                verified = verifier.verify(token, check_status=True, download=download)
                assert verified.issuer.id == DID
                assert verified.id == f"{SITE}/distinguished/badges/v3/credentials/{pid}/"

    def test_data_integrity_credential_and_its_baked_images_verify(self, issued, client):
        verifier = OB3LdpVerifier.for_issuer_did(DID)
        for credential in issued:
            pid = credential.public_id
            secured = fetch(client, f"/distinguished/badges/v3/credentials/{pid}/",
                            HTTP_ACCEPT="application/vc+ld+json").content
            png = fetch(client, f"/distinguished/badges/{pid}/v3.png?proof=ldp").content
            svg = fetch(client, f"/distinguished/badges/{pid}/v3.svg?proof=ldp").content
            for document in (secured, OB3Verifier.extract_token_from_png(png), OB3Verifier.extract_token_from_svg(svg)):
                verified = verifier.verify(document, check_status=True, download=download)
                assert verified.issuer.id == DID

    def test_revoked_credentials_are_reported_revoked_in_every_format(self, issued, client, users):
        revoked, kept = issued
        api.revoke_credential(public_id=revoked.public_id, reason="Conduct.")
        jwt_verifier, ldp_verifier = OB3Verifier.for_issuer_did(DID, download=download), OB3LdpVerifier()
        for verify, path in ((jwt_verifier.verify, "?format=jwt"), (ldp_verifier.verify, "?format=ldp")):
            with pytest.raises(OB3VerificationError, match="revocation"):
                verify(fetch(client, f"/distinguished/badges/v3/credentials/{revoked.public_id}/{path}").content
                       .decode(), check_status=True, download=download)
            verify(fetch(client, f"/distinguished/badges/v3/credentials/{kept.public_id}/{path}").content.decode(),
                   check_status=True, download=download)

    def test_a_status_list_changed_on_the_way_is_refused(self, issued, client):
        """The list is signed: flipping its bits (to un-revoke a badge) breaks its signature."""
        api.revoke_credential(public_id=issued[0].public_id, reason="Conduct.")
        header, payload, signature = download(f"{SITE}/distinguished/badges/v3/status/").decode().split(".")
        claims = json.loads(signing.b64url_decode(payload))
        unrevoked = {**claims, "credentialSubject": {**claims["credentialSubject"], "encodedList": empty_list()}}
        forged = f"{header}.{signing.b64url(json.dumps(unrevoked).encode()).decode()}.{signature}"

        def forging(address):
            return forged.encode() if address.endswith("/badges/v3/status/") else download(address)

        with pytest.raises(OB3VerificationError, match="proof is invalid"):
            OB3Verifier.for_issuer_did(DID, download=download).verify(
                issued[0].jwt, check_status=True, download=forging)


def empty_list():
    """An encoded status list with no bit set."""
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16384), mtime=0)).rstrip(b"=").decode()


class TestSchemaAndDocuments:
    """1EdTech's JSON schema, the served forms of a credential, and every link the documents hold."""

    def test_credential_validates_against_1edtech_schema(self, issued):
        validator = jsonschema.Draft201909Validator(SCHEMA)
        for credential in issued:
            for document in (credential.document, api.credential_ldp(public_id=credential.public_id)):
                assert sorted(error.message for error in validator.iter_errors(document)) == []

    @pytest.mark.parametrize("accept, form", [
        ("", "jwt"), ("*/*", "jwt"), ("application/vc+jwt", "jwt"), ("text/plain", "jwt"),
        ("application/vc+ld+json", "ldp"), ("application/ld+json", "ldp"), ("application/json", "ldp"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("application/json;q=0.5, application/vc+jwt", "jwt"),
    ])
    def test_the_id_url_answers_each_reader_in_its_format(self, issued, client, accept, form):
        pid = issued[0].public_id
        headers = {"HTTP_ACCEPT": accept} if accept else {}
        response = fetch(client, f"/distinguished/badges/v3/credentials/{pid}/", **headers)
        assert response["Vary"] == "Accept"
        if form == "jwt":
            assert response.status_code == 200 and response["Content-Type"] == "application/vc+jwt"
            assert response.content.decode() == issued[0].jwt
        elif form == "ldp":
            assert response.status_code == 200 and response["Content-Type"] == "application/vc+ld+json"
            assert response.json()["proof"][0]["type"] == "DataIntegrityProof"
        else:
            assert response.status_code == 302 and response["Location"] == f"/distinguished/verify/{pid}/"

    def test_every_link_in_the_documents_answers(self, issued, client):
        """Each URL of this site that an issued document names serves something (the 2.0 image was a 404)."""
        pid = issued[0].public_id
        documents = [issued[0].document, api.assertion_v2(public_id=pid), api.badge_class(track_slug="engineer"),
                     api.issuer_profile_v2(), api.achievement(track_slug="engineer"), signing.did_document(),
                     {name: link for name, link in api.get_credential(public_id=pid).links.items()
                      if name != "certificate_pdf"}]  # the certificate is the holder's: it asks to sign in
        links = {value for document in documents for value in strings(document) if value.startswith(SITE)}
        assert len(links) > 12
        for link in links:
            download(link.split("#")[0])
        image = fetch(client, urlsplit(api.assertion_v2(public_id=pid)["image"]).path)
        assert image["Content-Type"] == "image/png" and baking.unbake_png(image.content, 2)

    def test_did_document_lists_every_key_and_the_current_rsa_key_first(self, issued, client):
        api.add_signing_key()
        document = json.loads(download(f"{SITE}/distinguished/did.json"))
        assert document["id"] == DID
        keys = list(SigningKey.objects.all())
        assert len(document["verificationMethod"]) == len(keys) == 4
        first = document["verificationMethod"][0]
        current = SigningKey.objects.get(algorithm="RS256", retired_at__isnull=True)
        assert first["id"] == f"{DID}#{current.kid}" and first["publicKeyJwk"]["kid"] == first["id"]
        assert set(document["assertionMethod"]) == {method["id"] for method in document["verificationMethod"]}
        for method in document["verificationMethod"]:
            assert "d" not in method.get("publicKeyJwk", {})
            if method["type"] == "Multikey":
                assert method["publicKeyMultibase"].startswith("z6Mk")  # base58btc of 0xed01 + an Ed25519 key

    def test_revoked_badges_are_not_served_as_images(self, issued, client):
        pid = issued[0].public_id
        api.revoke_credential(public_id=pid, reason="Conduct.")
        for path in ("v3.png", "v3.svg", "v2.png", "v2.svg", "v3.png?proof=ldp"):
            response = fetch(client, f"/distinguished/badges/{pid}/{path}")
            assert response.status_code == 410 and response["Content-Type"].startswith("text/plain")


def strings(value):
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for member in value.values():
            yield from strings(member)
    elif isinstance(value, (list, tuple)):
        for member in value:
            yield from strings(member)


class TestDigitalBazaar:
    """@digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite verifies the Data Integrity proof (Node.js)."""

    def run(self, tmp_path, credential):
        """Run the Node verifier on ``credential`` with the issuer's DID document; its result and log."""
        given = tmp_path / "input.json"
        given.write_text(json.dumps({"credential": credential, "did_documents": {DID: signing.did_document()}}),
                         encoding="utf-8")
        done = subprocess.run(["node", str(NODE_VERIFIER), str(given)], capture_output=True, text=True,
                              timeout=120, check=False)
        assert done.returncode in (0, 1), done.stderr
        return json.loads(done.stdout), done.stderr

    def test_verifies_and_refuses_a_changed_credential(self, issued, tmp_path):
        assert (HERE / "interop" / "js" / "node_modules").is_dir(), "run `make interop-js` (npm ci) first"
        secured = api.credential_ldp(public_id=issued[0].public_id)
        result, log = self.run(tmp_path, secured)
        assert result == {"verified": True, "errors": []}, log
        changed = {**secured, "name": secured["name"] + "!"}
        result, _ = self.run(tmp_path, changed)
        assert result["verified"] is False

    def test_verifies_the_status_list_served_as_json_ld(self, issued, tmp_path, client):
        """JSON-LD readers get the status list with a Data Integrity proof; Digital Bazaar verifies it."""
        api.revoke_credential(public_id=issued[0].public_id, reason="Conduct.")
        response = fetch(client, "/distinguished/badges/v3/status/", HTTP_ACCEPT="application/ld+json")
        assert response["Content-Type"] == "application/vc+ld+json" and response["Vary"] == "Accept"
        status = response.json()
        assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        result, log = self.run(tmp_path, status)
        assert result == {"verified": True, "errors": []}, log
        unrevoked = {**status, "credentialSubject": {**status["credentialSubject"], "encodedList": empty_list()}}
        result, _ = self.run(tmp_path, unrevoked)
        assert result["verified"] is False


class TestOlderTokens:
    """Credentials issued before ADR 0017 (VC 1.1 ``vc`` wrapper, bare kid, URL issuer) and their re-issue."""

    def legacy(self, credential):
        """Rewrite a credential as the plugin issued it before: what an upgraded site holds."""
        key = SigningKey.objects.get(algorithm="RS256", retired_at__isnull=True)
        document = {**credential.document, "issuer": {**credential.document["issuer"],
                                                      "id": f"{SITE}/distinguished/badges/v3/issuer/"}}
        term = credential.term
        claims = {"iss": document["issuer"]["id"], "jti": document["id"], "sub": credential.recipient_email_hash,
                  "nbf": int(term.starts_at.timestamp()), "iat": int(credential.issued_at.timestamp()),
                  "exp": int(term.ends_at.timestamp()), "vc": document}
        header = signing.b64url(json.dumps({"alg": "RS256", "kid": key.kid, "typ": "JWT"}).encode())
        signing_input = header + b"." + signing.b64url(json.dumps(claims).encode())
        private = signing.private_half(key.private_key_encrypted, settings.SECRET_KEY)
        token = (signing_input + b"." + signing.b64url(private.sign(signing_input, padding.PKCS1v15(),
                                                                    hashes.SHA256()))).decode()
        Credential.objects.filter(pk=credential.pk).update(document=document, jwt=token, ldp_proof="")
        return token

    def test_older_tokens_still_verify_then_are_reissued_in_place(self, issued, client):
        old = self.legacy(issued[0])
        result = api.verify_presented(presented=old)
        assert result.valid and result.format == "vc-jwt (VC 1.1 layout)", result.reason
        # A JOSE library that looks the old token's bare kid up in the JWKS still finds its key.
        keys = jwk.JWKSet.from_json(download(f"{SITE}/distinguished/badges/jwks.json").decode())
        claims = json.loads(jose_jwt.JWT(jwt=old, key=keys, algs=["RS256"], check_claims={"exp": None}).claims)
        assert claims["vc"]["id"] == issued[0].document["id"]
        before = Credential.objects.get(pk=issued[0].pk)
        call_command("reissue_distinguished_credentials")
        after = Credential.objects.get(pk=issued[0].pk)
        assert (after.public_id, after.status_index, after.issued_at) == (before.public_id, before.status_index,
                                                                          before.issued_at)
        assert after.jwt != old and after.ldp_proof and after.document["issuer"]["id"] == DID
        OB3Verifier.for_issuer_did(DID, download=download).verify(after.jwt, check_status=True, download=download)
        # The token the holder kept from before still verifies on the plugin's page.
        assert api.verify_presented(presented=old).valid
        # Running it again re-signs nothing; ``--all`` re-signs everything.
        assert Credential.objects.filter(ldp_proof="").count() == 0
        call_command("reissue_distinguished_credentials")
        assert Credential.objects.get(pk=issued[0].pk).jwt == after.jwt


class TestPluginVerificationPage:
    """The plugin's own page reports each kind of bad credential as invalid, with the reason."""

    def submit(self, client, token):
        response = client.post("/distinguished/verify/", {"token": token})
        assert response.status_code == 200
        return response.content.decode()

    def test_a_good_token_and_baked_images_verify(self, issued, client):
        pid = issued[0].public_id
        assert "verified" in self.submit(client, issued[0].jwt)
        for path in ("v3.png", "v3.svg?proof=ldp"):
            image = client.get(f"/distinguished/badges/{pid}/{path}").content
            kind = "image/png" if path.startswith("v3.png") else "image/svg+xml"
            response = client.post("/distinguished/verify/", {"file": SimpleUploadedFile("badge", image, kind)})
            assert 'class="od-verification" data-valid="true"' in response.content.decode()

    def test_tampered_token(self, issued, client):
        header, payload, signature = issued[0].jwt.split(".")
        claims = json.loads(signing.b64url_decode(payload))
        claims["name"] = "Someone else's badge"
        tampered = f"{header}.{signing.b64url(json.dumps(claims).encode()).decode()}.{signature}"
        page = self.submit(client, tampered)
        assert 'class="od-verification" data-valid="false"' in page and "The signature does not match" in page

    def test_unknown_kid(self, issued, client):
        _, payload, signature = issued[0].jwt.split(".")
        stranger = {"alg": "RS256", "kid": f"{DID}#not-a-key", "typ": "JWT"}
        token = f"{signing.b64url(json.dumps(stranger).encode()).decode()}.{payload}.{signature}"
        page = self.submit(client, token)
        assert 'class="od-verification" data-valid="false"' in page and "is not one this issuer published" in page

    def test_a_key_used_after_its_retirement(self, issued, client):
        old_key = SigningKey.objects.get(algorithm="RS256", retired_at__isnull=True)
        api.add_signing_key()  # retires it
        old_key.refresh_from_db()
        # A token the old key signed after it was retired (a stolen key, say) is not valid...
        private = signing.private_half(old_key.private_key_encrypted, settings.SECRET_KEY)
        claims = json.loads(signing.b64url_decode(issued[1].jwt.split(".")[1]))
        claims["iat"] = int((old_key.retired_at + timedelta(days=1)).timestamp())
        late = signing.sign_jws(json.dumps(claims), key=old_key, private_key=private)
        page = self.submit(client, late)
        assert 'class="od-verification" data-valid="false"' in page and "after the key was retired" in page
        # ...while what it signed before its retirement still is.
        assert 'class="od-verification" data-valid="true"' in self.submit(client, issued[1].jwt)

    def test_a_status_list_that_does_not_verify(self, issued, client, monkeypatch):
        good = api.status_list_jwt()
        header, payload, signature = good.split(".")
        claims = json.loads(signing.b64url_decode(payload))
        claims["credentialSubject"]["encodedList"] = empty_list()
        monkeypatch.setattr("openedx_distinguished.credentials.status_list_jwt", lambda: ".".join(
            (header, signing.b64url(json.dumps(claims).encode()).decode(), signature)))
        page = self.submit(client, issued[0].jwt)
        assert 'class="od-verification" data-valid="false"' in page and "The status list does not verify" in page

    def test_a_document_built_to_exhaust_canonicalisation_is_refused_unread(self, issued, client):
        secured = api.credential_ldp(public_id=issued[0].public_id)
        bomb = {**secured, "evidence": [{"type": ["Evidence"], "narrative": "x"} for _ in range(500)]}
        page = self.submit(client, json.dumps(bomb))
        assert 'class="od-verification" data-valid="false"' in page and "far more objects" in page
        inline = {**secured, "@context": [*secured["@context"], {"name": "https://example.org/name"}]}
        assert "contexts this issuer does not use" in self.submit(client, json.dumps(inline))

    def test_nothing_given_is_a_field_error(self, db, client):
        response = client.post("/distinguished/verify/", {"token": ""})
        assert response.status_code == 400 and 'id="token-error"' in response.content.decode()

    def test_revoked_and_expired(self, issued, client):
        api.revoke_credential(public_id=issued[0].public_id, reason="Conduct.")
        assert "The issuer revoked this credential." in self.submit(client, issued[0].jwt)
        MembershipTerm.objects.filter(pk=issued[1].term_id).update(starts_at=timezone.now() - timedelta(days=400),
                                                                   ends_at=timezone.now() - timedelta(days=1))
        call_command("reissue_distinguished_credentials", "--all")
        assert "Expired on" in self.submit(client, Credential.objects.get(pk=issued[1].pk).jwt)


@pytest.mark.parametrize("role", ["anonymous", "learner", "holder", "staff"])
def test_every_role_reads_the_same_verification(issued, client, role, users):
    """The pages are public and say the same to everyone: no role sees more, none is refused."""
    people = {"learner": UserFactory(username="someone"), "holder": issued[0].term.holder_user,
              "staff": users["staff"]}
    if role != "anonymous":
        client.force_login(people[role])
    pid = issued[0].public_id
    assert client.get("/distinguished/verify/").status_code == 200
    page = client.post("/distinguished/verify/", {"token": issued[0].jwt}).content.decode()
    assert 'class="od-verification" data-valid="true"' in page and "Revocation" in page
    assert issued[0].term.holder_user.email not in page
    own_page = client.get(f"/distinguished/verify/{pid}/").content.decode()
    assert own_page.count('class="od-verification" data-valid="true"') == 2
    assert client.put("/distinguished/verify/").status_code == 405
