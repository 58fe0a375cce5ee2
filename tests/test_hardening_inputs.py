"""
What a request carries, whoever sends it: numbers that are not ASCII digits or do not fit a
database integer, values of the wrong JSON type, text with control or text-direction characters,
HEAD requests, revoked badges, and badge artwork that does more than draw.

Each case was answered with a server error, stored, or served before the review's fixes: every
refusal here is the API's JSON error (a message per field) or the page's 400 with the message next
to its field, and nothing is written.
"""
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from rest_framework.settings import api_settings

from openedx_distinguished import api, parsing, presence
from openedx_distinguished.models import (
    Activity,
    Credential,
    Fulfilment,
    MemberProfile,
    Nomination,
    NominationTransition,
    Review,
    ReviewAssignment,
    Track,
)

from .factories import UserFactory
from .membership_fixtures import credentialed_member, make_term
from .races import race
from .review_fixtures import full_justifications, score_all, submitted_nomination

pytestmark = pytest.mark.django_db
BASE = "/api/distinguished/v1"
# Larger than any database integer column holds (2^63 - 1), and the largest number a path takes.
HUGE = "9" * 20
LONGEST = "9" * parsing.MAX_DIGITS
SHIPPED_ART = Path(api.__file__).parent / "static" / "openedx_distinguished" / "badges"
# Characters no single-line text may carry: a right-to-left override, a left-to-right isolate, NUL and BEL.
HIDDEN = ["\u202e", "\u2066", "\x00", "\x07"]
# What an SVG served by the plugin may do in a browser that opens it: draw, with its inline styles.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def json_error(response, status, *fields):
    """The response is the API's JSON error with ``status``, with a message for each of ``fields``."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body, dict) and body, body
    for field in fields:
        assert body.get(field), body
    return body


def signed_in(user):
    """A browser-like client of ``user`` that answers a view's exception with a 500 instead of raising it."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def anonymous():
    """An anonymous browser that reports a server error as a 500 response."""
    return Client(raise_request_exception=False)


# Years in query strings -----------------------------------------------------------------------

# Not a year: other digits ("²" passes str.isdigit, which int() refuses; Arabic-Indic digits int()
# reads), numbers too long for int() or for the database, signs, decimals, out of range, a NUL.
NOT_YEARS = ["²", "٢٠٢٦", "9" * 5000, "9" * 30, "-2026", "+2026", "2026.0", "1e3", "0", "1899", "2201", "20\x0026"]


def test_the_hall_of_fame_refuses_a_year_next_to_its_field(cycle, anonymous):
    for value in NOT_YEARS:
        response = anonymous.get("/distinguished/", {"year": value})
        html = response.content.decode()
        assert response.status_code == 400, (value, response.status_code)
        assert 'aria-describedby="year-error"' in html and re.search(r'id="year-error">[^<]+<', html), value


@pytest.mark.parametrize("path, caller", [
    ("/distinguished/feed.json", None),
    (f"{BASE}/initiatives/", None),
    (f"{BASE}/kpis/", "staff"),
])
def test_the_json_endpoints_refuse_a_year_with_the_api_error(cycle, users, anonymous, path, caller):
    client = signed_in(users[caller]) if caller else anonymous
    for value in NOT_YEARS + ["999999999999999999999999999999"]:
        # The KPIs take several years: one bad one is enough to refuse the request.
        json_error(client.get(path, {"year": ["2026", value] if caller else value}), 400, "year")


def test_a_year_filter_still_filters(cycle, users, anonymous):
    api.save_initiative(title="OEP-1", year=2025)
    api.save_initiative(title="OEP-2", year=2026)
    assert anonymous.get("/distinguished/", {"year": "2026"}).status_code == 200
    assert anonymous.get("/distinguished/feed.json", {"year": " 2026 "}).status_code == 200
    listed = anonymous.get(f"{BASE}/initiatives/", {"year": "2026"}).json()
    assert [item["title"] for item in listed["results"]] == ["OEP-2"]
    kpis = signed_in(users["staff"]).get(f"{BASE}/kpis/", {"year": "2026"})
    assert kpis.status_code == 200 and {row["year"] for row in kpis.json()} == {2026}


# Numbers in paths -----------------------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")
_EXAMPLES = {"slug": "engineer", "str": "learner", "path": "learner"}


