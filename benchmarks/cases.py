"""
Cases 1, 2, 4 and 5: the public pages and API, and credential issuance, each against its floor.

They run in the runner's process on an in-memory SQLite test database, through Django's test
client (so every request goes through the URL resolver and the middleware, floors included).
"""
from __future__ import annotations

import base64
import hashlib
import json
import statistics
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.contrib.auth import get_user_model
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED

from benchmarks import floors, population
from benchmarks.measure import Result, compare, count_queries, duration
from openedx_distinguished import api, signing
from openedx_distinguished.activities import QUALIFYING_RUNS_CACHE_KEY
from openedx_distinguished.models import Credential, Fulfilment, Track
from openedx_distinguished.signals import handlers

PROFILE = "/api/distinguished/v1/profiles/{username}/"


def _get(client, path):
    """GET ``path``; anything but a 200 stops the benchmark (an error page is not what is measured)."""
    response = client.get(path)
    if response.status_code != 200:
        raise AssertionError(f"GET {path}: {response.status_code}")
    return response


def profile_badges(scale, private_key_pem) -> list[Result]:
    """Case 1: the learner profile's badges against a bare DRF view doing one indexed query."""
    return [_profile_badges_at(members, scale, private_key_pem) for members in scale.profile_sizes]


def _profile_badges_at(members, scale, private_key_pem) -> Result:
    """Case 1 on a site of ``members`` members."""
    site = population.site(members=members, years=5, private_key_pem=private_key_pem)
    client = Client()
    subject_path = PROFILE.format(username=site.featured)
    floor_path = f"/bench-floor/profiles/{site.featured}/"
    if len(_get(client, subject_path).json()["badges"]) != len(population.TRACKS):
        raise AssertionError("The featured member should show a badge per track.")
    seconds, floor_seconds = compare(lambda: _get(client, subject_path), lambda: _get(client, floor_path),
                                     repeats=scale.repeats, loops=scale.profile_loops)
    return Result("1. profile badges", f"{members:,} members × 5 years", seconds, floor_seconds, 1.5,
                  queries=count_queries(lambda: _get(client, subject_path)), query_target=3)


def hall_of_fame(scale, private_key_pem) -> list[Result]:
    """Case 2: the hall of fame against the same template rendered from a context made beforehand."""
    site = population.site(members=scale.hall_members, years=5, private_key_pem=private_key_pem)
    client = Client()
    # The first visit after a change makes the lists (from every term) and caches them; the visits
    # after it, which the case measures, read them from the cache until the next change.
    cache.clear()
    started = time.perf_counter()
    page = _get(client, "/distinguished/")
    after_a_change = time.perf_counter() - started
    # The floor's context is made now, after the cache was emptied: the versions it holds (the
    # artwork's, in the badge URLs) are the ones the page was just made with.
    floors.HALL_OF_FAME["context"] = api.hall_of_fame_page()
    floor_page = _get(client, "/bench-floor/hall-of-fame/")
    if page.content != floor_page.content:
        raise AssertionError("The floor must render the very page the hall of fame serves.")
    seconds, floor_seconds = compare(lambda: _get(client, "/distinguished/"),
                                     lambda: _get(client, "/bench-floor/hall-of-fame/"),
                                     repeats=scale.repeats, loops=scale.hall_loops)
    terms, kib = site.member_count * 5, len(page.content) / 1024
    return [Result("2. hall of fame", f"{site.member_count:,} members × 5 years ({terms:,}+ terms), first view",
                   seconds, floor_seconds, 1.5, queries=count_queries(lambda: _get(client, "/distinguished/")),
                   query_target=6, other_targets_met=kib <= 100,
                   notes=[f"page of {kib:.0f} KiB (≤ 100 KiB)",
                          f"the visit after a change {after_a_change * 1e3:.0f} ms"])]


def _enrolment(course_key):
    """A COURSE_ENROLLMENT_CREATED payload in ``course_key``."""
    return CourseEnrollmentData(
        user=UserData(id=1, is_active=True, pii=UserPersonalData(username="learner", email="l@example.org", name="L")),
        course=CourseData(course_key=CourseKey.from_string(course_key)), mode="audit", is_active=True,
        creation_date=timezone.now())


def _queued_by(send):
    """How many tasks ``send`` queues for after the commit (counted inside a transaction rolled back)."""
    connection = connections["default"]
    with transaction.atomic():
        before = len(connection.run_on_commit)
        send()
        queued = len(connection.run_on_commit) - before
        transaction.set_rollback(True)
    return queued


