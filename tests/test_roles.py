"""
The role matrix: the pages, endpoints and admin actions that act on a nomination, its review, an
endorsement or an award, each tried by every role that could misuse it.

``TABLE`` is the rule book as the tests read it: one row per action, with the roles it allows
and the roles it forbids; every other signed-in role must find the object hidden (ADR 0012).
Each verdict is checked on every channel of its row from the same row:

* allowed: the page answers 200 (or redirects after its form), the endpoint 2xx, and a write
  writes;
* hidden: the page and the endpoint answer 404, as for an unknown id, and nothing changes;
* forbidden: the page and the endpoint answer 403, and nothing changes;
* anonymous: the page sends to ``settings.LOGIN_URL`` with ``next=``, the endpoint answers 401.

Each row also asks the rule book itself (``access``) for each signed-in role, and
``test_the_table_is_the_rule_book`` derives the verdicts of the rule-book rows from
``access.NOMINATION_RULES`` and ``access.REVIEW_RULES``: changing the rule book without the
table fails here. ``test_pages_offer_what_the_rule_book_allows`` checks that the pages show the
buttons and forms of exactly the actions the rule book allows, and ``test_admin_actions`` that
the admin's actions change something for its superuser only.

Every call of a row meets the same state: each runs in a savepoint that is rolled back. The
people are the same in every state: ``reviewer`` (rev1) is assigned where the status allows it,
``conflicted`` (rev2) was assigned where it allows it and declared a conflict, ``panel`` (rev4)
sits on the panel unassigned, ``endorser`` supports the nomination, and once the cycle is
released the nominee holds the credential and the physical award.
"""
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import transaction

from openedx_distinguished import access, api
from openedx_distinguished.access import NominationAction, ReviewAction
from openedx_distinguished.models import (
    Activity,
    Credential,
    Decision,
    DeclaredConflict,
    Deliverable,
    Endorsement,
    Fulfilment,
    MembershipTerm,
    Nomination,
    Review,
    ReviewAssignment,
)

from .factories import UserFactory
from .review_fixtures import at_announcement, full_justifications, score_all

pytestmark = pytest.mark.django_db

BASE = "/api/distinguished/v1"
PAGES = "/distinguished"

# The roles of the brief, then those some rows add.
ROLES = ("anonymous", "learner", "nominee", "nominator", "reviewer", "conflicted", "chair", "staff")
PANEL = "panel"  # a member of the nomination's panel who is not assigned to it
ENDORSER = "endorser"

ALLOW, HIDE, FORBID, SIGN_IN = "allowed", "hidden", "forbidden", "sign in"


# The calls ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    """One request of a row: a page or an endpoint, what it sends and what it answers when allowed."""

    label: str
    method: str
    url: str  # formatted with the state's ids
    ok: int
    data: Callable | None = None  # (state): the body
    writes: bool = False

    @property
    def page(self):
        """Whether the call is a page's (else an endpoint's)."""
        return self.url.startswith(PAGES)


def page_get(url, ok=200):
    """A page opened (GET)."""
    return Call("page GET", "get", PAGES + url, ok)


def page_post(url, data=None, ok=302, label="page POST"):
    """A page's form posted: when allowed, it redirects after writing."""
    return Call(label, "post", PAGES + url, ok, data, writes=True)


def rest(method, url, ok=200, data=None, writes=None, label=None):
    """An endpoint of the v1 REST API, with a JSON body; anything but GET writes."""
    return Call(label or f"REST {method.upper()}", method, BASE + url, ok, data,
                writes=method != "get" if writes is None else writes)


def case_form(action):
    """The page's case form, posted with ``action`` (draft or submit)."""
    def data(state):
        form = {f"justification-{slug}": f"{text} Edited." for slug, text in full_justifications().items()}
        return {**form, "evidence": "https://example.org/edited", "action": action}
    return data


def review_form(state):
    """The review sheet's review form, every criterion scored."""
    form = {f"score-{slug}": str(score) for slug, score in score_all("engineer", 4).items()}
    return {**form, "recommendation": "accept", "panel_comments": "Solid.", "nominee_feedback": ""}


