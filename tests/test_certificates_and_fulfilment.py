"""
PDF certificates, the member's credentials API, and physical-award fulfilment, for each role.
"""
import base64
import re
import zlib

import pytest

from openedx_distinguished import api
from openedx_distinguished.models import Credential, Fulfilment, MembershipTerm

from .membership_fixtures import credentialed_member

pytestmark = pytest.mark.django_db
BASE = "/api/distinguished/v1"
ROLES = ["anonymous", "learner", "member", "staff"]


@pytest.fixture
def member(cycle, users, panels, settings):
    """A member whose credential was issued with the release."""
    return credentialed_member(users, panels, settings)


@pytest.fixture
def as_role(users, member, client_for):
    """An API client for anonymous, learner, member or staff."""
    people = {**users, "member": member}
    return lambda role: client_for(None if role == "anonymous" else people[role])


def pdf_text(content):
    """The decoded content streams of a PDF (ASCII85 and Flate filters), for assertions on what it shows."""
    text = b""
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2].replace(b"\n", b"").replace(b"\r", b""))
        try:
            data = zlib.decompress(data)
        except zlib.error:
            pass
        text += data
    return text.decode("latin-1")


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("learner", 404), ("member", 200), ("staff", 200)])
def test_certificate_download(client, users, member, role, status):
    people = {**users, "member": member}
    if role != "anonymous":
        client.force_login(people[role])
    public_id = Credential.objects.get().public_id
    response = client.get(f"/distinguished/certificates/{public_id}.pdf")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
        text = pdf_text(response.content)
        assert "Certificate of Recognition" in text and "Margaret Hamilton" in text
        assert "Distinguished Engineer" in text
        assert f"https://lms.example.org/distinguished/verify/{public_id}/" in text


@pytest.mark.parametrize("role", ROLES)
def test_my_credentials(as_role, role):
    response = as_role(role).get(f"{BASE}/credentials/")
    assert response.status_code == (401 if role == "anonymous" else 200)
    if role == "member":
        (credential,) = response.json()
        assert credential["status"] == "valid"
        assert credential["links"]["linkedin"].startswith("https://www.linkedin.com/profile/add?")
        assert credential["links"]["certificate_pdf"].endswith(".pdf")
    elif role != "anonymous":
        assert response.json() == []


@pytest.mark.parametrize("role", ROLES)
def test_revoke_credential(as_role, role):
    public_id = Credential.objects.get().public_id
    response = as_role(role).post(f"{BASE}/credentials/{public_id}/revoke/", {"reason": "Mistake."}, format="json")
    assert response.status_code == {"anonymous": 401, "learner": 403, "member": 403, "staff": 200}[role]
    assert (Credential.objects.get().revoked_at is not None) == (role == "staff")


def test_physical_award_waits_for_an_address(member):
    fulfilment = Fulfilment.objects.get()
    assert (fulfilment.incentive.slug, fulfilment.status) == ("engineer-badge", "pending")
    assert fulfilment.term == MembershipTerm.objects.get(holder_user=member)


@pytest.mark.parametrize("role, status", [("anonymous", 401), ("learner", 404), ("member", 200), ("staff", 404)])
def test_only_the_holder_gives_the_address(as_role, role, status):
    fulfilment = Fulfilment.objects.get()
    response = as_role(role).put(f"{BASE}/fulfilments/{fulfilment.pk}/address/",
                                 {"name": "M. Hamilton", "address": "1 Apollo Way, Boston"}, format="json")
    assert response.status_code == status
    assert (Fulfilment.objects.get().shipping_address == "1 Apollo Way, Boston") == (status == 200)


def test_bad_address_and_shipped_award(as_role):
    fulfilment = Fulfilment.objects.get()
    client = as_role("member")
    bad = client.put(f"{BASE}/fulfilments/{fulfilment.pk}/address/", {"name": "", "address": ""}, format="json")
    assert bad.status_code == 400 and {"name", "address"} <= set(bad.json())
    api.update_fulfilment(fulfilment_id=fulfilment.pk, actor=None, status="shipped")
    late = client.put(f"{BASE}/fulfilments/{fulfilment.pk}/address/", {"name": "M", "address": "Elsewhere"},
                      format="json")
    assert late.status_code == 409


@pytest.mark.parametrize("role", ROLES)
def test_staff_track_the_shipment(as_role, role):
    fulfilment = Fulfilment.objects.get()
    response = as_role(role).patch(f"{BASE}/fulfilments/{fulfilment.pk}/",
                                   {"status": "shipped", "tracking_number": "1Z999", "cost": "42.50"}, format="json")
    assert response.status_code == {"anonymous": 401, "learner": 403, "member": 403, "staff": 200}[role]
    shipped = Fulfilment.objects.get()
    assert (shipped.status == "shipped") == (role == "staff")


def test_addresses_are_seen_by_their_holder_and_staff_only(as_role, member):
    fulfilment = Fulfilment.objects.get()
    api.set_shipping_address(fulfilment_id=fulfilment.pk, name="M. Hamilton", address="1 Apollo Way")
    assert as_role("member").get(f"{BASE}/fulfilments/").json()["results"][0]["shipping_address"] == "1 Apollo Way"
    assert as_role("staff").get(f"{BASE}/fulfilments/").json()["results"][0]["shipping_address"] == "1 Apollo Way"
    assert as_role("learner").get(f"{BASE}/fulfilments/").json() == {"count": 0, "results": []}
    verify = as_role("anonymous").get(f"/distinguished/verify/{Credential.objects.get().public_id}/")
    assert "Apollo" not in verify.content.decode()
