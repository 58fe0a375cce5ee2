"""
Properties of reading requests, with Hypothesis: ``openedx_distinguished.parsing`` (whole numbers,
years, days, text) and the request parsers built on it, driven through the HTTP client.

Values come from tests/fuzz/strategies.py: digits of other scripts, numbers no database integer
holds, signs, padding, control and text-direction characters, JSON values of every type. Whatever
is sent, nothing answers 500: a value is read as it should be, or refused with the API's JSON
error (or the page's 400) naming its field, and a refused request writes nothing.

Generation is derandomized (the same examples on every run and in CI) and each example runs in a
savepoint that is rolled back, so that every example starts from the fixtures' state.
"""
import csv
import datetime
import io
import json
import re
import unicodedata
from contextlib import contextmanager
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from openedx_distinguished import api, parsing
from openedx_distinguished.exceptions import ValidationError
from openedx_distinguished.models import Activity, Endorsement, Nomination, Review, ReviewAssignment

from .fuzz.strategies import (
    BIDI,
    HIDDEN,
    OTHER_DIGITS,
    hostile_texts,
    huge_numbers,
    json_values,
    number_texts,
    with_one_of,
)
from .review_fixtures import full_justifications, submitted_nomination

pytestmark = pytest.mark.django_db
BASE = "/api/distinguished/v1"

settings.register_profile(
    "openedx-distinguished-parsing",
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    # The database fixtures are function-scoped on purpose: every example starts from their state
    # (each runs in a savepoint that is rolled back).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
PROFILE = settings.get_profile("openedx-distinguished-parsing")
# The pure functions are cheap: more examples.
PURE = settings(PROFILE, max_examples=300)

BIDI_CHARS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class _Rollback(Exception):
    """Raised to roll back an example's savepoint."""


@contextmanager
def rolled_back():
    """Run the block in a savepoint and roll it back, whatever it wrote."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def client_of(user=None):
    """A client (signed in as ``user``) that answers a view's exception with a 500 instead of raising it."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def api_error(response, *fields):
    """The response is a 400 with the API's JSON error: a non-empty message per field, for each of ``fields``."""
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict) and body and all(body.values()), body
    for field in fields:
        assert body.get(field), (field, body)
    return body


def expected_number(value, least=None, most=None):
    """What ``parsing.whole_number`` should read ``value`` as, or None: an int, or up to 18 ASCII digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value.strip()):
        number = int(value.strip())
    else:
        return None
    if (least is not None and number < least) or (most is not None and number > most):
        return None
    return number


def expected_text(value, most, lines):
    """What ``parsing.text`` should read ``value`` as, or None when it should refuse it."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    value = value.replace("\r\n", "\n").strip()
    allowed = "\n\t\r" if lines else ""
    if any((unicodedata.category(char) == "Cc" and char not in allowed) or char in BIDI_CHARS for char in value):
        return None
    return value if len(value) <= most else None


def refused_on(call, field):
    """Call; it must raise ValidationError with messages for ``field`` only. Returns whether it did."""
    try:
        call()
    except ValidationError as exc:
        assert list(exc.errors) == [field] and exc.errors[field], exc.errors
        assert all(isinstance(message, str) and message for message in exc.errors[field])
        return True
    return False


# parsing, as functions -----------------------------------------------------------------------

anything = st.one_of(number_texts, hostile_texts, json_values, st.integers(), huge_numbers)


@PURE
@given(value=anything, least=st.none() | st.integers(-5, 5), most=st.none() | st.integers(5, 10 ** 20))
def test_whole_number_reads_only_whole_numbers(value, least, most):
    expected = expected_number(value, least, most)
    try:
        number = parsing.whole_number(value, field="n", least=least, most=most)
    except ValidationError as exc:
        assert expected is None, (value, exc.errors)
        assert list(exc.errors) == ["n"] and exc.errors["n"]
    else:
        assert isinstance(number, int) and not isinstance(number, bool) and number == expected, (value, number)


