"""
HTTP caching of the public documents: each answers with an ETag and a Cache-Control that fits it,
a conditional GET with that ETag is answered 304 without a query, and a change (a revocation, a new
key, an edited track, a listing) gives a full response again.
"""
import pytest

from openedx_distinguished import api
from openedx_distinguished.models import Credential, MemberProfile, MembershipTerm, Track

from .factories import UserFactory
from .membership_fixtures import released_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(cycle, users, panels, settings, django_capture_on_commit_callbacks):
    """A released cycle with one listed member and their credential; changes publish at commit."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    person = UserFactory(username="ada", first_name="Ada", last_name="L")
    with django_capture_on_commit_callbacks(execute=True):
        released_cycle(users, panels, [person])
        api.set_listing(user=person, listed=True)
    term = MembershipTerm.objects.get(holder_user=person)
    return {"person": person, "credential": Credential.objects.get(term=term), "staff": users["staff"]}


def documents(site):
    """Each public document: (path, the Cache-Control it must carry)."""
    pid = site["credential"].public_id
    return [
        ("/distinguished/badges/jwks.json", "public, max-age=300"),
        ("/distinguished/did.json", "public, max-age=300"),
        ("/distinguished/badges/v3/status/", "public, max-age=60"),
        ("/distinguished/badges/v3/issuer/", "public, max-age=3600"),
        ("/distinguished/badges/v2/issuer/", "public, max-age=3600"),
        ("/distinguished/badges/v3/achievements/engineer/", "public, max-age=3600"),
        ("/distinguished/badges/v2/classes/engineer/", "public, max-age=3600"),
        ("/distinguished/badges/art/engineer.png", "public, max-age=86400"),
        (f"/distinguished/badges/v3/credentials/{pid}/", "public, max-age=300"),
        (f"/distinguished/badges/v2/assertions/{pid}/", "public, max-age=60"),
        (f"/distinguished/badges/{pid}/v3.png", "public, max-age=300"),
        ("/distinguished/feed.json", "public, max-age=300"),
        ("/distinguished/", "public, max-age=60"),
    ]


def test_each_document_answers_a_conditional_get_with_304_and_no_query(site, client, django_assert_num_queries):
    for path, cache_control in documents(site):
        first = client.get(path)
        assert first.status_code == 200 and first["ETag"], path
        assert first["Cache-Control"] == cache_control, path
        with django_assert_num_queries(0):
            again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b"", path
        assert again["ETag"] == first["ETag"] and again["Cache-Control"] == cache_control, path
        assert client.get(path, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200, path


def etags(client, paths):
    return {path: client.get(path)["ETag"] for path in paths}


def test_a_revocation_gives_the_status_list_and_the_badge_documents_anew(site, client,
                                                                         django_capture_on_commit_callbacks):
    paths = [path for path, _ in documents(site)]
    before = etags(client, paths)
    with django_capture_on_commit_callbacks(execute=True):
        api.revoke_credential(public_id=site["credential"].public_id, reason="Conduct.")
    after = etags(client, paths)
    for path in ("/distinguished/badges/v3/status/", f"/distinguished/badges/v2/assertions/"
                 f"{site['credential'].public_id}/", "/distinguished/feed.json", "/distinguished/"):
        assert after[path] != before[path], path
        assert client.get(path, HTTP_IF_NONE_MATCH=before[path]).status_code in (200, 410), path
    assert after["/distinguished/badges/jwks.json"] == before["/distinguished/badges/jwks.json"]


def test_a_new_key_gives_the_jwks_and_did_document_anew(site, client, django_capture_on_commit_callbacks):
    before = client.get("/distinguished/badges/jwks.json")
    with django_capture_on_commit_callbacks(execute=True):
        api.add_signing_key()
    response = client.get("/distinguished/badges/jwks.json", HTTP_IF_NONE_MATCH=before["ETag"])
    assert response.status_code == 200 and len(response.json()["keys"]) > len(before.json()["keys"])


def test_an_edited_track_and_a_listing_change_show_at_once(site, client, django_capture_on_commit_callbacks):
    achievement = client.get("/distinguished/badges/v3/achievements/engineer/")
    feed = client.get("/distinguished/feed.json")
    with django_capture_on_commit_callbacks(execute=True):
        Track.objects.filter(slug="engineer").get().save()  # as the admin saves it
    assert client.get("/distinguished/badges/v3/achievements/engineer/",
                      HTTP_IF_NONE_MATCH=achievement["ETag"]).status_code == 200
    feed = client.get("/distinguished/feed.json")
    with django_capture_on_commit_callbacks(execute=True):
        api.set_listing(user=site["person"], listed=False)
    fresh = client.get("/distinguished/feed.json", HTTP_IF_NONE_MATCH=feed["ETag"])
    assert fresh.status_code == 200 and "Ada" not in fresh.content.decode()
    assert MemberProfile.objects.get(user=site["person"]).listed is False


def test_personal_responses_are_never_stored(site, client):
    client.force_login(site["person"])
    for path in ("/distinguished/membership/", "/distinguished/nominations/",
                 f"/distinguished/certificates/{site['credential'].public_id}.pdf"):
        response = client.get(path)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], path
    signed_in = client.get("/distinguished/")
    assert "private" in signed_in["Cache-Control"] and "public" not in signed_in["Cache-Control"]


def linked_artwork(client, path, track="engineer"):
    """The URL of ``track``'s badge artwork as the page at ``path`` links it."""
    import re  # pylint: disable=import-outside-toplevel
    found = re.search(rf'src="([^"]*/badges/art/{track}\.svg\?v=[^"]+)"', client.get(path).content.decode())
    assert found, path
    return found.group(1).replace("&amp;", "&").removeprefix("https://lms.example.org")