def _plugin_routes(patterns=None, prefix="", converters=()):
    """(route, converters) of every URL pattern of the plugin, its admin included, with its full route."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        found = (*converters, *getattr(entry.pattern, "converters", {}).values())
        if isinstance(entry, URLResolver):
            yield from _plugin_routes(entry.url_patterns, route, found)
        elif isinstance(entry, URLPattern) and entry.lookup_str.startswith("openedx_distinguished"):
            yield route, found


NUMBERED_ROUTES = sorted({route for route, found in _plugin_routes()
                          if any(isinstance(c, (IntConverter, parsing.BoundedIntConverter)) for c in found)})


def numbered_path(route, number):
    """``route`` with ``number`` for each of its numbers and an example for its other parts."""
    return "/" + _CONVERTER.sub(lambda m: number if m.group(1) in ("int", parsing.BOUNDED_INT)
                                else _EXAMPLES.get(m.group(1) or "str", "x"), route)


def test_the_plugin_has_numbered_routes_and_none_unbounded():
    """Every id or year in a path is bounded: Django's ``int`` takes numbers no database column holds."""
    assert len(NUMBERED_ROUTES) >= 35
    unbounded = [route for route, found in _plugin_routes() if any(isinstance(c, IntConverter) for c in found)]
    assert not unbounded


@pytest.mark.parametrize("route", NUMBERED_ROUTES)
def test_no_numbered_route_fails_on_a_huge_number(cycle, users, route):
    """As program staff (who may call every endpoint): 2^63, 20 digits and the longest number a path takes."""
    client = signed_in(users["staff"])
    for number in (str(2 ** 63), HUGE, LONGEST):
        path = numbered_path(route, number)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code < 500, (method, path, response.status_code)
            if path.startswith(BASE) and response.status_code >= 400:
                json_error(response, response.status_code)
            if number != LONGEST and not path.startswith("/admin/"):
                assert response.status_code == 404, (method, path, response.status_code)


@pytest.mark.parametrize("path, api_error", [
    (f"{BASE}/cycles/{HUGE}/", True),
    (f"{BASE}/nominations/{HUGE}/", True),
    (f"{BASE}/review/cycles/{HUGE}/scoreboard/", True),
    (f"/distinguished/nominations/{HUGE}/", False),
    (f"/distinguished/review/nominations/{HUGE}/", False),
    (f"/distinguished/review/cycles/{HUGE}/scoreboard/", False),
])
def test_a_number_past_the_database_is_not_found(cycle, users, path, api_error):
    for client in (Client(raise_request_exception=False), signed_in(users["staff"])):
        response = client.get(path)
        if api_error:
            assert json_error(response, 404) == {"detail": "Not found."}
        else:
            assert response.status_code == 404


# Review scores and the assignments CSV ------------------------------------------------------

@pytest.fixture
def in_review(cycle, users, panels):
    """A nomination in review, assigned to rev1."""
    nomination = submitted_nomination(users["nominator"], users["nominee"])
    api.assign_reviewer(nomination_id=nomination.id, reviewer_username="rev1", actor=None)
    return nomination


@pytest.mark.parametrize("score", ["²", "9" * 5000, "٣", "-3", "3.0", " ", "3\x00"], ids=repr)
def test_a_score_that_is_not_a_number_comes_back_on_the_review_page(in_review, panels, score):
    scores = {f"score-{slug}": str(value) for slug, value in score_all("engineer", 4).items()}
    scores[next(iter(scores))] = score
    response = signed_in(panels["rev1"]).post(reverse("openedx_distinguished:pages:review-sheet",
                                                      args=[in_review.id]), {**scores, "recommendation": "accept"})
    assert response.status_code == 400
    assert "must be a whole number from 1 to 5" in response.content.decode()
    assert not Review.objects.exists()


def test_the_review_page_still_saves_scores(in_review, panels):
    scores = {f"score-{slug}": str(value) for slug, value in score_all("engineer", 4).items()}
    response = signed_in(panels["rev1"]).post(reverse("openedx_distinguished:pages:review-sheet",
                                                      args=[in_review.id]), {**scores, "recommendation": "accept"})
    assert response.status_code == 302 and Review.objects.count() == 1


@pytest.mark.parametrize("raw_id", ["²", HUGE, "٣", "-1", "1.0"], ids=repr)
def test_the_assignments_csv_refuses_an_id_that_is_not_one(in_review, panels, raw_id):
    before = ReviewAssignment.objects.count()
    response = signed_in(panels["chair"]).post(
        f"{BASE}/review/cycles/2026/assignments.csv",
        {"csv": f"nomination_id,reviewer\n{in_review.id},rev2\n{raw_id},rev2\n"}, content_type="application/json")
    rows = json_error(response, 400, "rows")["rows"]
    assert any(line.startswith("Line 3:") for line in rows), rows
    assert ReviewAssignment.objects.count() == before


# The activity import ----------------------------------------------------------------------------