@PURE
@given(value=st.one_of(anything, st.integers(1800, 2300), st.integers(1800, 2300).map(str)))
def test_year_is_a_year_of_the_program(value):
    expected = expected_number(value, parsing.FIRST_YEAR, parsing.LAST_YEAR)
    try:
        year = parsing.year(value)
    except ValidationError as exc:
        assert expected is None and list(exc.errors) == ["year"], (value, exc.errors)
    else:
        assert year == expected and parsing.FIRST_YEAR <= year <= parsing.LAST_YEAR


@PURE
@given(day=st.dates())
def test_day_reads_a_date_as_written(day):
    assert parsing.day(day.isoformat(), field="d") == day
    assert parsing.day(f" {day.isoformat()}\n", field="d") == day
    assert parsing.day(day, field="d") == day
    assert parsing.day(datetime.datetime.combine(day, datetime.time(23, 59)), field="d") == day


@PURE
@given(value=st.one_of(anything, st.dates().map(str)))
def test_day_is_a_date_or_refused_on_its_field(value):
    try:
        day = parsing.day(value, field="d")
    except ValidationError as exc:
        assert list(exc.errors) == ["d"]
    else:
        assert not isinstance(day, datetime.datetime) and isinstance(day, datetime.date) and isinstance(value, str)


@PURE
@given(value=st.one_of(hostile_texts, json_values, with_one_of(st.text(max_size=5), BIDI)),
       most=st.integers(0, 40), lines=st.booleans())
def test_text_is_plain_text_or_refused_on_its_field(value, most, lines):
    expected = expected_text(value, most, lines)
    try:
        text = parsing.text(value, field="t", most=most, lines=lines)
    except ValidationError as exc:
        assert expected is None, (value, exc.errors)
        assert list(exc.errors) == ["t"] and exc.errors["t"]
    else:
        assert text == expected, (value, text)
        assert not parsing.has_hidden_characters(text, lines=lines) and len(text) <= most