def platform_events(scale, private_key_pem) -> list[Result]:
    """
    Case 6: a COURSE_ENROLLMENT_CREATED in a run that is not qualifying, sent with the plugin's
    receiver, against the same send with a receiver that only reads the shared cache once in its
    place (ADR 0018); and one in a qualifying run, which must queue exactly one task.
    """
    population.reset(private_key_pem)
    api.mark_qualifying_course_run(course_key=QUALIFYING_RUN, activity_type="event", title="Conference")
    other, qualifying = _enrolment("course-v1:SomeOrg+Python101+2026"), _enrolment(QUALIFYING_RUN)
    api.is_qualifying_course(course_key=QUALIFYING_RUN)  # a running LMS has read the runs before

    def send_other():
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=other)

    queued_other = _queued_by(send_other)
    queued_qualifying = _queued_by(lambda: COURSE_ENROLLMENT_CREATED.send_event(enrollment=qualifying))
    queries = count_queries(send_other)
    loops = scale.event_loops

    def plugin():
        for _ in range(loops):
            send_other()

    def instead_of_the_plugin(receiver):
        """The same sends, with ``receiver`` (or none) where the plugin's receiver is."""
        def sends():
            COURSE_ENROLLMENT_CREATED.disconnect(dispatch_uid=RECEIVER)
            if receiver is not None:
                COURSE_ENROLLMENT_CREATED.connect(receiver, dispatch_uid=RECEIVER, weak=False)
            try:
                for _ in range(loops):
                    send_other()
            finally:
                COURSE_ENROLLMENT_CREATED.disconnect(dispatch_uid=RECEIVER)
                COURSE_ENROLLMENT_CREATED.connect(handlers.enrollment_created, dispatch_uid=RECEIVER)
        return sends

    def one_cache_read(**kwargs):
        """
        The least a receiver can do that honours a run marked in another process at the very next
        event: read the shared cache once (ADR 0018), and nothing else.
        """
        caches[DEFAULT_CACHE_ALIAS].get(QUALIFYING_RUNS_CACHE_KEY)

    # The floor: the same send with a receiver that reads the cache once. openedx-events formats
    # every receiver's response for a log line on each send that has receivers (even with the log
    # off), a cost any receiver pays; the sends with a receiver that does nothing and with no
    # receiver at all are printed beside it.
    seconds, floor_seconds = compare(plugin, instead_of_the_plugin(one_cache_read), repeats=scale.repeats)
    _, noop_seconds = compare(plugin, instead_of_the_plugin(lambda **kwargs: None), repeats=scale.repeats)
    _, bare_seconds = compare(plugin, instead_of_the_plugin(None), repeats=scale.repeats)
    seconds, floor_seconds = seconds / loops, floor_seconds / loops
    noop_seconds, bare_seconds = noop_seconds / loops, bare_seconds / loops
    return [Result("6. platform event", "COURSE_ENROLLMENT_CREATED, run not qualifying, vs one cache read",
                   seconds, floor_seconds, 1.2, queries=queries, query_target=0,
                   other_targets_met=(queued_other, queued_qualifying) == (0, 1),
                   notes=[f"tasks queued: {queued_other} (0 wanted); in a qualifying run: {queued_qualifying} "
                          f"(1 wanted); {seconds / noop_seconds:.2f}× a receiver that does nothing "
                          f"({duration(noop_seconds)}), {seconds / bare_seconds:.2f}× no receiver at all "
                          f"({duration(bare_seconds)})"])]


# The public documents whose conditional GET case 7 measures.
CONDITIONAL = (("JWKS", "/distinguished/badges/jwks.json"), ("status list", "/distinguished/badges/v3/status/"),
               ("feed.json", "/distinguished/feed.json"))


