"""
Case 3: the annual evaluation of a large cycle against one SQL aggregate and one bulk insert.

Each side runs in a fresh process on its own copy of a prepared SQLite file, so that the peak
resident set size it reports (``ru_maxrss``) is its own, and neither warms the other's caches.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from benchmarks import population
from benchmarks.measure import CLOCKS, Result
from openedx_distinguished import api
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    Cycle,
    MembershipTerm,
    PartnerOrganization,
    Program,
    TermEvaluation,
    Track,
)

DAY = datetime.timedelta(days=1)
# Terms of partner organizations, out of a hundred (each organization has two contacts).
ORGANIZATION_SHARE = 1
RSS_TARGET_MB = 300


def prepare(*, terms, activities) -> dict:
    """
    Write the evaluation population into the (empty) database: a cycle, ``terms`` current terms
    that end within it (one in a hundred held by an organization) and ``activities`` activities of
    their holders over the last 500 days. Returns what it wrote.
    """
    call_command("migrate", verbosity=0)
    api.load_program_definition()
    program = Program.objects.get(slug="distinguished-contributors")
    now = timezone.now().replace(microsecond=0)
    opened = now - 30 * DAY
    cycle = Cycle.objects.create(program=program, year=now.year + 1, name="Evaluated cycle", nominations_open_at=opened,
                                 nominations_close_at=opened + 30 * DAY, review_deadline=opened + 60 * DAY,
                                 decision_date=opened + 75 * DAY, announcement_at=opened + 90 * DAY,
                                 ends_at=opened + 365 * DAY)
    track_ids = list(Track.objects.filter(program=program).values_list("pk", flat=True))
    organizations = terms * ORGANIZATION_SHARE // 100
    individuals = terms - organizations
    rng = random.Random(3)
    with transaction.atomic():
        user_ids = population.users(individuals, "member")
        first_org = population.next_id(PartnerOrganization)
        population.insert(PartnerOrganization, ("id", "slug", "name", "short_name", "website", "listed"),
                          [(first_org + n, f"partner-{n}", f"Partner {n}", "", "", False)
                           for n in range(organizations)])
        population.insert(PartnerOrganization.contacts.through, ("partnerorganization_id", "user_id"),
                          [(first_org + n, user_ids[(2 * n + k) % individuals]) for n in range(organizations)
                           for k in (0, 1)])
        stamp_now = population.stamp(now)
        rows = []
        holders = [("individual", user_id, None) for user_id in user_ids]
        holders += [("organization", None, first_org + n) for n in range(organizations)]
        for n, (kind, user_id, org_id) in enumerate(holders):
            track_id = track_ids[n % len(track_ids)]
            start = opened - rng.randint(250, 330) * DAY
            holder = f"u{user_id}" if user_id else f"o{org_id}"
            rows.append((track_id, cycle.pk, kind, user_id, org_id, rng.randint(1, 6),
                         rng.choice(("active", "renewal_due")), population.stamp(start),
                         population.stamp(start + 365 * DAY), "", f"{track_id}:{holder}", stamp_now, stamp_now))
        population.insert(MembershipTerm, ("track_id", "cycle_id", "holder_kind", "holder_user_id",
                                           "holder_organization_id", "sequence", "status", "starts_at", "ends_at",
                                           "revoked_reason", "current_key", "created", "modified"), rows)
        type_ids = list(ActivityType.objects.filter(program=program).values_list("pk", flat=True))
        per_user, extra = divmod(activities, individuals)
        written = population.activities(user_ids, per_user, type_ids=type_ids, start=(now - 500 * DAY).date(),
                                        days=500)
        written += population.activities(user_ids[:extra], 1, type_ids=type_ids, start=(now - 500 * DAY).date(),
                                         days=500, seed=9)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"cycle_year": cycle.year, "terms": terms, "activities": written}


def evaluate(cycle_year) -> dict:
    """The subject: ``api.evaluate_terms`` of the cycle."""
    counts = api.evaluate_terms(cycle_year=cycle_year)
    return {"evaluated": sum(counts.values()), "counts": counts}


def _qualifying_pairs(program):
    """(track id, activity type id) for every activity type that counts in each track of ``program``."""
    pairs = []
    for track in Track.objects.filter(program=program):
        types = list(track.retention_activity_types) or list(program.retention_activity_types)
        pairs += [(track.pk, type_id) for type_id in ActivityType.objects.filter(slug__in=types)
                  .values_list("pk", flat=True)]
    return pairs


def sql_floor(cycle_year) -> dict:
    """
    The floor: one SQL aggregate counts the verified and pending qualifying activities in every
    candidate term (an individual's own, an organization's contacts'), walking the activities'
    (user, status, day) index from each term; one executemany writes an evaluation row per term;
    one transaction. SQLite's SQL: the runner's database.
    """
    cycle = Cycle.objects.select_related("program").get(year=cycle_year)
    program = cycle.program
    quote = connection.ops.quote_name
    qualifying = ", ".join(f"({track_id}, {type_id})" for track_id, type_id in _qualifying_pairs(program)) \
        or "(0, 0)"
    sql = f"""
        WITH qualifying(track_id, type_id) AS (VALUES {qualifying}),
        candidate AS (
            SELECT t.id, t.sequence, t.track_id, t.holder_user_id, t.holder_organization_id, t.starts_at, t.ends_at
            FROM {quote(MembershipTerm._meta.db_table)} t JOIN {quote(Track._meta.db_table)} tr ON tr.id = t.track_id
            WHERE tr.program_id = %s AND t.status IN ('active', 'renewal_due') AND t.starts_at < %s
              AND t.ends_at >= %s AND t.ends_at < %s
              AND NOT EXISTS (SELECT 1 FROM {quote(TermEvaluation._meta.db_table)} e WHERE e.term_id = t.id)
        ),
        holder(term_id, user_id) AS (
            SELECT id, holder_user_id FROM candidate WHERE holder_user_id IS NOT NULL
            UNION ALL
            SELECT t.id, c.user_id FROM candidate t
            JOIN {quote(PartnerOrganization.contacts.through._meta.db_table)} c
              ON c.partnerorganization_id = t.holder_organization_id
        )
        SELECT t.id, t.sequence, COALESCE(SUM(a.status = 'verified'), 0), COALESCE(SUM(a.status = 'pending'), 0)
        FROM candidate t
        LEFT JOIN holder h ON h.term_id = t.id
        LEFT JOIN {quote(Activity._meta.db_table)} a ON a.user_id = h.user_id AND a.status IN ('verified', 'pending')
          AND a.occurred_on >= date(t.starts_at) AND a.occurred_on < date(t.ends_at)
          AND a.activity_type_id IN (SELECT type_id FROM qualifying q WHERE q.track_id = t.track_id)
        GROUP BY t.id, t.sequence
    """
    opened = population.stamp(cycle.nominations_open_at)
    needed, lifetime_after = program.retention_min_activities, program.lifetime_after_years
    evaluated_at = population.stamp(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [program.pk, opened, opened, population.stamp(cycle.ends_at)])
        rows = []
        for term_id, sequence, verified, pending in cursor.fetchall():
            outcome = ("lifetime" if sequence >= lifetime_after else "renew") if verified >= needed else "lapse"
            reasons = json.dumps([f"{verified} verified, {pending} pending; {needed} needed."])
            rows.append((term_id, cycle.pk, outcome, reasons, verified, evaluated_at))
        cursor.executemany(f"INSERT INTO {quote(TermEvaluation._meta.db_table)} (term_id, cycle_id, recommendation, "
                           "reasons, qualifying_activities, evaluated_at) VALUES (%s, %s, %s, %s, %s, %s)", rows)
    return {"evaluated": len(rows)}


WORKERS = {"evaluate": evaluate, "sql-floor": sql_floor}


def peak_rss_mb() -> float:
    """
    This process's peak resident set size. Linux's ``VmHWM``: ``getrusage``'s ``ru_maxrss``
    survives ``execve``, so a worker started by the (larger) runner would report the runner's.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes elsewhere too, but see above


def run_worker(side, cycle_year, clock) -> dict:
    """In a worker process: run one side, and report its time and the process's peak RSS."""
    before = peak_rss_mb()
    read = CLOCKS[clock]
    started = read()
    outcome = WORKERS[side](cycle_year)
    seconds = read() - started
    peak = peak_rss_mb()
    return {**outcome, "seconds": seconds, "peak_rss_mb": peak, "rss_before_mb": before, "digest": _digest()}


def _digest() -> str:
    """A hash of what the side decided for every term (read after the side's peak memory is taken)."""
    digest = hashlib.sha256()
    for row in TermEvaluation.objects.order_by("term_id").values_list(
            "term_id", "recommendation", "qualifying_activities").iterator(chunk_size=10_000):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _spawn(args, database) -> dict:
    """Run ``benchmarks.run`` with ``args`` in a fresh process on ``database``; return the JSON it prints last."""
    env = {**os.environ, "DISTINGUISHED_BENCH_SQLITE": database}
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", *args], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def case(scale, workdir, clock) -> list[Result]:
    """Prepare the population once, then alternate the two sides, each on a fresh copy of it."""
    prepared = os.path.join(workdir, "evaluation.sqlite3")
    started = time.perf_counter()
    facts = _spawn(["--worker", "prepare", "--terms", str(scale.eval_terms), "--activities",
                    str(scale.eval_activities)], prepared)
    print(f"  evaluation data: {facts['terms']:,} terms, {facts['activities']:,} activities "
          f"written in {time.perf_counter() - started:.0f} s", flush=True)
    runs = {"evaluate": [], "sql-floor": []}
    for _ in range(scale.eval_repeats):
        for side, measured in runs.items():
            copy = os.path.join(workdir, f"{side}.sqlite3")
            shutil.copyfile(prepared, copy)
            measured.append(_spawn(["--worker", side, "--cycle-year", str(facts["cycle_year"]), "--clock", clock],
                                   copy))
            os.remove(copy)
    subject, floor = runs["evaluate"], runs["sql-floor"]
    if {run["evaluated"] for run in subject + floor} != {facts["terms"]}:
        raise AssertionError(f"Both sides must evaluate every term: {subject} {floor}")
    if len({run["digest"] for run in subject + floor}) != 1:
        raise AssertionError("The floor must reach the same recommendations and counts as the evaluation.")
    peak = max(run["peak_rss_mb"] for run in subject)
    floor_peak = max(run["peak_rss_mb"] for run in floor)
    loaded = min(run["rss_before_mb"] for run in subject + floor)
    result = Result(
        "3. annual evaluation", f"{facts['terms']:,} terms, {facts['activities']:,} activities",
        statistics.median(run["seconds"] for run in subject), statistics.median(run["seconds"] for run in floor), 2.0,
        notes=[f"peak RSS {peak:.0f} MB (floor {floor_peak:.0f} MB, Django loaded {loaded:.0f} MB; "
               f"target < {RSS_TARGET_MB} MB)"],
        other_targets_met=peak < RSS_TARGET_MB,
    )
    return [result]