DECISION = {"outcome": "accept", "rationale": "Clear case.", "feedback": "", "override_reason": "One reviewer left."}
REOPEN = {"reason": "A conflict of interest came to light."}
ADDRESS = {"name": "N. Nominee", "address": "1 Apollo Way, Boston"}
ACTIVITY = {"activity_type": "event", "title": "Spoke at a meetup", "occurred_on": "2026-05-01"}


# The table ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One action: the state it needs, who may take it, its calls, the rule book's check and what it changes."""

    name: str
    state: str
    allowed: frozenset
    forbidden: frozenset
    calls: tuple
    check: Callable  # (state, user): the rule book's check, raising Hidden or Forbidden
    effect: Callable  # (state): a snapshot of what the action changes
    action: object = None  # the NominationAction or ReviewAction it is, if it is one
    extra_roles: tuple = ()

    @property
    def roles(self):
        """The roles the row is tried with."""
        return ROLES + self.extra_roles

    def verdict(self, role):
        """What the table says of ``role``: allowed, forbidden, hidden, or (anonymous) sign in."""
        if role == "anonymous":
            return SIGN_IN
        if role in self.allowed:
            return ALLOW
        return FORBID if role in self.forbidden else HIDE


def on_nomination(action):
    """The rule book's check of a nomination action."""
    return lambda state, user: access.check_nomination(user=user, nomination_id=state.nomination, action=action)


def in_review(action):
    """The rule book's check of a review action."""
    return lambda state, user: access.check_review(user=user, nomination_id=state.nomination, action=action)


def nomination_row(state):
    """The nomination's status and case, and how many nominations there are."""
    return Nomination.objects.filter(pk=state.nomination).values_list(
        "status", "justifications", "evidence_links").get(), Nomination.objects.count()


def review_state(state):
    """Assignments, conflicts, reviews and decisions, and the nomination."""
    return (sorted(ReviewAssignment.objects.values_list("reviewer__username", flat=True)),
            sorted(DeclaredConflict.objects.values_list("reviewer__username", flat=True)),
            list(Review.objects.values_list("reviewer__username", "recommendation")),
            list(Decision.objects.values_list("outcome", "rationale")), nomination_row(state))


def endorsement_state(state):
    """The endorsements (withdrawn or not) and the nomination."""
    return list(Endorsement.objects.values_list("pk", "withdrawn_at")), nomination_row(state)


def award_state(state):
    """The award's shipping, the incentives owed, the activities, the credentials and the terms."""
    return (list(Fulfilment.objects.values_list("shipping_name", "shipping_address", "status")),
            sorted(Deliverable.objects.values_list("pk", "status", "owner_id", "due_on", "notes", "answered_at")),
            list(Activity.objects.values_list("title", "status")),
            list(Credential.objects.values_list("revoked_at")), list(MembershipTerm.objects.values_list("status")))


S = frozenset
EVERYONE_SIGNED_IN = S(ROLES) - {"anonymous"}
IN_REVIEW_ROLES = (PANEL, ENDORSER)