def test_pages_link_versioned_artwork_that_browsers_keep_for_good(site, client, django_capture_on_commit_callbacks):
    slug = MemberProfile.objects.get(user=site["person"]).slug
    pages = ["/distinguished/", f"/distinguished/members/{slug}/",
             f"/distinguished/verify/{site['credential'].public_id}/"]
    linked = {linked_artwork(client, page) for page in pages}
    assert len(linked) == 1, linked  # every page links the same URL, so a browser fetches it once
    url = linked.pop()
    kept = client.get(url)
    assert kept.status_code == 200 and kept["Content-Type"] == "image/svg+xml"
    assert kept["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(url, HTTP_IF_NONE_MATCH=kept["ETag"]).status_code == 304

    # Staff upload new artwork (any edit of the track): pages link a new URL; the old one is no
    # longer kept for good, and serves what is current.
    with django_capture_on_commit_callbacks(execute=True):
        Track.objects.filter(slug="engineer").get().save()
    assert {linked_artwork(client, page) for page in pages} == {linked_artwork(client, pages[0])} != {url}
    old = client.get(url, HTTP_IF_NONE_MATCH=kept["ETag"])
    assert old.status_code == 200 and old["Cache-Control"] == "public, max-age=86400"
    # An edit of something else leaves the artwork's URL alone.
    now = linked_artwork(client, pages[0])
    with django_capture_on_commit_callbacks(execute=True):
        api.set_listing(user=site["person"], listed=True)
    assert linked_artwork(client, pages[0]) == now


def test_a_new_release_links_its_own_artwork(site, client, monkeypatch):
    """The plugin ships artwork: an upgrade may change it without any track being edited."""
    from openedx_distinguished import freshness  # pylint: disable=import-outside-toplevel
    before = linked_artwork(client, "/distinguished/")
    kept = client.get(before)
    monkeypatch.setattr(freshness, "__version__", "99.0.0")
    after = linked_artwork(client, "/distinguished/?track=engineer")
    assert after != before and "99.0.0" in after
    again = client.get(before, HTTP_IF_NONE_MATCH=kept["ETag"])
    assert again.status_code == 200 and "immutable" not in again["Cache-Control"]


def test_the_profile_widget_links_the_versioned_artwork(site, client):
    badges = client.get(f"/api/distinguished/v1/profiles/{site['person'].username}/").json()["badges"]
    assert badges and client.get(badges[0]["image_url"].removeprefix("https://lms.example.org"))[
        "Cache-Control"] == "public, max-age=31536000, immutable"