REQUIRED_COLUMNS = ("external_id", "username", "activity_type", "title", "occurred_on")
OPTIONAL_COLUMNS = ("evidence_url", "description")
WRONG_TYPES = {"number": 5, "decimal": 2.5, "boolean": True, "list": ["a"], "object": {"a": "b"}, "null": None}


@pytest.fixture
def import_rows(program, users):
    """POST rows to the activity import as program staff; the response."""
    client = signed_in(users["staff"])
    return lambda rows: client.post(f"{BASE}/activities/import/", {"rows": rows}, content_type="application/json")


def good_row(number=1, **changes):
    """A row of the activity import that is valid as it is."""
    return {"external_id": f"ext-{number}", "username": "learner", "activity_type": "talk", "title": "A talk",
            "occurred_on": "2025-03-01", "evidence_url": "https://example.org/talk", "description": "Slides.",
            **changes}


@pytest.mark.parametrize("column", REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
def test_the_activity_import_names_the_row_and_field_of_a_wrong_type(import_rows, column):
    for kind, value in WRONG_TYPES.items():
        response = import_rows([good_row(1), good_row(2, **{column: value})])
        if kind == "null" and column in OPTIONAL_COLUMNS:
            continue  # an optional column left empty: imported (below)
        rows = json_error(response, 400, "rows")["rows"]
        assert len(rows) == 1 and rows[0].startswith(f"Row 2: {column}:"), (kind, rows)
        assert not Activity.objects.exists(), kind


@pytest.mark.parametrize("column", OPTIONAL_COLUMNS)
def test_the_activity_import_takes_null_for_an_optional_column(import_rows, column):
    response = import_rows([good_row(1, **{column: None})])
    assert response.status_code == 200 and Activity.objects.get().external_id == "ext-1"
    assert getattr(Activity.objects.get(), column) == ""


def test_the_activity_import_still_imports(import_rows):
    response = import_rows([good_row(1), good_row(2, description="Two\nlines")])
    assert response.status_code == 200 and response.json() == {"created": 2, "skipped": 0}
    assert Activity.objects.get(external_id="ext-2").description == "Two\nlines"


# Text with control and text-direction characters ----------------------------------------------

@pytest.fixture
def as_user(users):
    """A signed-in client of one of the ``users``."""
    return lambda name: signed_in(users[name])


def create_nomination(client, **changes):
    return client.post(f"{BASE}/nominations/", {
        "cycle": 2026, "track": "engineer", "nominee_username": "nominee", "justifications": full_justifications(),
        "evidence_links": ["https://example.org/work"], **changes}, content_type="application/json")


@pytest.mark.parametrize("char", HIDDEN, ids=repr)
def test_an_evidence_link_with_hidden_characters_is_refused(cycle, as_user, char):
    response = create_nomination(as_user("nominator"), evidence_links=[f"https://example.org/{char}gpj.exe"])
    json_error(response, 400, "evidence_links")
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("char", HIDDEN, ids=repr)
def test_a_justification_with_hidden_characters_is_refused(cycle, as_user, char):
    justifications = full_justifications()
    slug = next(iter(justifications))
    justifications[slug] = f"Fixed the {char}build."
    body = json_error(create_nomination(as_user("nominator"), justifications=justifications), 400)
    assert body.get(f"justifications.{slug}") or body.get("justifications"), body
    assert not Nomination.objects.exists()


def test_a_justification_keeps_its_line_breaks(cycle, as_user):
    justifications = full_justifications()
    slug = next(iter(justifications))
    justifications[slug] = "First line.\r\n\tSecond line."
    assert create_nomination(as_user("nominator"), justifications=justifications).status_code == 201
    assert Nomination.objects.get().justifications[slug] == "First line.\n\tSecond line."


@pytest.fixture
def member(cycle, users, panels, settings):
    """A member whose credential was issued with the release (with a physical award waiting for an address)."""
    return credentialed_member(users, panels, settings)


@pytest.mark.parametrize("field", ["name", "address"])
def test_a_shipping_address_with_hidden_characters_is_refused(member, field):
    fulfilment = Fulfilment.objects.get()
    client = signed_in(member)
    for char in HIDDEN:
        body = {"name": "M. Hamilton", "address": "1 Apollo Way\nBoston", field: f"1 Apollo {char}Way"}
        json_error(client.put(f"{BASE}/fulfilments/{fulfilment.pk}/address/", body,
                              content_type="application/json"), 400, field)
        assert (Fulfilment.objects.get().shipping_name, Fulfilment.objects.get().shipping_address) == ("", "")


def test_a_shipping_address_keeps_its_lines(member):
    fulfilment = Fulfilment.objects.get()
    response = signed_in(member).put(f"{BASE}/fulfilments/{fulfilment.pk}/address/",
                                     {"name": "M. Hamilton", "address": "1 Apollo Way\r\nBoston"},
                                     content_type="application/json")
    assert response.status_code == 200 and Fulfilment.objects.get().shipping_address == "1 Apollo Way\nBoston"


@pytest.fixture
def reporting_member(cycle, users):
    """The nominee, a current member who may report activities."""
    make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=10)
    return users["nominee"]