def conditional_gets(scale, private_key_pem) -> list[Result]:
    """Case 7: a conditional GET answered 304, against a bare Django view answering 304."""
    population.site(members=10, years=2, private_key_pem=private_key_pem)
    client, results = Client(), []
    floor_etag = _get(client, "/bench-floor/not-modified/")["ETag"]
    for name, path in CONDITIONAL:
        etag = _get(client, path)["ETag"]

        def revalidate(path=path, etag=etag):
            response = client.get(path, HTTP_IF_NONE_MATCH=etag)
            if response.status_code != 304:
                raise AssertionError(f"{path} answered {response.status_code}, not 304.")

        def floor():
            client.get("/bench-floor/not-modified/", HTTP_IF_NONE_MATCH=floor_etag)

        seconds, floor_seconds = compare(revalidate, floor, repeats=scale.repeats, loops=scale.event_loops // 10)
        results.append(Result("7. conditional GET", f"{name}, answered 304", seconds, floor_seconds, 1.2,
                              queries=count_queries(revalidate), query_target=0))
    return results


def _raw_signer(private_key_pem, credentials):
    """
    The floor of issuance: the two signatures of each credential and nothing else. RS256 over the
    same headers and payloads with the same key; Ed25519 over what ``eddsa-rdfc-2022`` signs (the
    hashes of the canonical proof options and of the canonical document: RDF canonicalisation
    included), with the same Ed25519 key.
    """
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    ed_key, ed_private = signing.active_key(signing.ED25519)
    parts, documents = [], []
    for token, document in credentials:
        parts.append([json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
                      for part in token.split(".")[:2]])
        documents.append(document)
    options = signing.proof_options(key=ed_key, created=timezone.now())

    def encode(data):
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=")

    def sign_all():
        # The proof options are the same for every credential of a run: canonicalised once.
        options_hash = hashlib.sha256(signing.canonical({**options, "@context": documents[0]["@context"]})
                                      .encode()).digest()
        for (header, payload), document in zip(parts, documents):
            key.sign(encode(header) + b"." + encode(payload), padding.PKCS1v15(), hashes.SHA256())
            ed_private.sign(options_hash + hashlib.sha256(signing.canonical(document).encode()).digest())
    return sign_all


def issuance(scale, private_key_pem) -> list[Result]:
    """Case 4: ``issue_missing_credentials`` for N terms against raw signing of both proofs of what it signed."""
    population.reset(private_key_pem)
    track_ids = list(Track.objects.filter(slug__in=population.TRACKS).values_list("pk", flat=True))
    user_ids = population.users(scale.credentials + 1, "holder")
    chains = population.chains([population.Chain(track_ids[n % len(track_ids)], user_id=user_id)
                                for n, user_id in enumerate(user_ids)])
    # A long-running worker has loaded the signing key before: so does this process, off the clock.
    api.issue_credential(term_id=chains[0][0])

    def issue_all():
        issued = api.issue_missing_credentials()
        if issued != scale.credentials:
            raise AssertionError(f"{issued} credentials issued, not {scale.credentials}.")

    def reset():
        Fulfilment.objects.exclude(term_id=chains[0][0]).delete()
        Credential.objects.exclude(term_id=chains[0][0]).delete()

    issue_all()
    issued = Credential.objects.exclude(term_id=chains[0][0])
    if issued.filter(ldp_proof="").exists():
        raise AssertionError("Every credential must get its Data Integrity proof.")
    sign_all = _raw_signer(private_key_pem, issued.values_list("jwt", "document"))
    timed = []
    for _ in range(scale.issuance_repeats):
        reset()
        timed.append(compare(issue_all, sign_all, repeats=1, warmup=0))
    seconds, floor_seconds = statistics.median(t[0] for t in timed), statistics.median(t[1] for t in timed)
    per = scale.credentials
    return [Result("4. credential issuance", f"{per:,} OB 3.0 credentials, VC-JWT (RSA 3072) + Data Integrity "
                   "(Ed25519, RDFC-1.0)", seconds, floor_seconds, 2.0,
                   notes=[f"{seconds / per * 1e3:.2f} ms per credential, raw signing "
                          f"{floor_seconds / per * 1e3:.2f} ms"])]


QUALIFYING_RUN = "course-v1:OpenedX+Conf+2026"
RECEIVER = "openedx_distinguished.enrollment_created"  # the dispatch_uid of the plugin's enrolment receiver

# Every public endpoint, anonymous: (name, path template).
PUBLIC_ENDPOINTS = (
    ("hall of fame", "/distinguished/"),
    ("member page", "/distinguished/members/{member}/"),
    ("feed.json", "/distinguished/feed.json"),
    ("program page", "/distinguished/program/"),
    ("profile badges", PROFILE),
    ("verification page", "/distinguished/verify/{credential}/"),
    ("JWKS", "/distinguished/badges/jwks.json"),
    ("status list", "/distinguished/badges/v3/status/"),
    ("issuer (OB 3.0)", "/distinguished/badges/v3/issuer/"),
    ("issuer (OB 2.0)", "/distinguished/badges/v2/issuer/"),
    ("achievement (OB 3.0)", "/distinguished/badges/v3/achievements/{track}/"),
    ("badge class (OB 2.0)", "/distinguished/badges/v2/classes/{track}/"),
    ("credential (OB 3.0)", "/distinguished/badges/v3/credentials/{credential}/"),
    ("assertion (OB 2.0)", "/distinguished/badges/v2/assertions/{credential}/"),
    ("baked badge (PNG)", "/distinguished/badges/{credential}/v3.png"),
    ("API tracks", "/api/distinguished/v1/tracks/"),
    ("API track", "/api/distinguished/v1/tracks/{track}/"),
    ("API cycles", "/api/distinguished/v1/cycles/"),
    ("API organizations", "/api/distinguished/v1/organizations/"),
    ("API initiatives", "/api/distinguished/v1/initiatives/"),
)


def queries_per_request(scale, private_key_pem) -> tuple[list[int], list[tuple[str, list[int]]]]:
    """
    Case 5: SQL queries of one anonymous request to each public endpoint, on sites where every
    listing it reads holds 10, 100 and 1,000 rows (see ``population.site``).
    """
    counts = {name: [] for name, _ in PUBLIC_ENDPOINTS}
    for rows in scale.query_sizes:
        for name, queries in _queries_at(rows, private_key_pem).items():
            counts[name].append(queries)
    return list(scale.query_sizes), list(counts.items())


def _queries_at(rows, private_key_pem) -> dict[str, int]:
    """Case 5 on a site whose listings hold ``rows`` rows."""
    site = population.site(members=rows, years=2, rows=rows, private_key_pem=private_key_pem)
    if get_user_model().objects.count() < rows:
        raise AssertionError("The population is smaller than asked.")
    client = Client()
    values = {"member": site.featured_slug, "username": site.featured, "credential": site.credential,
              "track": site.track}
    counts = {}
    for name, template in PUBLIC_ENDPOINTS:
        path = template.format(**values)
        _get(client, path)  # warm: URL resolvers, templates, ContentTypes
        counts[name] = count_queries(lambda path=path: _get(client, path))
    return counts
