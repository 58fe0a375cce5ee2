"""
The learner dashboard widget as Tutor renders it into tutor-mfe's env.config.jsx, rendered in the
sidebar slot by the real @edx/frontend-platform and @openedx/frontend-plugin-framework
(tests/js/slot.js) against answers of GET /api/distinguished/v1/me/dashboard/
(openedx_distinguished.overview.dashboard_card).
"""
import json

import pytest

SLOT = "org.openedx.frontend.learner_dashboard.widget_sidebar.v1"
LMS = "https://lms.example.org"
URL = f"{LMS}/api/distinguished/v1/me/dashboard/"
LEARNER = {"username": "grace", "userId": 7, "administrator": False}

MEMBER = {
    "kind": "member",
    "membership_url": f"{LMS}/distinguished/membership/",
    "terms": [
        {"track": "engineer", "track_name": "Distinguished Engineer", "status": "renewal_due",
         "ends_at": "2027-03-01T00:00:00Z", "renewal": {"needed": 4, "verified": 1, "pending": 2, "met": False}},
        {"track": "advocate", "track_name": "Distinguished Advocate", "status": "active",
         "ends_at": "2027-09-30T00:00:00Z", "renewal": {"needed": 4, "verified": 5, "pending": 0, "met": True}},
        {"track": "innovator", "track_name": "Distinguished Innovator", "status": "lifetime",
         "ends_at": None, "renewal": None},
    ],
}
CALL = {
    "kind": "call", "cycle_name": "Class of 2027", "closes_at": "2027-02-15T23:59:00Z", "remaining": 3,
    "nominate_url": f"{LMS}/distinguished/nominate/", "nominations_url": f"{LMS}/distinguished/nominations/",
    "program_url": f"{LMS}/distinguished/program/",
}


@pytest.fixture
def dashboard(render_slot):
    """Render the sidebar slot of the learner dashboard, the endpoint answering ``answer``."""
    def render(answer, more=None, **scenario):
        return render_slot(app="learner-dashboard", slot=SLOT, pathname="/", user=LEARNER,
                           responses={URL: answer, **(more or {})}, **scenario)
    return render


def test_the_widget_is_inserted_in_the_learner_dashboards_sidebar(node, default_project):
    code, out, err = node("parse.js", default_project.root / "env" / "plugins" / "mfe" / "build" / "mfe"
                          / "env.config.jsx")
    assert code == 0, err
    ours = [slot for slot in json.loads(out)["slots"] if slot["slot"] == SLOT]
    assert ours == [{"app": "learner-dashboard", "slot": SLOT, "plugins": [{
        "op": "PLUGIN_OPERATIONS.Insert",
        "widget": {"id": "distinguished_dashboard", "type": "DIRECT_PLUGIN", "priority": 40,
                   "RenderWidget": "distinguishedDashboard.Card"},
    }]}]


def test_a_member_sees_each_term_and_its_renewal_progress(dashboard):
    result = dashboard({"status": 200, "data": MEMBER})
    assert result["requestDetails"] == [{"url": URL, "method": "GET", "client": "authenticated",
                                         "withCredentials": True}]
    assert result["headings"] == [{"level": 2, "text": "Distinguished Contributors"}]
    assert result["text"] == (
        "Distinguished Contributors"
        " Distinguished Engineer Renewal due by March 1, 2027"
        " 1 of 4 activities verified for renewal · 2 awaiting review"
        " Distinguished Advocate Member until September 30, 2027 Renewal requirement met"
        " Distinguished Innovator Lifetime member"
        " My membership")
    # One progress bar, for the term still short of the rule, named by its text.
    assert result["html"].count("<progress") == 1
    assert ('<progress class="w-100" max="4" value="1" aria-label="1 of 4 activities verified for renewal">'
            in result["html"])
    assert result["links"] == [{"href": MEMBER["membership_url"], "text": "My membership",
                                "fullText": "My membership"}]
    assert result["axe"] == []
    assert result["consoleErrors"] == [] and result["logged"]["errors"] == []