@pytest.mark.parametrize("char", HIDDEN, ids=repr)
def test_an_activity_title_with_hidden_characters_is_refused(reporting_member, import_rows, char):
    reported = signed_in(reporting_member).post(f"{BASE}/activities/", {
        "activity_type": "talk", "title": f"My {char}talk", "occurred_on": str(date.today())},
        content_type="application/json")
    json_error(reported, 400, "title")
    imported = json_error(import_rows([good_row(1, title=f"My {char}talk")]), 400, "rows")
    assert imported["rows"][0].startswith("Row 1: title:")
    assert not Activity.objects.exists()


def test_an_activity_description_keeps_its_lines(reporting_member):
    response = signed_in(reporting_member).post(f"{BASE}/activities/", {
        "activity_type": "talk", "title": "My talk", "occurred_on": str(date.today()),
        "description": "Slides.\r\nRecording."}, content_type="application/json")
    assert response.status_code == 201 and Activity.objects.get().description == "Slides.\nRecording."


@pytest.fixture
def awaiting_consent(cycle, users):
    """A peer nomination of the nominee, waiting for their answer."""
    outcome = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="engineer",
                                    nominee_username="nominee", justifications=full_justifications())
    return api.submit_nomination(nomination_id=outcome.nomination.id, actor=users["nominator"]).nomination


@pytest.mark.parametrize("char", HIDDEN, ids=repr)
@pytest.mark.parametrize("action, who, extra", [("consent", "nominee", {"decision": "decline"}),
                                                ("withdraw", "nominator", {})])
def test_a_reason_with_hidden_characters_is_refused(awaiting_consent, as_user, char, action, who, extra):
    transitions = NominationTransition.objects.count()
    response = as_user(who).post(f"{BASE}/nominations/{awaiting_consent.id}/{action}/",
                                 {**extra, "reason": f"Not {char}now."}, content_type="application/json")
    json_error(response, 400, "reason")
    assert Nomination.objects.get().status == "awaiting_consent"
    assert NominationTransition.objects.count() == transitions


@pytest.mark.parametrize("char", ["\u202e", "\x07"], ids=repr)
@pytest.mark.parametrize("action, who", [("consent", "nominee"), ("withdraw", "nominator")])
def test_the_pages_refuse_a_reason_with_hidden_characters(awaiting_consent, as_user, char, action, who):
    path = reverse(f"openedx_distinguished:pages:nomination-{action}", args=[awaiting_consent.id])
    response = as_user(who).post(path, {"answer": "decline", "reason": f"Not {char}now."})
    html = response.content.decode()
    assert response.status_code == 400 and "reason-error" in html and 'aria-invalid="true"' in html
    assert Nomination.objects.get().status == "awaiting_consent"


@pytest.mark.parametrize("action, who, extra, status", [
    ("consent", "nominee", {"decision": "decline"}, "consent_refused"),
    ("withdraw", "nominator", {}, "withdrawn"),
])
def test_a_reason_keeps_its_lines(awaiting_consent, as_user, action, who, extra, status):
    response = as_user(who).post(f"{BASE}/nominations/{awaiting_consent.id}/{action}/",
                                 {**extra, "reason": "Not now.\r\nNext year."}, content_type="application/json")
    assert response.status_code == 200 and Nomination.objects.get().status == status
    assert NominationTransition.objects.filter(to_status=status).get().reason == "Not now.\nNext year."


# Public documents: HEAD, revoked badges, SVG headers -------------------------------------------

@pytest.fixture
def public_paths(member):
    """Every public document of a listed member's valid credential."""
    api.set_listing(user=member, listed=True, slug="margaret")
    pid = str(Credential.objects.get().public_id)
    return ["/distinguished/badges/jwks.json", "/distinguished/badges/v3/issuer/", "/distinguished/badges/v2/issuer/",
            "/distinguished/badges/v3/achievements/engineer/", "/distinguished/badges/v2/classes/engineer/",
            f"/distinguished/badges/v3/credentials/{pid}/", f"/distinguished/badges/v3/credentials/{pid}/?format=jwt",
            "/distinguished/badges/v3/status/", f"/distinguished/badges/v2/assertions/{pid}/",
            "/distinguished/badges/art/engineer.svg", "/distinguished/badges/art/engineer.png",
            f"/distinguished/badges/{pid}/v2.png", f"/distinguished/badges/{pid}/v3.svg",
            f"/distinguished/verify/{pid}/", "/distinguished/", "/distinguished/?year=2026",
            "/distinguished/feed.json", "/distinguished/members/margaret/"]