TABLE = (
    Row("view nomination", "in_review", allowed=S({"nominator", "nominee", "staff"}), forbidden=S(),
        action=NominationAction.VIEW, extra_roles=IN_REVIEW_ROLES,
        calls=(page_get("/nominations/{nomination}/"), rest("get", "/nominations/{nomination}/")),
        check=on_nomination(NominationAction.VIEW), effect=nomination_row),
    Row("edit draft", "draft", allowed=S({"nominator"}), forbidden=S({"staff"}),
        action=NominationAction.EDIT, extra_roles=(PANEL,),
        calls=(page_get("/nominations/{nomination}/edit/"),
               page_post("/nominations/{nomination}/edit/", case_form("draft")),
               rest("patch", "/nominations/{nomination}/", data=lambda w: {
                   "evidence_links": ["https://example.org/edited"]})),
        check=on_nomination(NominationAction.EDIT), effect=nomination_row),
    Row("submit draft", "draft", allowed=S({"nominator"}), forbidden=S({"staff"}),
        action=NominationAction.SUBMIT, extra_roles=(PANEL,),
        calls=(page_post("/nominations/{nomination}/edit/", case_form("submit")),
               rest("post", "/nominations/{nomination}/submit/")),
        check=on_nomination(NominationAction.SUBMIT), effect=nomination_row),
    Row("withdraw nomination", "in_review", allowed=S({"nominator", "nominee", "staff"}), forbidden=S(),
        action=NominationAction.WITHDRAW, extra_roles=IN_REVIEW_ROLES,
        calls=(page_get("/nominations/{nomination}/withdraw/"),
               page_post("/nominations/{nomination}/withdraw/", lambda w: {"reason": "Changed my mind."}),
               rest("post", "/nominations/{nomination}/withdraw/", data=lambda w: {"reason": "Changed my mind."})),
        check=on_nomination(NominationAction.WITHDRAW), effect=nomination_row),
    Row("answer consent", "awaiting_consent", allowed=S({"nominee"}), forbidden=S({"nominator", "staff"}),
        action=NominationAction.CONSENT, extra_roles=(PANEL,),
        calls=(page_get("/nominations/{nomination}/consent/?answer=accept"),
               page_post("/nominations/{nomination}/consent/", lambda w: {"answer": "accept"}),
               rest("post", "/nominations/{nomination}/consent/", data=lambda w: {"decision": "accept"})),
        check=on_nomination(NominationAction.CONSENT), effect=nomination_row),
    Row("read review sheet", "in_review", allowed=S({"reviewer", "chair", "staff"}), forbidden=S({PANEL}),
        action=ReviewAction.READ, extra_roles=IN_REVIEW_ROLES,
        calls=(page_get("/review/nominations/{nomination}/"), rest("get", "/review/nominations/{nomination}/")),
        check=in_review(ReviewAction.READ), effect=review_state),
    Row("review", "in_review", allowed=S({"reviewer"}), forbidden=S({PANEL, "chair", "staff"}),
        action=ReviewAction.REVIEW, extra_roles=IN_REVIEW_ROLES,
        calls=(page_post("/review/nominations/{nomination}/", review_form),
               rest("put", "/review/nominations/{nomination}/review/", data=lambda w: {
                   "scores": score_all("engineer", 4), "recommendation": "accept", "panel_comments": "Solid."})),
        check=in_review(ReviewAction.REVIEW), effect=review_state),
    Row("declare conflict", "in_review", allowed=S({"reviewer", PANEL, "chair"}), forbidden=S({"staff"}),
        action=ReviewAction.DECLARE_CONFLICT, extra_roles=IN_REVIEW_ROLES,
        calls=(page_get("/review/nominations/{nomination}/conflict/"),
               page_post("/review/nominations/{nomination}/conflict/",
                         lambda w: {"reason": "Former colleague.", "confirm": "yes"}),
               rest("post", "/review/nominations/{nomination}/conflict/", ok=201,
                    data=lambda w: {"reason": "Former colleague."})),
        check=in_review(ReviewAction.DECLARE_CONFLICT), effect=review_state),
    Row("assign reviewers", "in_review", allowed=S({"chair", "staff"}), forbidden=S({"reviewer", PANEL}),
        action=ReviewAction.ASSIGN, extra_roles=IN_REVIEW_ROLES,
        calls=(page_post("/review/cycles/2026/nominations/{nomination}/reviewers/add/", lambda w: {"reviewer": "rev4"},
                         label="page POST assign"),
               page_post("/review/cycles/2026/nominations/{nomination}/reviewers/remove/",
                         lambda w: {"reviewer": "rev1"}, label="page POST unassign"),
               rest("post", "/review/nominations/{nomination}/assignments/", ok=201, data=lambda w: {
                   "reviewer": "rev4"}, label="REST POST assign"),
               rest("delete", "/review/nominations/{nomination}/assignments/rev1/", ok=204,
                    label="REST DELETE unassign")),
        check=in_review(ReviewAction.ASSIGN), effect=review_state),
    Row("decide", "in_review", allowed=S({"chair", "staff"}), forbidden=S({"reviewer", PANEL}),
        action=ReviewAction.DECIDE, extra_roles=IN_REVIEW_ROLES,
        calls=(page_post("/review/nominations/{nomination}/decision/", lambda w: DECISION),
               rest("post", "/review/nominations/{nomination}/decision/", data=lambda w: DECISION)),
        check=in_review(ReviewAction.DECIDE), effect=review_state),
    # Taking back a pending decision is program staff's alone (audited); the chair then decides again.
    Row("reopen decision", "decided", allowed=S({"staff"}), forbidden=S({"reviewer", PANEL, "chair"}),
        action=ReviewAction.REOPEN, extra_roles=IN_REVIEW_ROLES,
        calls=(page_post("/review/nominations/{nomination}/decision/reopen/", lambda w: REOPEN),
               rest("post", "/review/nominations/{nomination}/decision/reopen/", ok=204, data=lambda w: REOPEN)),
        check=in_review(ReviewAction.REOPEN), effect=review_state),
    # Running the review of a cycle: only chairs (their tracks) and program staff; nothing is hidden.
    Row("run the cycle's review", "in_review", allowed=S({"chair", "staff"}),
        forbidden=EVERYONE_SIGNED_IN - {"chair", "staff"} | {PANEL, ENDORSER}, extra_roles=IN_REVIEW_ROLES,
        calls=(page_get("/review/cycles/2026/scoreboard/"),
               rest("get", "/review/cycles/2026/scoreboard/", label="REST GET scoreboard"),
               rest("get", "/review/cycles/2026/conflicts/", label="REST GET conflicts"),
               rest("get", "/review/cycles/2026/assignments.csv", label="REST GET assignments.csv"),
               rest("post", "/review/cycles/2026/auto-assign/", label="REST POST auto-assign"),
               page_post("/review/cycles/2026/auto-assign/", label="page POST auto-assign")),
        check=lambda state, user: access.review_scope(user=user), effect=review_state),
    # The release publishes every track's decisions: program staff, or a chair of every track of
    # the cycle (ADR 0015). The matrix's chair chairs two of the three tracks.
    Row("release the announcement", "due", allowed=S({"staff"}), forbidden=EVERYONE_SIGNED_IN - {"staff"} | {
        PANEL, ENDORSER}, extra_roles=IN_REVIEW_ROLES,
        calls=(page_get("/review/cycles/2026/release/"),
               page_post("/review/cycles/2026/release/", ok=200, label="page POST release"),
               rest("post", "/review/cycles/2026/release/", label="REST POST release")),
        check=lambda state, user: access.check_release(user=user, cycle_year=2026), effect=review_state),
    # What only program staff read. The audit log and ``scope=all`` check ``api.is_program_staff``
    # in the view rather than through ``access.check_staff``; the answers must be the same.
    Row("read program reports", "in_review", allowed=S({"staff"}), forbidden=EVERYONE_SIGNED_IN - {"staff"} | {
        PANEL, ENDORSER}, extra_roles=IN_REVIEW_ROLES,
        calls=(rest("get", "/review/cycles/2026/audit/", label="REST GET audit log"),
               rest("get", "/nominations/?scope=all", label="REST GET every nomination"),
               rest("get", "/terms/?username=rev3", label="REST GET someone's terms"),
               rest("get", "/activities/?username=rev3", label="REST GET someone's activities"),
               rest("get", "/kpis/", label="REST GET kpis"),
               rest("get", "/budget/2026/", label="REST GET budget")),
        check=lambda state, user: access.check_staff(user=user), effect=review_state),
    Row("withdraw endorsement", "in_review", allowed=S({ENDORSER, "staff"}), forbidden=S(),
        extra_roles=IN_REVIEW_ROLES,
        calls=(page_get("/endorsements/{endorsement}/withdraw/"),
               page_post("/endorsements/{endorsement}/withdraw/"),
               rest("post", "/endorsements/{endorsement}/withdraw/")),
        check=lambda state, user: access.check_endorser(user=user, endorsement_id=state.endorsement),
        effect=endorsement_state),
    # The holder downloads the certificate from the page only; the API lists its link.
    Row("download certificate", "awarded", allowed=S({"nominee", "staff"}), forbidden=S(), extra_roles=(PANEL,),
        calls=(page_get("/certificates/{public_id}.pdf"),),
        check=lambda state, user: access.check_credential_holder(user=user, public_id=state.public_id),
        effect=award_state),
    Row("give the award's address", "awarded", allowed=S({"nominee"}), forbidden=S(), extra_roles=(PANEL,),
        calls=(page_post("/membership/", lambda w: {"form": "address", "fulfilment": w.fulfilment, **ADDRESS}),
               rest("put", "/fulfilments/{fulfilment}/address/", data=lambda w: ADDRESS)),
        check=lambda state, user: access.check_fulfilment_holder(user=user, fulfilment_id=state.fulfilment),
        effect=award_state),
    Row("report an activity", "awarded", allowed=S({"nominee"}), forbidden=EVERYONE_SIGNED_IN - {"nominee"} | {PANEL},
        extra_roles=(PANEL,),
        calls=(page_post("/membership/", lambda w: {"form": "activity", **ACTIVITY}),
               rest("post", "/activities/", ok=201, data=lambda w: ACTIVITY)),
        check=lambda state, user: access.check_member(user=user), effect=award_state),
    Row("answer an incentive offer", "awarded", allowed=S({"nominee"}), forbidden=S(), extra_roles=(PANEL,),
        calls=(page_post("/membership/", lambda w: {"form": "answer", "deliverable": w.deliverable,
                                                    "answer": "accept"}),
               rest("post", "/deliverables/{deliverable}/answer/", data=lambda w: {"answer": "decline"})),
        check=lambda state, user: access.check_deliverable_holder(user=user, deliverable_id=state.deliverable),
        effect=award_state),
    # Staff-only membership endpoints (no page: program staff use the admin).
    Row("manage memberships", "awarded", allowed=S({"staff"}), forbidden=EVERYONE_SIGNED_IN - {"staff"} | {PANEL},
        extra_roles=(PANEL,),
        calls=(rest("post", "/credentials/{public_id}/revoke/", data=lambda w: {"reason": "Mistake."},
                    label="REST POST revoke credential"),
               rest("post", "/terms/{term}/revoke/", data=lambda w: {"reason": "Code of conduct."},
                    label="REST POST revoke term"),
               rest("patch", "/fulfilments/{fulfilment}/", data=lambda w: {"status": "shipped"},
                    label="REST PATCH fulfilment"),
               rest("patch", "/deliverables/{deliverable}/", data=lambda w: {"status": "planned", "notes": "Later."},
                    label="REST PATCH deliverable")),
        check=lambda state, user: access.check_staff(user=user), effect=award_state),
)


