"""
The profile widget in tutor-mfe's env.config.jsx: parsed by Babel's parser, then run with React.
"""
import json

import pytest

SLOT = "org.openedx.frontend.profile.additional_profile_fields.v1"
LMS = "https://lms.example.org"

# An answer of GET /api/distinguished/v1/profiles/<username>/ (openedx_distinguished.presence).
ADA = {
    "username": "ada",
    "member_url": f"{LMS}/distinguished/members/ada-example/",
    "badges": [
        {"track": "innovator", "name": "Distinguished Innovator", "lifetime": True, "valid_until": None,
         "image_url": f"{LMS}/distinguished/badges/art/innovator.svg",
         "verify_url": f"{LMS}/distinguished/verify/6c1a/"},
        {"track": "engineer", "name": "Distinguished Engineer", "lifetime": False,
         "valid_until": "2027-03-01T00:00:00Z", "image_url": f"{LMS}/distinguished/badges/art/engineer.svg",
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


def test_the_widget_is_inserted_in_the_profile_slot_of_the_profile_mfe(parsed):
    ours = [slot for slot in parsed["slots"] if slot["slot"] == SLOT]
    assert ours == [{"app": "profile", "slot": SLOT, "plugins": [{
        "op": "PLUGIN_OPERATIONS.Insert",
        "widget": {"id": "distinguished_profile_badges", "type": "DIRECT_PLUGIN", "priority": 50,
                   "RenderWidget": "distinguishedProfile.Badges"},
    }]}]
    assert "distinguishedProfile" in parsed["variables"]
    assert any("/api/distinguished/v1/profiles/" in string for string in parsed["strings"])


def test_the_markup_is_accessible(parsed):
    elements = parsed["jsxElements"]
    images = [element for element in elements if element["name"] == "img"]
    assert images and all("alt" in image["attributes"] for image in images)
    names = [element["name"] for element in elements]
    assert "ul" in names and "li" in names
    (section,) = [element for element in elements if element["name"] == "section"]
    assert "aria-labelledby" in section["attributes"]


def test_the_parser_rejects_broken_jsx(node, env_config, tmp_path):
    broken = tmp_path / "env.config.jsx"
    broken.write_text(env_config.read_text(encoding="utf-8").replace("</ul>", "</ol>", 1), encoding="utf-8")
    code, out, err = node("parse.js", broken)
    assert code == 1 and out == ""
    assert "Expected corresponding JSX closing tag for <ul>" in err


def nodes(tree):
    """Every element of a react-test-renderer tree, depth first."""
    if isinstance(tree, dict):
        yield tree
        for child in tree.get("children") or []:
            yield from nodes(child)


def texts(tree):
    if isinstance(tree, str):
        return tree
    return "".join(texts(child) for child in (tree or {}).get("children") or [])


def test_a_member_sees_their_badges_with_verification_links(run_widget):
    result = run_widget(pathname="/profile/u/ada", data=ADA)
    assert result["errors"] == []
    assert result["widget"] == {"op": "insert", "type": "direct_plugin", "priority": 50}
    assert result["requests"] == [f"{LMS}/api/distinguished/v1/profiles/ada/"]
    tree = result["tree"]
    (heading,) = [element for element in nodes(tree) if element["type"] == "h2"]
    assert tree["props"]["aria-labelledby"] == heading["props"]["id"]
    (badge_list,) = [element for element in nodes(tree) if element["type"] == "ul"]
    items = [child for child in badge_list["children"] if child["type"] == "li"]
    assert len(items) == 2
    for item, badge in zip(items, ADA["badges"]):
        (image,) = [element for element in nodes(item) if element["type"] == "img"]
        assert image["props"]["src"] == badge["image_url"]
        assert image["props"]["alt"] == f"{badge['name']} badge"
        (link,) = [element for element in nodes(item) if element["type"] == "a"]
        assert link["props"]["href"] == badge["verify_url"]
        assert texts(link) == f"Verify the {badge['name']} badge"
    assert "Lifetime member" in texts(items[0])
    assert "Member until" in texts(items[1]) and "2027" in texts(items[1])
    member_links = [element for element in tree["children"] if element["type"] == "a"]
    assert [link["props"]["href"] for link in member_links] == [ADA["member_url"]]


def test_the_owner_is_led_to_their_membership(run_widget):
    # The endpoint adds membership_url for the profile's owner only (openedx_distinguished.presence).
    own = {**ADA, "membership_url": f"{LMS}/distinguished/membership/"}
    result = run_widget(pathname="/profile/u/ada", data=own)
    links = [element for element in result["tree"]["children"] if element["type"] == "a"]
    assert [(link["props"]["href"], texts(link)) for link in links] == [
        (ADA["member_url"], "Member page"), (f"{LMS}/distinguished/membership/", "Your membership")]


def test_usernames_are_escaped_in_the_request(run_widget):
    result = run_widget(pathname="/profile/u/j%C3%BCrgen%2Fx", data={"badges": []})
    assert result["requests"] == [f"{LMS}/api/distinguished/v1/profiles/j%C3%BCrgen%2Fx/"]


@pytest.mark.parametrize("scenario", [
    pytest.param({"data": {"username": "grace", "badges": []}}, id="no visible badges"),
    pytest.param({"status": 404, "data": {"username": ["Not found."]}}, id="unknown user"),
    pytest.param({"status": 500, "data": "Server Error"}, id="server error"),
    pytest.param({"data": "<html>not the API</html>"}, id="not JSON"),
])
def test_nothing_shows_without_badges(run_widget, scenario):
    result = run_widget(pathname="/profile/u/grace", **scenario)
    assert result["requests"] == [f"{LMS}/api/distinguished/v1/profiles/grace/"]
    assert result["tree"] is None
    assert result["errors"] == []


def test_no_request_off_a_profile_page(run_widget):
    result = run_widget(pathname="/profile/", data=ADA)
    assert result["requests"] == [] and result["tree"] is None


def test_other_mfes_do_not_get_the_widget(run_widget):
    result = run_widget(app="learning", pathname="/learning/u/ada", data=ADA)
    assert SLOT not in result["slots"]
    assert result["requests"] == [] and result["errors"] == []