def test_head_answers_as_get_does(public_paths, anonymous):
    for path in public_paths:
        get, head = anonymous.get(path), anonymous.head(path)
        assert (path, get.status_code) == (path, 200)
        assert (path, head.status_code, head["Content-Type"]) == (path, 200, get["Content-Type"])


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("kind", ["png", "svg"])
def test_a_revoked_badge_image_is_gone(member, anonymous, version, kind):
    pid = str(Credential.objects.get().public_id)
    path = f"/distinguished/badges/{pid}/v{version}.{kind}"
    assert anonymous.get(path).status_code == 200
    api.revoke_credential(public_id=pid, reason="Issued by mistake.")
    gone = anonymous.get(path)
    assert gone.status_code == 410 and not gone["Content-Type"].startswith("image/")
    assert anonymous.head(path).status_code == 410


@pytest.mark.parametrize("which", ["artwork", "v2", "v3"])
def test_served_svg_is_locked_down(member, anonymous, which):
    pid = str(Credential.objects.get().public_id)
    path = ("/distinguished/badges/art/engineer.svg" if which == "artwork"
            else f"/distinguished/badges/{pid}/{which}.svg")
    response = anonymous.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == SVG_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    png = anonymous.get(path.replace(".svg", ".png"))
    assert png["X-Content-Type-Options"] == "nosniff"


# Badge artwork ----------------------------------------------------------------------------------

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'

REFUSED_SVG = {
    "script": f"{SVG_OPEN}<script>alert(1)</script></svg>",
    "script-cdata": f"{SVG_OPEN}<script><![CDATA[alert(1)]]></script></svg>",
    "onload": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
    "onclick": f'{SVG_OPEN}<rect width="1" height="1" onclick="alert(1)"/></svg>',
    "foreign-object": f'{SVG_OPEN}<foreignObject width="10" height="10"><img xmlns="http://www.w3.org/1999/xhtml"'
                      f' src="x" onerror="alert(1)"/></foreignObject></svg>',
    "javascript-href": f'{SVG_OPEN}<image href="javascript:alert(1)"/></svg>',
    "javascript-xlink": f'{SVG_OPEN}<use xlink:href="javascript:alert(1)"/></svg>',
    "javascript-link": f'{SVG_OPEN}<a href="javascript:alert(1)"><rect width="1" height="1"/></a></svg>',
    "external-image": f'{SVG_OPEN}<image href="http://evil/x.png" width="10" height="10"/></svg>',
    "external-image-xlink": f'{SVG_OPEN}<image xlink:href="http://evil/x.png" width="10" height="10"/></svg>',
    "external-use": f'{SVG_OPEN}<use href="http://evil/x.svg#a"/></svg>',
    "external-use-xlink": f'{SVG_OPEN}<use xlink:href="//evil/x.svg#a"/></svg>',
    "doctype": '<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    "external-entity": '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    "style-import": f"{SVG_OPEN}<style>@import url(http://evil/x.css);</style></svg>",
    "style-import-string": f'{SVG_OPEN}<style>@import "http://evil/x.css";</style></svg>',
    "style-url": f"{SVG_OPEN}<style>rect {{ fill: url(http://evil/x.png) }}</style></svg>",
    "style-attribute-url": f'{SVG_OPEN}<rect style="fill:url(\'https://evil/x.png\')" width="1" height="1"/></svg>',
    "fill-url": f'{SVG_OPEN}<rect fill="url(http://evil/x.svg#g)" width="1" height="1"/></svg>',
    "stylesheet-instruction": '<?xml-stylesheet href="http://evil/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    "animate": f'{SVG_OPEN}<animate attributeName="href" to="javascript:alert(1)"/></svg>',
    "html-root": '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "not-xml": "<svg><rect></svg>",
}

# The same outside references, written so that the text of the file does not spell them out: an
# XML character reference, CSS escapes, and CSS image-set() with a plain string. Browsers read all
# of them as the references above. (Accepted by the check as it stands: these cases fail.)
OBFUSCATED_SVG = {
    "style-import-char-reference": f'{SVG_OPEN}<style>&#64;import "http://evil/x.css";</style></svg>',
    "style-url-css-escape": f"{SVG_OPEN}<style>rect {{ fill: u\\72l(http://evil/x.png) }}</style></svg>",
    "style-attribute-css-escape": f'{SVG_OPEN}<rect style="fill:u\\72l(http://evil/x.png)" width="1" height="1"/>'
                                  f"</svg>",
    "style-image-set": f'{SVG_OPEN}<style>rect {{ fill: image-set("http://evil/x.png" 1x) }}</style></svg>',
}