# The states ------------------------------------------------------------------------------------

@dataclass
class World:
    """The people and the ids of one state."""

    people: dict
    nomination: int = 0
    endorsement: int = 0
    public_id: str = ""
    fulfilment: int = 0
    term: int = 0
    deliverable: int = 0

    def ids(self):
        """What the calls' addresses are formatted with."""
        return {"nomination": self.nomination, "endorsement": self.endorsement, "public_id": self.public_id,
                "fulfilment": self.fulfilment, "term": self.term, "deliverable": self.deliverable}


@pytest.fixture
def world(cycle, users, panels):
    """
    Build a state: draft, awaiting_consent, in_review, decided (in review with a pending accept),
    due (decided, and the announcement date reached) or awarded (the cycle released).
    """
    people = {**users, "reviewer": panels["rev1"], "conflicted": panels["rev2"], PANEL: panels["rev4"],
              "chair": panels["chair"], "anonymous": None}

    def build(state):
        made = World(people)
        nomination = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="engineer",
                                           nominee_username="nominee", justifications=full_justifications())
        made.nomination = nomination.nomination.id
        if state != "draft":
            api.submit_nomination(nomination_id=made.nomination, actor=users["nominator"])
        if state in ("in_review", "decided", "due", "awarded"):
            api.respond_to_nomination(nomination_id=made.nomination, actor=users["nominee"], decision="accept")
            for reviewer in ("rev1", "rev2"):
                api.assign_reviewer(nomination_id=made.nomination, reviewer_username=reviewer, actor=None)
            made.endorsement = api.endorse_nomination(
                endorser=users["endorser"], cycle_year=2026, track_slug="engineer", nominee_username="nominee",
                justifications=full_justifications()).endorsement.id
        api.declare_conflict(nomination_id=made.nomination, reviewer=panels["rev2"], reason="My former student.")
        if state in ("decided", "due", "awarded"):
            api.assign_reviewer(nomination_id=made.nomination, reviewer_username="rev3", actor=None)
            for reviewer in ("rev1", "rev3"):
                api.submit_review(nomination_id=made.nomination, reviewer=panels[reviewer],
                                  scores=score_all("engineer", 5), recommendation="accept")
            api.record_decision(nomination_id=made.nomination, actor=panels["chair"], outcome="accept",
                                rationale="Clear case.")
        if state == "due":
            api.add_signing_key()
            at_announcement(cycle)
        if state == "awarded":
            api.add_signing_key()
            api.release_announcement(cycle_year=at_announcement(cycle).year)
            made.public_id = str(Credential.objects.get().public_id)
            made.fulfilment = Fulfilment.objects.get().pk
            made.term = MembershipTerm.objects.get(holder_user=users["nominee"]).pk
            # An invitation waiting for the nominee's answer.
            made.deliverable = Deliverable.objects.get(term_id=made.term, incentive__slug="lead-sessions").pk
            api.update_deliverable(deliverable_id=made.deliverable, actor=users["staff"], status="offered")
        assert Nomination.objects.get(pk=made.nomination).status == {
            "draft": "draft", "awaiting_consent": "awaiting_consent", "in_review": "in_review",
            "decided": "in_review", "due": "in_review", "awarded": "accepted"}[state]
        return made
    return build


