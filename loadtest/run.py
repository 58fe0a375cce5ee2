"""
Load test: the demo site served by gunicorn on MariaDB, in the rush just before nominations close.

What it does, in order (``make loadtest``; ``--help`` for the knobs):

1. creates a fresh MariaDB database (``distinguished_load`` by default), migrates it, loads the
   default program, seeds the demo (``seed_demo``) and adds ``--learners`` learner accounts;
2. moves the close of the open nominations cycle to just after the run: the last-minute rush;
3. starts gunicorn on 127.0.0.1 (gthread workers sized for the machine's cores) with the demo
   settings pointed at that database and DEBUG off;
4. runs ``--clients`` threads for ``--duration`` seconds (or ``--max-requests``): learners sign in
   (a few through the real sign-in form, the others with a session made for them beforehand),
   create and submit nominations through the REST API (self- or peer-nominations, which become
   endorsements when the nominee already has one) while visitors read the hall of fame, the
   program page, the JSON feed and the tracks API;
5. prints throughput, p50 and p99 latency per kind of request and the errors;
6. checks that every accepted (2xx) creation and submission is in the database with the status the
   API answered, and that nothing else was written;
7. stops gunicorn and drops the database.

It exits non-zero on any error or any mismatch. Loopback only.
"""
import argparse
import importlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import redirect_stdout
from datetime import timedelta
from io import StringIO
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
LEARNER_PASSWORD = "load-test-pw"  # nosec - a throwaway account on a throwaway database
CSRF_SECRET = "loadtestloadtestloadtestloadtest"  # 32 characters, as Django's CSRF secret
API = "/api/distinguished/v1"
READS = {
    "hall_of_fame": "/distinguished/",
    "program": "/distinguished/program/",
    "feed": "/distinguished/feed.json",
    "tracks": f"{API}/tracks/",
}


def parse_args(argv=None):
    """The command line."""
    cores = os.cpu_count() or 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--max-requests", type=int, default=50_000, help="stop after this many requests")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads (default 16)")
    parser.add_argument("--learners", type=int, default=1000,
                        help="extra learner accounts, two nominations each (default 1000)")
    parser.add_argument("--real-logins", type=int, default=8,
                        help="learners who sign in through the sign-in form (the others get a session)")
    parser.add_argument("--read-share", type=float, default=0.6,
                        help="share of client actions that read public pages (default 0.6)")
    parser.add_argument("--workers", type=int, default=cores + 1, help="gunicorn workers (default cores + 1)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--db-name", default=os.environ.get("DISTINGUISHED_LOAD_DB_NAME", "distinguished_load"))
    parser.add_argument("--seed", type=int, default=8, help="random seed of the clients' choices")
    parser.add_argument("--keep", action="store_true", help="keep the database and gunicorn's log")
    parser.add_argument("--debug", action="store_true",
                        help="serve with DEBUG on, so gunicorn's log has the tracebacks of server errors")
    return parser.parse_args(argv)


# Setup ---------------------------------------------------------------------------------------

def db_settings():
    """Where MariaDB is (the same variables as the test settings)."""
    return {"host": os.environ.get("DB_HOST", "127.0.0.1"), "port": int(os.environ.get("DB_PORT", "3306")),
            "user": os.environ.get("DB_USER", "root"), "password": os.environ.get("DB_PASSWORD", "")}


def recreate_database(name, *, drop_only=False):
    """Drop the database ``name`` and (unless ``drop_only``) create it empty (utf8mb4); return the server version."""
    # mysqlclient: imported by name, as the quality environment lints this file without it.
    conn = importlib.import_module("MySQLdb").connect(**db_settings())
    try:
        cursor = conn.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        if not drop_only:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        cursor.execute("SELECT VERSION()")
        return cursor.fetchone()[0]
    finally:
        conn.close()