TINY_PNG_DATA = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

# What Inkscape 1.x writes for a plain drawing saved as "Inkscape SVG": its namespaces, its and
# sodipodi's attributes, a named view with a page, RDF metadata, a gradient, an embedded bitmap.
INKSCAPE_SVG = f"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->

<svg
   width="400"
   height="400"
   viewBox="0 0 105.83333 105.83333"
   version="1.1"
   id="svg1"
   inkscape:version="1.3.2 (091e20e, 2023-11-25)"
   sodipodi:docname="badge.svg"
   inkscape:export-filename="badge.png"
   inkscape:export-xdpi="96"
   inkscape:export-ydpi="96"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns="http://www.w3.org/2000/svg"
   xmlns:svg="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:cc="http://creativecommons.org/ns#"
   xmlns:dc="http://purl.org/dc/elements/1.1/">
  <title
     id="title1">Distinguished Engineer</title>
  <sodipodi:namedview
     id="namedview1"
     pagecolor="#ffffff"
     bordercolor="#000000"
     borderopacity="0.25"
     inkscape:showpageshadow="2"
     inkscape:pageopacity="0.0"
     inkscape:pagecheckerboard="0"
     inkscape:deskcolor="#d1d1d1"
     inkscape:document-units="mm"
     inkscape:zoom="1.4142136"
     inkscape:cx="200"
     inkscape:cy="200"
     inkscape:window-width="1920"
     inkscape:window-height="1011"
     inkscape:window-x="0"
     inkscape:window-y="32"
     inkscape:window-maximized="1"
     inkscape:current-layer="layer1">
    <inkscape:page
       x="0"
       y="0"
       width="105.83333"
       height="105.83333"
       id="page1"
       margin="0"
       bleed="0" />
  </sodipodi:namedview>
  <defs
     id="defs1">
    <linearGradient
       id="linearGradient1"
       inkscape:collect="always">
      <stop
         style="stop-color:#0b3d91;stop-opacity:1;"
         offset="0"
         id="stop1" />
      <stop
         style="stop-color:#0b3d91;stop-opacity:0;"
         offset="1"
         id="stop2" />
    </linearGradient>
    <radialGradient
       inkscape:collect="always"
       xlink:href="#linearGradient1"
       id="radialGradient2"
       cx="52.916668"
       cy="52.916668"
       fx="52.916668"
       fy="52.916668"
       r="50"
       gradientUnits="userSpaceOnUse" />
    <filter
       style="color-interpolation-filters:sRGB"
       inkscape:label="Drop Shadow"
       id="filter1"
       x="-0.1"
       y="-0.1"
       width="1.2"
       height="1.2">
      <feGaussianBlur
         in="SourceAlpha"
         stdDeviation="1.5"
         result="blur"
         id="feGaussianBlur1" />
      <feOffset
         dx="1"
         dy="1"
         result="offset"
         id="feOffset1" />
      <feMerge
         id="feMerge1">
        <feMergeNode
           in="offset"
           id="feMergeNode1" />
        <feMergeNode
           in="SourceGraphic"
           id="feMergeNode2" />
      </feMerge>
    </filter>
  </defs>
  <metadata
     id="metadata1">
    <rdf:RDF>
      <cc:Work
         rdf:about="">
        <dc:format>image/svg+xml</dc:format>
        <dc:type
           rdf:resource="http://purl.org/dc/dcmitype/StillImage" />
        <dc:title>Distinguished Engineer</dc:title>
        <cc:license
           rdf:resource="http://creativecommons.org/licenses/by-sa/4.0/" />
      </cc:Work>
    </rdf:RDF>
  </metadata>
  <g
     inkscape:label="Layer 1"
     inkscape:groupmode="layer"
     id="layer1">
    <circle
       style="fill:url(#radialGradient2);fill-opacity:1;stroke:#f0b429;stroke-width:2.64583;filter:url(#filter1)"
       id="path1"
       cx="52.916668"
       cy="52.916668"
       r="50" />
    <path
       style="fill:none;stroke:#ffffff;stroke-width:1.5;stroke-linecap:round"
       d="m 20,80 c 10,-20 55,-20 65,0"
       id="path2"
       sodipodi:nodetypes="cc" />
    <path
       sodipodi:type="star"
       style="fill:#ffffff"
       id="path3"
       inkscape:flatsided="false"
       sodipodi:sides="5"
       sodipodi:cx="52.9"
       sodipodi:cy="30"
       sodipodi:r1="8"
       sodipodi:r2="4"
       sodipodi:arg1="-1.57"
       sodipodi:arg2="-0.94"
       inkscape:rounded="0"
       inkscape:randomized="0"
       d="m 52.9,22 2.4,5 5.2,0.6 -3.9,3.6 1,5.2 -4.7,-2.6 -4.7,2.6 1,-5.2 -3.9,-3.6 5.2,-0.6 z"
       transform="translate(0,2)" />
    <image
       width="4"
       height="4"
       preserveAspectRatio="none"
       style="image-rendering:optimizeSpeed"
       xlink:href="data:image/png;base64,{TINY_PNG_DATA}"
       id="image1"
       x="2"
       y="2" />
    <text
       xml:space="preserve"
       style="font-size:14.1111px;line-height:1.25;font-family:sans-serif;text-align:center;text-anchor:middle"
       x="52.916668"
       y="60"
       id="text1"><tspan
         sodipodi:role="line"
         id="tspan1"
         style="stroke-width:0.264583"
         x="52.916668"
         y="60">E</tspan></text>
  </g>