# Asking ---------------------------------------------------------------------------------------

def send(call, state, user, client, client_for):
    """Make the call as ``user`` (None: anonymous) through the page client or the API client."""
    url = call.url.format(**state.ids())
    data = call.data(state) if call.data else {}
    if call.page:
        if user is not None:
            client.force_login(user)
        return url, client.post(url, data) if call.method == "post" else client.get(url)
    api_client = client_for(user)
    if call.method == "get":
        return url, api_client.get(url)
    return url, getattr(api_client, call.method)(url, data, format="json")


def describe(call, url, response):
    """What an answer means: its status, and for a redirect or a 404 where it leads or what it says."""
    note = ""
    if response.status_code == 302:
        target = urlsplit(response["Location"])
        sign_in = target.path == settings.LOGIN_URL and parse_qs(target.query).get("next") == [url]
        note = "to sign in" if sign_in else "onwards"
    elif response.status_code == 404 and not call.page:
        note = response.json()
    return response.status_code, note


def expected(call, verdict):
    """What ``call`` answers for ``verdict``, and whether it writes."""
    if verdict == SIGN_IN:
        return (302, "to sign in") if call.page else (401, ""), False
    if verdict == HIDE:
        # As for an unknown id: the API's answer says nothing more.
        return (404, "" if call.page else {"detail": "Not found."}), False
    if verdict == FORBID:
        return (403, ""), False
    return (call.ok, "onwards" if call.ok == 302 else ""), call.writes