def test_progress_beyond_the_rule_fills_the_bar_and_no_more(dashboard):
    term = {**MEMBER["terms"][0], "renewal": {"needed": 2, "verified": 3, "pending": 0, "met": False}}
    result = dashboard({"status": 200, "data": {**MEMBER, "terms": [term]}})
    assert 'max="2" value="2"' in result["html"]


def test_others_see_the_open_call_with_a_link_to_the_form(dashboard):
    result = dashboard({"status": 200, "data": CALL})
    assert result["headings"] == [{"level": 2, "text": "Nominations are open"}]
    assert "Nominations for Class of 2027 close on February 15, 2027." in result["text"]
    assert [(link["href"], link["text"]) for link in result["links"]] == [
        (CALL["nominate_url"], "Nominate someone"), (CALL["program_url"], "About the program")]
    assert 'class="btn btn-primary' in result["html"]
    assert result["axe"] == []
    assert result["consoleErrors"] == [] and result["logged"]["errors"] == []


def test_a_nominator_with_no_nominations_left_is_led_to_theirs(dashboard):
    result = dashboard({"status": 200, "data": {**CALL, "remaining": 0}})
    assert "You have made all the nominations you can this cycle." in result["text"]
    assert [(link["href"], link["text"]) for link in result["links"]] == [
        (CALL["nominations_url"], "My nominations"), (CALL["program_url"], "About the program")]
    assert "btn-primary" not in result["html"]


def test_the_call_follows_the_apps_locale(dashboard):
    result = dashboard({"status": 200, "data": CALL}, locale="fr", messages={"fr": {
        "distinguished.dashboard.call": "Les nominations sont ouvertes",
        "distinguished.dashboard.call.text": "Nominations pour {cycle} jusqu’au {date}.",
    }})
    assert result["headings"] == [{"level": 2, "text": "Les nominations sont ouvertes"}]
    assert "Nominations pour Class of 2027 jusqu’au 15 février 2027." in result["text"]


@pytest.mark.parametrize("answer", [
    pytest.param({"status": 200, "data": {"kind": "none"}}, id="between calls"),
    pytest.param({"status": 200, "data": {"kind": "something new"}}, id="a kind it does not know"),
    pytest.param({"status": 200, "data": "<html>not the API</html>"}, id="not JSON"),
])
def test_nothing_shows_otherwise(dashboard, answer):
    result = dashboard(answer)
    assert result["requests"] == [URL]
    assert result["html"] == ""
    assert result["logged"]["errors"] == [] and result["consoleErrors"] == []


@pytest.mark.parametrize("status", [401, 500])
def test_a_failed_request_shows_nothing_and_is_logged(dashboard, status):
    result = dashboard({"status": status, "data": {"detail": "No."}})
    assert result["html"] == ""
    assert result["logged"]["errors"] == [{
        "message": f"Request failed with status code {status}", "status": status,
        "attributes": {"widget": "distinguished_dashboard", "url": URL}}]
    assert result["consoleErrors"] == []


def test_other_mfes_do_not_get_the_widget(render_slot):
    result = render_slot(app="profile", slot=SLOT, pathname="/u/ada", user=LEARNER,
                         responses={URL: {"status": 200, "data": CALL}})
    assert SLOT not in result["slots"] and result["plugins"] == []
    assert URL not in result["requests"] and result["html"] == ""


def test_the_card_speaks_the_plugins_translations_in_the_apps_language(dashboard):
    french = f"{LMS}/api/distinguished/v1/widget-messages/fr/"
    messages = {"distinguished.dashboard.program": "Contributeurs distingués",
                "distinguished.dashboard.lifetime": "Membre à vie",
                "distinguished.dashboard.progress": "{verified} sur {needed} activités vérifiées"}
    result = dashboard({"status": 200, "data": MEMBER}, locale="fr",
                       more={french: {"status": 200, "data": {"language": "fr", "messages": messages}}})
    assert result["headings"] == [{"level": 2, "text": "Contributeurs distingués"}]
    assert "Membre à vie" in result["text"] and "1 sur 4 activités vérifiées" in result["text"]
    # The three terms share one request for the language.
    assert sorted(detail["url"] for detail in result["requestDetails"]) == [URL, french]
    assert result["logged"]["errors"] == [] and result["axe"] == []