</svg>
"""


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a temporary directory."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def upload_artwork(program, media, client):
    """Post the engineer track's admin form with an SVG upload as a superuser; the form's errors."""
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    track = Track.objects.get(slug="engineer")
    url = reverse("admin:openedx_distinguished_track_change", args=[track.pk])
    form = client.get(url).context["adminform"].form
    fields = {name: value for name, value in form.initial.items()
              if value is not None and name not in ("badge_png", "badge_svg", "retention_activity_types")}

    def upload(svg):
        response = client.post(url, {
            **fields, "program": track.program_id, "retention_activity_types": "[]",
            "criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0",
            "incentives-TOTAL_FORMS": "0", "incentives-INITIAL_FORMS": "0",
            "badge_svg": SimpleUploadedFile("badge.svg", svg if isinstance(svg, bytes) else svg.encode(),
                                            content_type="image/svg+xml")})
        if response.status_code == 302:
            return {}
        assert response.status_code == 200
        return response.context["adminform"].form.errors
    return upload


@pytest.mark.parametrize("name", REFUSED_SVG)
def test_the_admin_refuses_artwork_that_does_more_than_draw(upload_artwork, name):
    errors = upload_artwork(REFUSED_SVG[name])
    assert "badge_svg" in errors, name
    assert not Track.objects.get(slug="engineer").badge_svg


@pytest.mark.parametrize("name", OBFUSCATED_SVG)
def test_the_admin_refuses_outside_references_however_written(upload_artwork, name):
    """Fails with openedx_distinguished/artwork.py as it stands: it matches the text, not what a browser reads."""
    assert "badge_svg" in upload_artwork(OBFUSCATED_SVG[name]), name
    assert not Track.objects.get(slug="engineer").badge_svg


@pytest.mark.parametrize("path", sorted(SHIPPED_ART.glob("*.svg")), ids=lambda path: path.name)
def test_the_admin_accepts_the_shipped_artwork(upload_artwork, path):
    assert upload_artwork(path.read_bytes()) == {}
    assert Track.objects.get(slug="engineer").badge_svg


def test_the_admin_accepts_an_inkscape_drawing_and_it_is_served(upload_artwork, anonymous):
    assert upload_artwork(INKSCAPE_SVG) == {}
    served = anonymous.get("/distinguished/badges/art/engineer.svg")
    assert served.status_code == 200 and served.content == INKSCAPE_SVG.encode()


@pytest.mark.parametrize("kind, content", [
    ("svg", REFUSED_SVG["script"].encode()),
    ("svg", REFUSED_SVG["external-image"].encode()),
    ("png", b"GIF89a not a png"),
])
def test_artwork_uploaded_before_the_check_is_not_served(member, media, anonymous, kind, content):
    track = Track.objects.get(slug="engineer")
    getattr(track, f"badge_{kind}").save(f"old.{kind}", ContentFile(content))  # straight to storage, no form
    shipped = (SHIPPED_ART / f"engineer.{kind}").read_bytes()
    assert anonymous.get(f"/distinguished/badges/art/engineer.{kind}").content == shipped
    pid = str(Credential.objects.get().public_id)
    baked = anonymous.get(f"/distinguished/badges/{pid}/v2.{kind}")
    assert baked.status_code == 200 and content not in baked.content
    if kind == "svg":
        assert b"<script" not in baked.content and b"evil" not in baked.content


def test_artwork_that_passes_the_check_is_served(program, media, anonymous):
    track = Track.objects.get(slug="engineer")
    track.badge_svg.save("new.svg", ContentFile(INKSCAPE_SVG.encode()))
    assert anonymous.get("/distinguished/badges/art/engineer.svg").content == INKSCAPE_SVG.encode()


# Found while writing these tests: each fails until its fix -------------------------------------

def test_a_lone_surrogate_in_an_imported_row_is_refused(import_rows):
    """
    JSON carries lone surrogates ("\\ud800"); the import's rows are not read by DRF's CharField, which
    refuses them, and no database stores them: refused per row and field, not a 500.
    """
    for column in ("external_id", "username", "title", "description"):
        response = import_rows([good_row(1, **{column: "A\ud800B"})])  # the test client sends it escaped
        rows = json_error(response, 400, "rows")["rows"]
        assert rows[0].startswith(f"Row 1: {column}:"), rows
    assert not Activity.objects.exists()


def test_a_lone_surrogate_in_a_field_name_is_refused(cycle, as_user):
    """A refused value under a key with a lone surrogate: the error names that key, and must still render."""
    response = create_nomination(as_user("nominator"), justifications={"\ud800": ["not text"]})
    json_error(response, 400, "justifications")
    assert not Nomination.objects.exists()


def test_the_schema_answers_an_unknown_format_with_the_api_error(anonymous):
    """
    ``?format=`` picks the schema's renderer; an unknown one is the API's JSON 404, not a YAML
    document. The LMS turns the override off (``URL_FORMAT_OVERRIDE: None``): there the parameter
    means nothing and the document is served.
    """
    response = anonymous.get(f"{BASE}/schema/", {"format": "AAA"})
    if api_settings.URL_FORMAT_OVERRIDE:
        json_error(response, 404)
    else:
        assert response.status_code == 200 and response.content.startswith(b"openapi: 3")


def test_the_schema_documents_ids_and_years_in_paths_as_integers(program, anonymous):
    """``<bounded_int:...>`` is unknown to drf-spectacular, which documents it as a string unless told."""
    schema = anonymous.get(f"{BASE}/schema/", HTTP_ACCEPT="application/json").json()
    types = {(path, parameter["name"]): parameter["schema"].get("type")
             for path, operations in schema["paths"].items() for operation in operations.values()
             for parameter in operation.get("parameters", ()) if parameter["in"] == "path"
             and parameter["name"] in ("id", "year")}
    assert len(types) > 20
    assert not {key: kind for key, kind in types.items() if kind != "integer"}


# The listing: one profile, whatever the timing -----------------------------------------------

def put_listing(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client.put(f"{BASE}/me/listing/", {"listed": True}, content_type="application/json")


def test_a_drawn_slug_taken_meanwhile_is_drawn_again(users, program, monkeypatch):
    """Another member takes the drawn slug between the draw and the save: the listing draws again."""
    other = UserFactory(username="other", first_name="Learner")
    api.set_listing(user=other, listed=True, slug="taken")
    draw = presence._free_slug  # pylint: disable=protected-access
    draws = iter(["taken"])
    monkeypatch.setattr(presence, "_free_slug", lambda user, **kwargs: next(draws, None) or draw(user, **kwargs))
    response = put_listing(users["learner"])
    assert response.status_code == 200, response.content
    profile = MemberProfile.objects.get(user=users["learner"])
    assert profile.listed and profile.slug not in ("taken", "") and response.json()["slug"] == profile.slug
    assert MemberProfile.objects.get(user=other).slug == "taken"


@pytest.mark.django_db(transaction=True)
@pytest.mark.mariadb
@pytest.mark.parametrize("isolation", ["READ COMMITTED", "REPEATABLE READ"])
@pytest.mark.parametrize("namesakes", [False, True], ids=["one-person-twice", "two-namesakes"])
def test_two_listings_at_once_both_succeed(program, isolation, namesakes):
    """
    A double click or two tabs (one person twice), or two people of the same name drawing the same
    slug at once: both PUT me/listing/ succeed, with one profile each. Under Django's isolation
    level for MySQL (READ COMMITTED) and under MySQL's own default (REPEATABLE READ).
    """
    first = UserFactory(username="ada1", first_name="Ada", last_name="Lovelace")
    second = UserFactory(username="ada2", first_name="Ada", last_name="Lovelace") if namesakes else first

    def ready(user):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        with connection.cursor() as cursor:
            cursor.execute(f"SET SESSION TRANSACTION ISOLATION LEVEL {isolation}")
        return lambda: client.put(f"{BASE}/me/listing/", {"listed": True}, content_type="application/json")

    responses = race(lambda: ready(first), lambda: ready(second), prepared=True)
    assert [response.status_code for response in responses] == [200, 200], [r.content for r in responses]
    profiles = MemberProfile.objects.filter(user__in=[first, second])
    assert profiles.count() == len({first.pk, second.pk}) and all(profile.listed for profile in profiles)
    assert len({profile.slug for profile in profiles}) == profiles.count()