def ask_rule_book(row, state, user):
    """The rule book's own verdict on ``user`` taking the row's action."""
    try:
        row.check(state, user)
    except access.Hidden:
        return HIDE
    except access.Forbidden:
        return FORBID
    return ALLOW


def run_in_savepoint(row, made, call, user, client, client_for):
    """Make one call in a savepoint that is rolled back: what it answered and whether it changed anything."""
    with transaction.atomic():
        before = row.effect(made)
        url, response = send(call, made, user, client, client_for)
        changed = row.effect(made) != before
        transaction.set_rollback(True)
    client.logout()
    return describe(call, url, response), changed


@pytest.mark.parametrize("row", [pytest.param(row, id=row.name) for row in TABLE])
def test_role_matrix(row, world, client, client_for):
    """
    Every call of the row answers the row's verdict for every role, the rule book gives the same
    verdict, and only allowed writes write. The state is built once; each call is rolled back.
    """
    made = world(row.state)
    observed, wanted = {}, {}
    for role in row.roles:
        user, verdict = made.people[role], row.verdict(role)
        for call in row.calls:
            observed[role, call.label] = run_in_savepoint(row, made, call, user, client, client_for)
            wanted[role, call.label] = expected(call, verdict)
        if user is not None:
            observed[role, "rule book"], wanted[role, "rule book"] = ask_rule_book(row, made, user), verdict
    assert observed == wanted


# The table against the rule book --------------------------------------------------------------