@PURE
@given(text=st.text(max_size=20), char=HIDDEN, lines=st.booleans())
def test_hidden_characters_are_found_anywhere(text, char, lines):
    assume(not (lines and char in "\n\t\r"))
    for at in (0, len(text) // 2, len(text)):
        assert parsing.has_hidden_characters(text[:at] + char + text[at:], lines=lines)


# Years in query strings ----------------------------------------------------------------------

@pytest.fixture
def staff_client(users):
    """Program staff, who may call every endpoint."""
    return client_of(users["staff"])


years = st.integers(parsing.FIRST_YEAR - 50, parsing.LAST_YEAR + 50).map(str)


@pytest.mark.parametrize("endpoint", ["page", "feed", "initiatives", "kpis"])
@PROFILE
@given(value=st.one_of(years, years.map(lambda year: f" {year}\t"), number_texts, hostile_texts))
@example(value="²")
@example(value="9" * 5000)
def test_a_year_filter_is_a_year_or_a_400_on_its_field(cycle, staff_client, endpoint, value):
    path = {"page": "/distinguished/", "feed": "/distinguished/feed.json", "initiatives": f"{BASE}/initiatives/",
            "kpis": f"{BASE}/kpis/"}[endpoint]
    response = staff_client.get(path, {"year": value})
    event(f"status {response.status_code}")
    # The KPIs read every year given (an empty one too); the others ignore an empty filter.
    ignored = value == "" and endpoint != "kpis"
    if ignored or expected_number(value, parsing.FIRST_YEAR, parsing.LAST_YEAR) is not None:
        assert response.status_code == 200, (value, response.status_code, response.content[:300])
    elif endpoint == "page":
        assert response.status_code == 400 and b'id="year-error"' in response.content, (value, response.status_code)
    else:
        api_error(response, "year")


# Numbers in paths ------------------------------------------------------------------------------

path_numbers = st.one_of(number_texts, st.integers(0, 10 ** 30).map(str), st.just("2026"))


@PROFILE
@given(value=path_numbers)
@example(value="9" * 20)
@example(value="²")
def test_a_cycle_path_takes_only_ascii_digits(cycle, staff_client, value):
    """The API's cycle and the review workspace's scoreboard of a year: 2026 is found, anything else is a 404."""
    routed = re.fullmatch(r"[0-9]{1,18}", value) is not None
    exists = routed and int(value) == 2026
    response = staff_client.get(f"{BASE}/cycles/{quote(value, safe='')}/")
    if exists:
        assert response.status_code == 200 and response.json()["year"] == 2026
    else:
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json"), value
        # A number the route takes names the cycle that is not there; anything else is no endpoint at all.
        assert response.json().get("cycle" if routed else "detail"), (value, response.content)
    page = staff_client.get(f"/distinguished/review/cycles/{quote(value, safe='')}/scoreboard/")
    event(f"status {response.status_code}")
    assert page.status_code == (200 if exists else 404), (value, page.status_code)


# The activity import -----------------------------------------------------------------------------

IMPORT_COLUMNS = ("external_id", "username", "activity_type", "title", "occurred_on", "evidence_url", "description")
REQUIRED = IMPORT_COLUMNS[:5]
GOOD = {"external_id": st.sampled_from(["ext-1", "ext-2", " ext-3 "]),
        "username": st.sampled_from(["learner", "nominee"]),
        "activity_type": st.sampled_from(["talk", "event"]), "title": st.sampled_from(["A talk", "Summit"]),
        "occurred_on": st.sampled_from(["2025-03-01", "2024-12-31"]),
        "evidence_url": st.sampled_from(["", "https://example.org/talk"]),
        "description": st.sampled_from(["", "Slides.\nRecording.", "Line\r\n\tindented"])}


def column(name):
    """A good value of the column, often; else anything JSON carries."""
    return st.one_of(GOOD[name], GOOD[name], json_values, hostile_texts)


good_rows = st.fixed_dictionaries({name: GOOD[name] for name in REQUIRED},
                                  optional={name: GOOD[name] for name in IMPORT_COLUMNS[5:]})


@st.composite
def one_bad_column(draw):
    """A good row with one column missing, hostile, or of another JSON type."""
    row, name = draw(good_rows), draw(st.sampled_from(IMPORT_COLUMNS))
    if draw(st.booleans()):
        row.pop(name, None)
    else:
        row[name] = draw(st.one_of(json_values, hostile_texts), label=name)
    return row


def _numbered(drawn):
    """The rows, each good external id made unique (a repeated one is refused, rightly, but says nothing new)."""
    return [{**row, "external_id": f"ext-{number}"} if row.get("external_id") in ("ext-1", "ext-2", " ext-3 ")
            else row for number, row in enumerate(drawn)]


rows = st.lists(st.one_of(good_rows, one_bad_column(),
                          st.fixed_dictionaries({}, optional={name: column(name) for name in IMPORT_COLUMNS})),
                min_size=1, max_size=3).map(_numbered)


def surely_refused(name, value):
    """Whether the import must refuse this value of column ``name`` (whatever the rest of its row)."""
    if value is None:
        return name in REQUIRED
    return expected_text(value, 5000, lines=name == "description") is None


@pytest.fixture
def import_client(program, users):
    """Program staff, who import activities."""
    return client_of(users["staff"])


@PROFILE
@given(body=st.one_of(st.fixed_dictionaries({"rows": st.lists(good_rows, min_size=1, max_size=3).map(_numbered)}),
                      st.fixed_dictionaries({"rows": rows}), st.fixed_dictionaries({"rows": json_values}), json_values))
@example(body={"rows": [{"external_id": 5, "username": ["learner"], "activity_type": {"a": 1}, "title": None,
                         "occurred_on": 2025}]})
def test_the_activity_import_names_each_bad_row_and_writes_nothing(import_client, body):
    with rolled_back():
        before = Activity.objects.count()
        response = import_client.post(f"{BASE}/activities/import/", json.dumps(body),
                                      content_type="application/json")
        event(f"status {response.status_code}")
        assert response.status_code in (200, 400), (body, response.status_code, response.content[:300])
        if response.status_code == 400:
            api_error(response)
            assert Activity.objects.count() == before
        else:
            counts = response.json()
            assert counts["created"] + counts["skipped"] == len(body["rows"])
            assert Activity.objects.count() == before + counts["created"]
        if not (isinstance(body, dict) and isinstance(body.get("rows"), list) and body["rows"]
                and all(isinstance(row, dict) for row in body["rows"])):
            return
        for number, row in enumerate(body["rows"], start=1):
            bad = [name for name in IMPORT_COLUMNS if surely_refused(name, row.get(name))]
            if bad:
                messages = api_error(response, "rows")["rows"]
                line = next((m for m in messages if m.startswith(f"Row {number}: ")), None)
                assert line is not None, (number, row, messages)
                assert all(f"{name}: " in line for name in bad), (bad, line)


# The nomination create body --------------------------------------------------------------------

LINKS = st.lists(st.one_of(st.just("https://example.org/work"), hostile_texts.map(lambda t: f"https://example.org/{t}"),
                           json_values), max_size=3)


def good_nomination():
    """A body that starts a nomination of the nominee."""
    return {"cycle": 2026, "track": "engineer", "nominee_username": "nominee",
            "justifications": full_justifications(), "evidence_links": ["https://example.org/work"]}


@st.composite
def nomination_bodies(draw):
    """
    A body to start a nomination: a good one with one field made hostile or of another JSON type,
    or one whose every field may be.
    """
    good = good_nomination()
    slugs = sorted(good["justifications"])
    hostile = {
        "cycle": st.one_of(st.integers(-(2 ** 70), 2 ** 70), number_texts, json_values),
        "track": st.one_of(hostile_texts, json_values),
        "nominee_username": st.one_of(hostile_texts, json_values),
        "justifications": st.one_of(
            st.dictionaries(st.sampled_from(slugs), st.one_of(hostile_texts, json_values), min_size=1, max_size=3)
            .map(lambda changed: {**good["justifications"], **changed}),
            json_values),
        "evidence_links": st.one_of(LINKS, json_values),
    }
    mode = draw(st.sampled_from(["benign", "one", "any"]))
    if mode == "benign":
        # What a client may well send: the year as text, padding, line breaks, fewer links.
        return {**good, "cycle": draw(st.sampled_from([2026, "2026", " 2026 "])),
                "justifications": {slug: draw(st.sampled_from([text, f"{text}\r\nMore.", f"  {text}\n\t- a list"]))
                                   for slug, text in good["justifications"].items()},
                "evidence_links": draw(st.lists(st.sampled_from(["https://example.org/a", " http://example.org/b "]),
                                                max_size=3))}
    if mode == "one":
        field = draw(st.sampled_from(sorted(hostile)))
        return {**good, field: draw(hostile[field], label=field)}
    return {field: draw(st.one_of(st.just(value), hostile[field]), label=field) for field, value in good.items()}


def surely_refused_nomination(body):
    """Fields the body must be refused on, whatever the others (a subset of what is wrong with it)."""
    fields = set()
    cycle = body["cycle"]
    if cycle is None or isinstance(cycle, (list, dict)) or (
            isinstance(cycle, int) and not isinstance(cycle, bool)
            and not parsing.FIRST_YEAR <= cycle <= parsing.LAST_YEAR):
        fields.add("cycle")
    links = body.get("evidence_links")
    if isinstance(links, list) and any(isinstance(link, str) and expected_text(link, 10 ** 6, False) is None
                                       for link in links):
        fields.add("evidence_links")
    justifications = body.get("justifications")
    if isinstance(justifications, dict) and any(isinstance(text, str) and expected_text(text, 10 ** 6, True) is None
                                                for text in justifications.values()):
        fields.add("justifications")
    return fields


@PROFILE
@given(body=nomination_bodies())
@example(body={"cycle": 10 ** 30, "track": "engineer", "nominee_username": "nominee"})
def test_a_nomination_body_is_read_or_refused_per_field(cycle, users, body):
    client = client_of(users["nominator"])
    good = good_nomination()
    with rolled_back():
        before = (Nomination.objects.count(), Endorsement.objects.count())
        response = client.post(f"{BASE}/nominations/", json.dumps(body), content_type="application/json")
        event(f"status {response.status_code}")
        assert response.status_code in (201, 400), (body, response.status_code, response.content[:300])
        refused = surely_refused_nomination(body)
        if response.status_code == 201:
            assert not refused, (body, response.json())
            assert Nomination.objects.count() + Endorsement.objects.count() == sum(before) + 1
            return
        errors = api_error(response)
        assert (Nomination.objects.count(), Endorsement.objects.count()) == before
        for field in refused:
            if all(body.get(other) == value for other, value in good.items() if other != field):
                # The one bad field is named; a justification under its criterion ("justifications.<slug>").
                assert any(key == field or key.startswith(f"{field}.") for key in errors), (field, errors)


# Review scores and the assignments CSV -------------------------------------------------------

@pytest.fixture
def in_review(cycle, users, panels):
    """A nomination in review, assigned to rev1."""
    nomination = submitted_nomination(users["nominator"], users["nominee"])
    api.assign_reviewer(nomination_id=nomination.id, reviewer_username="rev1", actor=None)
    return nomination


score_values = st.one_of(st.sampled_from("12345"), number_texts, hostile_texts)


@PROFILE
@given(base=st.sampled_from("12345"), changes=st.lists(score_values, max_size=6))
@example(base="4", changes=["²"])
@example(base="4", changes=["9" * 5000])
@example(base="4", changes=["٣"])
def test_review_scores_are_numbers_from_1_to_5_or_the_page_says_so(in_review, panels, base, changes):
    """A score for every criterion, ``base``; the first ones replaced by ``changes``."""
    slugs = sorted(c.slug for c in api.get_track_data(slug="engineer").criteria)
    scores = {slug: base for slug in slugs}
    scores.update(zip(slugs, changes))
    client = client_of(panels["rev1"])
    with rolled_back():
        response = client.post(
            reverse("openedx_distinguished:pages:review-sheet", args=[in_review.id]),
            urlencode({**{f"score-{slug}": value for slug, value in scores.items()}, "recommendation": "accept"}),
            content_type="application/x-www-form-urlencoded")
        valid = all(re.fullmatch(r"[1-5]", value) for value in scores.values())
        event(f"status {response.status_code}")
        assert response.status_code == (302 if valid else 400), (scores, response.status_code)
        assert Review.objects.exists() == valid


@PROFILE
@given(raw_id=st.one_of(number_texts, hostile_texts, st.just("{id}"), st.just(" {id} ")))
@example(raw_id="²")
def test_an_assignment_id_is_ascii_digits_or_its_line_is_refused(in_review, panels, raw_id):
    raw_id = raw_id.replace("{id}", str(in_review.id))
    out = io.StringIO()
    csv.writer(out).writerows([["nomination_id", "reviewer"], [raw_id, "rev2"]])
    client = client_of(panels["chair"])
    with rolled_back():
        before = ReviewAssignment.objects.count()
        response = client.post(f"{BASE}/review/cycles/2026/assignments.csv", {"csv": out.getvalue()},
                               content_type="application/json")
        event(f"status {response.status_code}")
        if expected_number(raw_id) == in_review.id:
            assert response.status_code == 200 and ReviewAssignment.objects.count() == before + 1, raw_id
        else:
            api_error(response)
            assert ReviewAssignment.objects.count() == before, raw_id


# Digits of other scripts read by int() -----------------------------------------------------------

@PURE
@given(digits=st.text(OTHER_DIGITS, min_size=1, max_size=4))
def test_digits_of_other_scripts_are_not_numbers(digits):
    """int() reads "٢٠٢٦" as 2026; the plugin reads ASCII digits only."""
    assert refused_on(lambda: parsing.whole_number(digits, field="n"), "n")
    assert refused_on(lambda: parsing.year(digits), "year")
