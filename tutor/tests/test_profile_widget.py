"""
The profile widget as Tutor renders it into tutor-mfe's env.config.jsx: parsed by Babel's parser, and
rendered in its slot by the real @edx/frontend-platform and @openedx/frontend-plugin-framework
(tests/js/slot.js) against answers of GET /api/distinguished/v1/profiles/<username>/.
"""
import json

import pytest

SLOT = "org.openedx.frontend.profile.additional_profile_fields.v1"
LMS = "https://lms.example.org"
ADA_URL = f"{LMS}/api/distinguished/v1/profiles/ada/"
VIEWER = {"username": "grace", "userId": 7, "administrator": False}

# An answer of the endpoint (openedx_distinguished.presence) for a viewer who is not the owner.
ADA = {
    "username": "ada",
    "member_url": f"{LMS}/distinguished/members/ada-example/",
    "badges": [
        {"track": "innovator", "name": "Distinguished Innovator", "lifetime": True, "valid_until": None,
         "image_url": f"{LMS}/distinguished/badges/art/innovator.svg?v=1a2b3c",
         "verify_url": f"{LMS}/distinguished/verify/6c1a/"},
        {"track": "engineer", "name": "Distinguished Engineer", "lifetime": False,
         "valid_until": "2027-03-01T00:00:00Z", "image_url": f"{LMS}/distinguished/badges/art/engineer.svg?v=1a2b3c",
         "verify_url": f"{LMS}/distinguished/verify/9f2e/"},
    ],
}


@pytest.fixture(scope="module")
def env_config(default_project):
    return default_project.root / "env" / "plugins" / "mfe" / "build" / "mfe" / "env.config.jsx"


@pytest.fixture(scope="module")
def parsed(node, env_config):
    code, out, err = node("parse.js", env_config)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def profile(render_slot):
    """Render the profile slot at /u/<username> for ``user``, the endpoint answering ``answer``."""
    def render(answer, username="ada", user=VIEWER, more=None, **scenario):
        url = f"{LMS}/api/distinguished/v1/profiles/{username}/"
        return render_slot(app="profile", slot=SLOT, pathname=f"/u/{username}", user=user,
                           responses={url: answer, **(more or {})}, **scenario)
    return render


def test_the_widget_is_inserted_in_the_profile_slot_of_the_profile_mfe(parsed):
    ours = [slot for slot in parsed["slots"] if slot["slot"] == SLOT]
    assert ours == [{"app": "profile", "slot": SLOT, "plugins": [{
        "op": "PLUGIN_OPERATIONS.Insert",
        "widget": {"id": "distinguished_profile_badges", "type": "DIRECT_PLUGIN", "priority": 50,
                   "RenderWidget": "distinguishedProfile.Badges"},
    }]}]
    assert "distinguishedProfile" in parsed["variables"]
    assert any("/api/distinguished/v1/profiles/" in string for string in parsed["strings"])


def test_the_parser_rejects_broken_jsx(node, env_config, tmp_path):
    broken = tmp_path / "env.config.jsx"
    broken.write_text(env_config.read_text(encoding="utf-8").replace("</ul>", "</ol>", 1), encoding="utf-8")
    code, out, err = node("parse.js", broken)
    assert code == 1 and out == ""
    assert "Expected corresponding JSX closing tag for <ul>" in err


def test_a_visitor_sees_the_members_badges_with_verification_links(profile):
    result = profile({"status": 200, "data": ADA})
    assert result["plugins"] == [{"op": "insert", "id": "distinguished_profile_badges", "type": "DIRECT_PLUGIN",
                                  "priority": 50}]
    # One request, with the app's authenticated client (the JWT cookie goes with it).
    assert result["requestDetails"] == [{"url": ADA_URL, "method": "GET", "client": "authenticated",
                                         "withCredentials": True}]
    assert result["headings"] == [{"level": 2, "text": "Distinguished Contributor"}]
    assert result["images"] == [
        {"src": badge["image_url"], "alt": f"{badge['name']} badge", "width": "56", "height": "56"}
        for badge in ADA["badges"]]
    assert result["links"] == [
        {"href": ADA["badges"][0]["verify_url"], "text": "Verify",
         "fullText": "Verify the Distinguished Innovator badge"},
        {"href": ADA["badges"][1]["verify_url"], "text": "Verify",
         "fullText": "Verify the Distinguished Engineer badge"},
        {"href": ADA["member_url"], "text": "Member page", "fullText": "Member page"},
    ]
    assert "Distinguished Innovator Lifetime member" in result["text"]
    assert "Distinguished Engineer Member until March 1, 2027" in result["text"]
    # The heading names the section; it sits apart from the profile field above it.
    assert 'aria-labelledby="distinguished-badges-heading"' in result["html"]
    assert 'id="distinguished-badges-heading"' in result["html"]
    assert 'class="distinguished-badges mt-4 pt-3 mb-4 border-top"' in result["html"]
    assert result["axe"] == []
    assert result["consoleErrors"] == [] and result["logged"]["errors"] == []


def test_the_owner_is_led_to_their_membership(profile):
    # The endpoint adds membership_url for the profile's owner only (openedx_distinguished.presence).
    own = {**ADA, "membership_url": f"{LMS}/distinguished/membership/"}
    result = profile({"status": 200, "data": own}, user={"username": "ada", "userId": 3, "administrator": False})
    assert [(link["href"], link["text"]) for link in result["links"][-2:]] == [
        (ADA["member_url"], "Member page"), (f"{LMS}/distinguished/membership/", "My membership")]
    assert result["axe"] == []