# The rule book's roles each person of the matrix holds on the nomination (``api.nomination_roles``
# and ``api.review_roles``). The nominee holds none on a draft, which they do not see; the
# conflicted reviewer's conflict hides the nomination from them whatever else they hold.
HOLDS = {
    "nominator": {api.ROLE_NOMINATOR}, "nominee": {api.ROLE_NOMINEE}, "staff": {api.ROLE_STAFF},
    "reviewer": {api.ROLE_ASSIGNED, api.ROLE_PANEL}, PANEL: {api.ROLE_PANEL},
    "chair": {api.ROLE_PANEL, api.ROLE_CHAIR},
}
NOMINATION_ROLES = {api.ROLE_NOMINATOR, api.ROLE_NOMINEE, api.ROLE_STAFF}
REVIEW_ROLES = {api.ROLE_ASSIGNED, api.ROLE_PANEL, api.ROLE_CHAIR, api.ROLE_STAFF}


def rule_book_verdict(row, role):
    """What ``access.NOMINATION_RULES`` or ``REVIEW_RULES`` make of ``role`` for the row's action."""
    if role == "anonymous":
        return SIGN_IN
    if isinstance(row.action, NominationAction):
        rules, family = access.NOMINATION_RULES, NOMINATION_ROLES
    else:
        rules, family = access.REVIEW_RULES, REVIEW_ROLES
    holds = set() if role == "conflicted" or (role == "nominee" and row.state == "draft") else \
        HOLDS.get(role, set()) & family
    if not holds:
        return HIDE
    return ALLOW if holds & rules[row.action] else FORBID


def test_the_table_is_the_rule_book():
    """Each row of a rule-book action says what ``access.NOMINATION_RULES`` and ``REVIEW_RULES`` say."""
    rows = [row for row in TABLE if row.action is not None]
    assert {row.action for row in rows} == set(NominationAction) | set(ReviewAction)
    table = {(row.name, role): row.verdict(role) for row in rows for role in row.roles}
    assert table == {(row.name, role): rule_book_verdict(row, role) for row in rows for role in row.roles}


def test_withdrawing_is_for_the_nominator_the_nominee_and_staff_only():
    """One action spelt out: the rule book and the table agree on who may withdraw a nomination."""
    (row,) = [row for row in TABLE if row.action == NominationAction.WITHDRAW]
    rule = access.NOMINATION_RULES[NominationAction.WITHDRAW]
    assert rule == {api.ROLE_NOMINATOR, api.ROLE_NOMINEE, api.ROLE_STAFF}
    assert row.allowed == {"nominator", "nominee", "staff"} and not row.forbidden


# What the pages offer -------------------------------------------------------------------------

# Each button or form a page shows, found by the address it leads to (or, for the review form, its fields).
OFFER_MARKS = {
    NominationAction.EDIT: PAGES + "/nominations/{nomination}/edit/",
    NominationAction.WITHDRAW: PAGES + "/nominations/{nomination}/withdraw/",
    NominationAction.CONSENT: PAGES + "/nominations/{nomination}/consent/",
    ReviewAction.REVIEW: 'name="score-',
    ReviewAction.DECIDE: PAGES + "/review/nominations/{nomination}/decision/",
    ReviewAction.DECLARE_CONFLICT: PAGES + "/review/nominations/{nomination}/conflict/",
    ReviewAction.REOPEN: PAGES + "/review/nominations/{nomination}/decision/reopen/",
}
N, R = NominationAction, ReviewAction

# Per page and state, what each role that sees the page is offered. A page offers only what the
# rule book allows (checked below), and what it allows in that state, with one exception: a
# nominee asked for consent is offered to accept or decline, not to withdraw.
OFFERS = (
    ("nomination page", "draft", "/nominations/{nomination}/", {
        "nominator": {N.EDIT, N.WITHDRAW}, "staff": {N.WITHDRAW}}),
    ("nomination page", "awaiting_consent", "/nominations/{nomination}/", {
        "nominator": {N.WITHDRAW}, "nominee": {N.CONSENT}, "staff": {N.WITHDRAW}}),
    ("nomination page", "in_review", "/nominations/{nomination}/", {
        "nominator": {N.WITHDRAW}, "nominee": {N.WITHDRAW}, "staff": {N.WITHDRAW}}),
    ("review sheet", "in_review", "/review/nominations/{nomination}/", {
        "reviewer": {R.REVIEW, R.DECLARE_CONFLICT}, "chair": {R.DECIDE, R.DECLARE_CONFLICT}, "staff": {R.DECIDE}}),
    # A pending decision: only program staff are offered to reopen it.
    ("review sheet", "decided", "/review/nominations/{nomination}/", {
        "reviewer": {R.REVIEW, R.DECLARE_CONFLICT}, "chair": {R.DECIDE, R.DECLARE_CONFLICT},
        "staff": {R.DECIDE, R.REOPEN}}),
)