def server_environment(db_name, debug=False):
    """The environment of the demo site on MariaDB, for this process and for gunicorn."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "demo.settings",
        "DISTINGUISHED_DEMO_DB": "mysql",
        "DISTINGUISHED_DEMO_DB_NAME": db_name,
        "DISTINGUISHED_DEMO_DEBUG": "1" if debug else "0",
        "DISTINGUISHED_DEMO_EMAIL": "none",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    })
    return env


def prepare_site(args, closes_in):
    """
    Migrate, load the program, seed the demo, add the learners and their sessions, and move the
    nominations deadline to ``closes_in`` from now. Returns the load's learners and the open cycle.
    """
    # pylint: disable=import-outside-toplevel
    import django
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    django.setup()
    from openedx_distinguished.models import Cycle

    quiet = StringIO()
    with redirect_stdout(quiet):
        call_command("migrate", verbosity=0, interactive=False, stdout=quiet)
        call_command("load_distinguished_program", stdout=quiet)
        call_command("seed_demo", stdout=quiet)
    user_model = get_user_model()
    password = make_password(LEARNER_PASSWORD)  # hashed once: every learner has the same password
    user_model.objects.bulk_create([
        user_model(username=f"rush{i:05d}", email=f"rush{i:05d}@example.com", first_name=f"Rush {i}",
                   password=password)
        for i in range(args.learners)
    ])
    learners = list(user_model.objects.filter(username__startswith="rush").order_by("username"))
    sessions = {}
    for user in learners[args.real_logins:]:
        # As if they had signed in before the rush: the password hash is not what is measured.
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        sessions[user.username] = session.session_key
    now = timezone.now()
    cycle = Cycle.objects.filter(nominations_open_at__lte=now, nominations_close_at__gt=now).order_by("-year").first()
    if cycle is None:
        raise SystemExit("seed_demo left no cycle open for nominations")
    Cycle.objects.filter(pk=cycle.pk).update(nominations_close_at=now + timedelta(seconds=closes_in))
    return [(user.username, sessions.get(user.username)) for user in learners], cycle.year


def free_port():
    """A TCP port free on the loopback interface now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(args, env, log):
    """Start gunicorn serving the demo on 127.0.0.1 and wait until it answers; return (process, base URL)."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "django.core.wsgi:get_wsgi_application()",
        "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread",
        "--workers", str(args.workers), "--threads", str(args.threads),
        "--timeout", "60", "--keep-alive", "5", "--log-level", "warning",
    ]
    # pylint: disable-next=consider-using-with
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    wait_until_answered(process, f"{base}{API}/tracks/", log)
    return process, base


def wait_until_answered(process, url, log, seconds=60):
    """Wait until ``url`` answers 200; stop gunicorn (``process``) and exit if it dies or takes longer."""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {process.returncode}; see {log.name}")
            try:
                # The first request of a worker imports the site: give it time.
                if requests.get(url, timeout=15).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {seconds} s")
    except BaseException:
        stop_gunicorn(process)
        raise


def stop_gunicorn(process):
    """Stop gunicorn and its workers (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# Clients -------------------------------------------------------------------------------------

class Recorder:
    """Latencies per kind, errors, and what the API accepted (to check against the database)."""

    def __init__(self, max_requests):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = []
        self.nominations = {}  # nomination id -> (nominator, status the API answered)
        self.endorsements = {}  # endorsement id -> endorser
        self.deleted_drafts = set()  # drafts the API turned into endorsements at submission
        self.budget = max_requests

    def take(self):
        """Count one request against the budget; False once it is spent."""
        with self.lock:
            self.budget -= 1
            return self.budget >= 0

    def request(self, kind, session, method, url, *, expect, **kwargs):
        """Send one request; record its latency, or an error if the status is not ``expect``."""
        started = time.perf_counter()
        try:
            response = session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            with self.lock:
                self.errors.append(f"{kind} {method} {url}: {exc!r}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            if response.status_code not in expect:
                self.errors.append(f"{kind} {method} {url}: {response.status_code} {response.text[:200]!r}")
                return None
        return response

    def accepted(self, outcome, nominator):
        """Remember what a 2xx creation or submission answered."""
        with self.lock:
            if outcome["outcome"] == "nomination":
                self.nominations[outcome["nomination"]["id"]] = (nominator, outcome["nomination"]["status"])
            else:
                self.endorsements[outcome["endorsement"]["id"]] = nominator


class Learner:
    """A signed-in learner with their own HTTP session (cookies) and CSRF token."""

    def __init__(self, base, username, session_key):
        self.base, self.username = base, username
        self.http = requests.Session()
        self.session_key = session_key
        self.tracks = []  # the tracks left for this learner: one nomination per track

    def sign_in(self, recorder):
        """Sign in: a real sign-in through the form, or the session made beforehand."""
        if self.session_key:
            self.http.cookies.set("sessionid", self.session_key, domain="127.0.0.1")
            self.http.cookies.set("csrftoken", CSRF_SECRET, domain="127.0.0.1")
            return True
        form = recorder.request("login", self.http, "GET", f"{self.base}/api-auth/login/", expect={200})
        if form is None:
            return False
        token = self.http.cookies.get("csrftoken")
        done = recorder.request("login", self.http, "POST", f"{self.base}/api-auth/login/", expect={302},
                                data={"username": self.username, "password": LEARNER_PASSWORD,
                                      "csrfmiddlewaretoken": token, "next": "/"},
                                headers={"Referer": f"{self.base}/api-auth/login/"})
        return done is not None

    def nominate(self, recorder, *, cycle, nominee):
        """Create a nomination for the next of the learner's tracks and submit it; record what the API accepted."""
        track = self.tracks.pop()
        headers = {"X-CSRFToken": self.http.cookies.get("csrftoken"), "Referer": f"{self.base}/"}
        created = recorder.request("nomination_create", self.http, "POST", f"{self.base}{API}/nominations/",
                                   expect={201}, headers=headers, json={
                                       "cycle": cycle, "track": track["slug"], "nominee_username": nominee,
                                       "justifications": {c: f"{self.username} on {c}" for c in track["criteria"]},
                                       "evidence_links": ["https://github.com/openedx"],
                                   })
        if created is None:
            return
        outcome = created.json()
        recorder.accepted(outcome, self.username)
        if outcome["outcome"] != "nomination" or not recorder.take():
            return
        draft = outcome["nomination"]["id"]
        submitted = recorder.request("nomination_submit", self.http, "POST",
                                     f"{self.base}{API}/nominations/{draft}/submit/", expect={200}, headers=headers)
        if submitted is None:
            return
        outcome = submitted.json()
        if outcome["outcome"] == "endorsement":
            with recorder.lock:
                recorder.nominations.pop(draft, None)
                recorder.deleted_drafts.add(draft)
        recorder.accepted(outcome, self.username)


def run_clients(args, base, learners, cycle_year, recorder):
    """Run the client threads until the duration or the request budget is spent."""
    tracks = [{"slug": t["slug"], "criteria": [c["slug"] for c in t["criteria"]]}
              for t in requests.get(f"{base}{API}/tracks/", timeout=10).json()]
    queue = [Learner(base, username, key) for username, key in learners]
    shuffler = random.Random(args.seed)
    for learner in queue:
        # Two nominations each (the program's cap is three), for two different tracks: a learner
        # never repeats a nominee and track, which the API would rightly refuse.
        learner.tracks = shuffler.sample(tracks, 2)
    queue_lock = threading.Lock()
    usernames = [username for username, _ in learners]
    stop_at = time.monotonic() + args.duration

    def next_learner():
        with queue_lock:  # each learner is one client's, from sign-in to last submission
            return queue.pop(0) if queue else None

    def client(index):
        try:
            act(random.Random(args.seed * 1000 + index))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            with recorder.lock:  # an unexpected answer (say, not JSON) counts as an error, not a lost thread
                recorder.errors.append(f"client {index}: {exc!r}")

    def act(rng):
        visitor = requests.Session()
        learner = None
        while time.monotonic() < stop_at and recorder.take():
            if learner is None and rng.random() >= args.read_share:
                learner = next_learner()
                if learner is not None and not learner.sign_in(recorder):
                    learner = None
                    continue
            if learner is None or rng.random() < args.read_share:
                kind = rng.choice(sorted(READS))
                recorder.request(kind, visitor, "GET", f"{base}{READS[kind]}", expect={200})
                continue
            nominee = learner.username if rng.random() < 0.5 else rng.choice(usernames)
            learner.nominate(recorder, cycle=cycle_year, nominee=nominee)
            if not learner.tracks:
                learner = None

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 120)
    return time.monotonic() - started


# Report and checks ---------------------------------------------------------------------------

def percentile(values, share):
    """The ``share`` quantile (0..1) of ``values``, by the nearest-rank method."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered) + 0.5)) - 1))]


def report(recorder, elapsed):
    """Print the figures; return the total request count."""
    total = sum(len(v) for v in recorder.latencies.values())
    print(f"\n{'kind':<20}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for kind in sorted(recorder.latencies):
        values = recorder.latencies[kind]
        print(f"{kind:<20}{len(values):>10}{len(values) / elapsed:>10.1f}{percentile(values, 0.5) * 1000:>10.1f}"
              f"{percentile(values, 0.99) * 1000:>10.1f}{max(values) * 1000:>10.1f}")
    every = [v for values in recorder.latencies.values() for v in values]
    print(f"{'all':<20}{total:>10}{total / elapsed:>10.1f}{statistics.median(every) * 1000:>10.1f}"
          f"{percentile(every, 0.99) * 1000:>10.1f}{max(every) * 1000:>10.1f}")
    print(f"\n{elapsed:.1f} s, {total} requests, {total / elapsed:.1f} requests/s, {len(recorder.errors)} errors")
    for error in recorder.errors[:10]:
        print(f"  error: {error}")
    return total


def check_database(recorder):
    """
    Every accepted nomination and endorsement is in the database as the API answered, drafts turned
    into endorsements are gone, and the load's learners wrote nothing else. Returns the problems.
    """
    # pylint: disable=import-outside-toplevel
    from openedx_distinguished.models import Endorsement, Nomination

    problems = []
    stored = {n.pk: (n.nominator.username, n.status)
              for n in Nomination.objects.filter(nominator__username__startswith="rush").select_related("nominator")}
    for pk, expected in recorder.nominations.items():
        if stored.get(pk) != expected:
            problems.append(f"nomination {pk}: the API answered {expected}, the database has {stored.get(pk)}")
    for pk in set(stored) - set(recorder.nominations):
        problems.append(f"nomination {pk} {stored[pk]} is in the database but no request created it")
    for pk in recorder.deleted_drafts & set(stored):
        problems.append(f"draft {pk} became an endorsement but is still a nomination")
    endorsed = dict(Endorsement.objects.filter(endorser__username__startswith="rush")
                    .values_list("pk", "endorser__username"))
    for pk, endorser in recorder.endorsements.items():
        if endorsed.get(pk) != endorser:
            problems.append(f"endorsement {pk} by {endorser}: the database has {endorsed.get(pk)}")
    for pk in set(endorsed) - set(recorder.endorsements):
        problems.append(f"endorsement {pk} is in the database but no request created it")
    statuses = defaultdict(int)
    for _, status in recorder.nominations.values():
        statuses[status] += 1
    print(f"Database check: {len(recorder.nominations)} nominations ({dict(sorted(statuses.items()))}) and "
          f"{len(recorder.endorsements)} endorsements accepted by the API; {len(problems)} mismatches")
    for problem in problems[:10]:
        print(f"  mismatch: {problem}")
    return problems


def main(argv=None):
    """Run the load test; exit status 0 only without errors and mismatches."""
    args = parse_args(argv)
    env = server_environment(args.db_name, debug=args.debug)
    os.environ.update({key: env[key] for key in ("DJANGO_SETTINGS_MODULE", "DISTINGUISHED_DEMO_DB",
                                                 "DISTINGUISHED_DEMO_DB_NAME", "DISTINGUISHED_DEMO_DEBUG",
                                                 "DISTINGUISHED_DEMO_EMAIL")})
    sys.path.insert(0, str(ROOT))
    version = recreate_database(args.db_name)
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, MariaDB {version} (database "
          f"{args.db_name}); gunicorn {args.workers} workers x {args.threads} threads; {args.clients} clients, "
          f"{args.duration:.0f} s, {args.learners} learners")
    # pylint: disable-next=consider-using-with
    log = tempfile.NamedTemporaryFile("w", prefix="loadtest-gunicorn-", suffix=".log", delete=False)
    process = None
    try:
        started = time.monotonic()
        # The deadline falls just after the run: every submission lands in the last minutes.
        learners, cycle_year = prepare_site(args, closes_in=args.duration + 120)
        print(f"Prepared in {time.monotonic() - started:.1f} s; nominations for {cycle_year} close in "
              f"{args.duration + 120:.0f} s")
        process, base = start_gunicorn(args, env, log)
        recorder = Recorder(args.max_requests)
        elapsed = run_clients(args, base, learners, cycle_year, recorder)
        report(recorder, elapsed)
        problems = check_database(recorder)
    finally:
        if process is not None:
            stop_gunicorn(process)
        log.close()
        if not args.keep:
            from django.db import connections  # pylint: disable=import-outside-toplevel

            connections.close_all()
            recreate_database(args.db_name, drop_only=True)
            os.unlink(log.name)
        else:
            print(f"Kept the database {args.db_name} and gunicorn's log {log.name}")
    if recorder.errors or problems:
        print("LOAD TEST FAILED")
        return 1
    print("Load test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