def test_dates_and_strings_follow_the_apps_locale(profile):
    """Dates are formatted for the app's language, and the app's translations replace the strings."""
    french = {"distinguished.profile.heading": "Contributeur distingué",
              "distinguished.profile.until": "Membre jusqu’au {date}",
              "distinguished.profile.verify": "Vérifier"}
    result = profile({"status": 200, "data": ADA}, locale="fr", messages={"fr": french})
    assert result["headings"] == [{"level": 2, "text": "Contributeur distingué"}]
    assert "Membre jusqu’au 1 mars 2027" in result["text"]
    assert [link["text"] for link in result["links"][:2]] == ["Vérifier", "Vérifier"]
    # Strings the app has not translated keep their English text.
    assert "Lifetime member" in result["text"]


FRENCH_URL = f"{LMS}/api/distinguished/v1/widget-messages/fr/"

# What GET /api/distinguished/v1/widget-messages/fr/ answers where the site has the plugin's French.
PLUGIN_FRENCH = {"language": "fr", "messages": {
    "distinguished.profile.heading": "Contributeur distingué du programme",
    "distinguished.profile.lifetime": "Membre à vie",
    "distinguished.profile.verify": "Contrôler",
}}


def test_the_plugins_translations_fill_in_what_the_app_does_not_translate(profile):
    app = {"distinguished.profile.verify": "Vérifier"}
    result = profile({"status": 200, "data": ADA}, locale="fr", messages={"fr": app},
                     more={FRENCH_URL: {"status": 200, "data": PLUGIN_FRENCH}})
    assert result["headings"] == [{"level": 2, "text": "Contributeur distingué du programme"}]
    assert "Membre à vie" in result["text"]
    # The app's own translation wins; what neither translates stays English.
    assert [link["text"] for link in result["links"][:2]] == ["Vérifier", "Vérifier"]
    assert "Member page" in result["text"]
    # One request for the language, with the app's authenticated client, beside the badges'.
    assert sorted(detail["url"] for detail in result["requestDetails"]) == [ADA_URL, FRENCH_URL]
    assert result["logged"]["errors"] == [] and result["axe"] == []


def test_no_translation_is_asked_for_in_english(profile):
    result = profile({"status": 200, "data": ADA}, locale="en")
    assert result["requests"] == [ADA_URL]


@pytest.mark.parametrize("status, logged", [(404, False), (500, True)])
def test_without_the_plugins_translations_the_widget_keeps_its_english(profile, status, logged):
    """A 404 means the site does not offer the language: nothing to report. Other failures are reported."""
    result = profile({"status": 200, "data": ADA}, locale="fr",
                     more={FRENCH_URL: {"status": status, "data": {"detail": "No."}}})
    assert result["headings"] == [{"level": 2, "text": "Distinguished Contributor"}]
    errors = [{"message": f"Request failed with status code {status}", "status": status,
               "attributes": {"widget": "distinguished_profile_badges", "url": FRENCH_URL}}]
    assert result["logged"]["errors"] == (errors if logged else [])
    assert result["consoleErrors"] == []


def test_usernames_are_escaped_in_the_request(profile):
    result = profile({"status": 200, "data": {"badges": []}}, username="j%C3%BCrgen%2Fx")
    assert result["requests"] == [f"{LMS}/api/distinguished/v1/profiles/j%C3%BCrgen%2Fx/"]


@pytest.mark.parametrize("answer", [
    pytest.param({"status": 200, "data": {"username": "grace", "badges": []}}, id="not a member"),
    # An unlisted member, or a profile its owner keeps private: the endpoint gives no badges.
    pytest.param({"status": 200, "data": {"username": "grace", "badges": [], "member_url": None}},
                 id="unlisted or private"),
    pytest.param({"status": 200, "data": "<html>not the API</html>"}, id="not JSON"),
])
def test_nothing_shows_without_badges(profile, answer):
    result = profile(answer, username="grace")
    assert result["requests"] == [f"{LMS}/api/distinguished/v1/profiles/grace/"]
    assert result["html"] == ""
    assert result["logged"]["errors"] == [] and result["consoleErrors"] == []


@pytest.mark.parametrize("status", [404, 500])
def test_a_failed_request_shows_nothing_and_is_logged(profile, status):
    result = profile({"status": status, "data": {"detail": "No."}}, username="grace")
    assert result["html"] == ""
    url = f"{LMS}/api/distinguished/v1/profiles/grace/"
    assert result["logged"]["errors"] == [{
        "message": f"Request failed with status code {status}", "status": status,
        "attributes": {"widget": "distinguished_profile_badges", "url": url}}]
    assert result["consoleErrors"] == []


def test_no_request_off_a_profile_page(render_slot):
    result = render_slot(app="profile", slot=SLOT, pathname="/", user=VIEWER, responses={})
    assert result["requests"] == [] and result["html"] == ""


def test_other_mfes_do_not_get_the_widget(render_slot):
    result = render_slot(app="learning", slot=SLOT, pathname="/u/ada", user=VIEWER,
                         responses={ADA_URL: {"status": 200, "data": ADA}})
    assert SLOT not in result["slots"] and result["plugins"] == []
    assert result["requests"] == [] and result["html"] == ""