def rule_book_allows(made, user, action):
    """Whether the rule book lets ``user`` take ``action`` on the nomination."""
    check = access.check_nomination if isinstance(action, NominationAction) else access.check_review
    try:
        check(user=user, nomination_id=made.nomination, action=action)
    except access.Refused:
        return False
    return True


@pytest.mark.parametrize("name, state, url, offers", [
    pytest.param(*offer, id=f"{offer[0]}-{offer[1]}") for offer in OFFERS])
def test_pages_offer_what_the_rule_book_allows(name, state, url, offers, world, client):
    """
    A page shows each role the buttons and forms of the actions it may take there, and none that
    the rule book refuses (following one would answer 403).
    """
    made = world(state)
    observed, refused = {}, {}
    for role, offered in offers.items():
        user = made.people[role]
        client.force_login(user)
        response = client.get(PAGES + url.format(**made.ids()))
        assert response.status_code == 200, (name, role)
        html = response.content.decode()
        observed[role] = {action for action, mark in OFFER_MARKS.items() if mark.format(**made.ids()) in html}
        refused[role] = {action for action in offered if not rule_book_allows(made, user, action)}
        client.logout()
    assert not any(refused.values()), "the table offers what the rule book refuses"
    assert observed == offers


# The admin ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdminAction:
    """An admin action: the changelist it is run from, the rows it is run on, and what it changes."""

    name: str
    state: str
    model: str
    action: str
    selected: Callable  # (state): the primary key of the row to select
    effect: Callable
    data: tuple = ()


ADMIN_ACTIONS = (
    AdminAction("withdraw nominations", "in_review", "nomination", "withdraw_selected",
                lambda w: w.nomination, nomination_row),
    AdminAction("auto-assign reviewers", "in_review", "cycle", "auto_assign_reviewers",
                lambda w: Nomination.objects.get(pk=w.nomination).cycle_id, review_state),
    AdminAction("revoke credentials", "awarded", "credential", "revoke_selected",
                lambda w: Credential.objects.get().pk, award_state, (("apply", "1"), ("reason", "Mistake."))),
    AdminAction("revoke terms", "awarded", "membershipterm", "revoke_selected", lambda w: w.term, award_state,
                (("apply", "1"), ("reason", "Code of conduct."))),
    AdminAction("reopen decisions", "decided", "decision", "reopen_selected", lambda w: Decision.objects.get().pk,
                review_state, (("apply", "1"), ("reason", REOPEN["reason"]))),
)

# The admin is Django's, not the rule book's: only superusers and staff with the model's change
# permission act there. Everyone else who is not staff is sent to the admin's sign-in; staff
# without the permission (program staff to the rule book, who may withdraw through the page and
# the API) get 403.
ADMIN_ROLES = ROLES + ("superuser",)


@pytest.mark.parametrize("admin_action", [pytest.param(a, id=a.name) for a in ADMIN_ACTIONS])
def test_admin_actions(admin_action, world, client):
    """Each admin action, posted from its changelist by every role: only the superuser's changes anything."""
    made = world(admin_action.state)
    people = {**made.people, "superuser": UserFactory(username="admin", is_staff=True, is_superuser=True)}
    url = f"/admin/openedx_distinguished/{admin_action.model}/"
    observed = {}
    for role in ADMIN_ROLES:
        if people[role] is not None:
            client.force_login(people[role])
        with transaction.atomic():
            before = admin_action.effect(made)
            response = client.post(url, {"action": admin_action.action,
                                         "_selected_action": [admin_action.selected(made)],
                                         **dict(admin_action.data)})
            changed = admin_action.effect(made) != before
            transaction.set_rollback(True)
        client.logout()
        answer = response.status_code
        if answer == 302:
            target = urlsplit(response["Location"])
            signed_out = target.path == "/admin/login/" and parse_qs(target.query)["next"] == [url]
            answer = "to sign in" if signed_out else "done"
        observed[role] = (answer, changed)
    assert observed == {role: {"superuser": ("done", True), "staff": (403, False)}.get(role, ("to sign in", False))
                        for role in ADMIN_ROLES}
