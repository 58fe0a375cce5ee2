"""
Run the benchmarks and print their table: ``make bench`` (``BENCH_SCALE=small`` for the smoke run).

Every case is measured against a floor in the same process and run (the least work that gives
the same answer), and reported as time, floor time, ratio and target. See docs/performance.rst.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass

import django

CASES = ("1", "2", "3", "4", "5", "6", "7")


@dataclass(frozen=True)
class Scale:
    """How big each case is, and how often it is repeated."""

    profile_sizes: tuple[int, ...]
    profile_loops: int
    hall_members: int
    hall_loops: int
    repeats: int
    eval_terms: int
    eval_activities: int
    eval_repeats: int
    credentials: int
    issuance_repeats: int
    query_sizes: tuple[int, ...]
    event_loops: int


SCALES = {
    # The sizes the targets are set for.
    "full": Scale(profile_sizes=(10, 100, 1000), profile_loops=50, hall_members=1000, hall_loops=1, repeats=15,
                  eval_terms=100_000, eval_activities=1_000_000, eval_repeats=5, credentials=10_000,
                  issuance_repeats=5, query_sizes=(10, 100, 1000), event_loops=5000),
    # The smoke run of CI: every case and floor runs, at sizes that take half a minute.
    "small": Scale(profile_sizes=(10, 100), profile_loops=20, hall_members=100, hall_loops=2, repeats=5,
                   eval_terms=2_000, eval_activities=20_000, eval_repeats=1, credentials=200,
                   issuance_repeats=1, query_sizes=(10, 100, 1000), event_loops=500),
}


def arguments(argv):
    """The command line's options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.strip().splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default=os.environ.get("BENCH_SCALE") or "full",
                        help="full: the sizes the targets are set for (default); small: a quick smoke run")
    parser.add_argument("--cases", default="1,2,3,4,5,6,7", help="which cases to run, e.g. 1,2 (default: all)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="cpu: this process's CPU time (default); wall: elapsed time")
    parser.add_argument("--workdir", help="where case 3 writes its SQLite files (default: a temporary directory)")
    # Internal: the case 3 worker processes.
    parser.add_argument("--worker", choices=("prepare", "evaluate", "sql-floor"), help=argparse.SUPPRESS)
    parser.add_argument("--terms", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--activities", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cycle-year", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.scale not in SCALES:  # from BENCH_SCALE, which argparse does not check
        parser.error(f"unknown scale {options.scale!r}; choose among {', '.join(sorted(SCALES))}")
    options.cases = [case.strip() for case in options.cases.split(",") if case.strip()]
    unknown = set(options.cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}; choose among {', '.join(CASES)}")
    return options


def machine() -> list[tuple[str, str]]:
    """What the figures were measured on."""
    def first(path, prefix):
        try:
            with open(path, encoding="utf-8") as handle:
                return next((line.split(":", 1)[1].strip() for line in handle if line.startswith(prefix)), "?")
        except OSError:
            return "?"
    import cryptography  # pylint: disable=import-outside-toplevel
    return [
        ("CPU", f"{first('/proc/cpuinfo', 'model name')}, {os.cpu_count()} CPUs (nproc)"),
        ("memory", _gibibytes(first("/proc/meminfo", "MemTotal"))),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("cryptography", cryptography.__version__),
    ]


def _gibibytes(meminfo):
    """"24683652 kB" as "23.5 GiB"."""
    number = meminfo.split()[0]
    return f"{int(number) / 1024 ** 2:.1f} GiB" if number.isdigit() else meminfo


def worker(options) -> int:
    """A case 3 process: prepare the database, or run one side; print the outcome as JSON."""
    from benchmarks import evaluation  # pylint: disable=import-outside-toplevel
    if options.worker == "prepare":
        outcome = evaluation.prepare(terms=options.terms, activities=options.activities)
    else:
        outcome = evaluation.run_worker(options.worker, options.cycle_year, options.clock)
    print(json.dumps(outcome))
    return 0


def signing_key_pem() -> str:
    """One RSA key (3072 bits, what ``create_distinguished_signing_key`` makes) for every case and floor."""
    # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def main(argv=None) -> int:
    """Run the cases asked for (or be a case 3 worker); 1 when a target that counts at this scale is missed."""
    options = arguments(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    django.setup()
    # pylint: disable=import-outside-toplevel
    from benchmarks import measure
    measure.CLOCK["read"] = measure.CLOCKS[options.clock]
    if options.worker:
        return worker(options)

    from django.db import connection

    from benchmarks import cases, evaluation
    scale = SCALES[options.scale]
    print(f"Benchmarks, scale {options.scale}, {options.clock} time, medians of alternating repeats")
    for name, value in machine():
        print(f"  {name}: {value}")
    connection.creation.create_test_db(verbosity=0)
    pem = signing_key_pem()
    results, query_table = [], None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="distinguished-bench-") as scratch:
        for case in options.cases:
            print(f"case {case} ...", flush=True)
            if case == "1":
                results += cases.profile_badges(scale, pem)
            elif case == "2":
                results += cases.hall_of_fame(scale, pem)
            elif case == "3":
                results += evaluation.case(scale, options.workdir or scratch, options.clock)
            elif case == "4":
                results += cases.issuance(scale, pem)
            elif case == "6":
                results += cases.platform_events(scale, pem)
            elif case == "7":
                results += cases.conditional_gets(scale, pem)
            else:
                query_table = cases.queries_per_request(scale, pem)
    print(f"\n({time.perf_counter() - started:.0f} s)\n")
    failures = report(results, query_table, enforce_ratios=options.scale == "full")
    return 1 if failures else 0


def report(results, query_table, *, enforce_ratios) -> list[str]:
    """Print the tables; return the targets missed that make the run fail."""
    from benchmarks.measure import duration, table  # pylint: disable=import-outside-toplevel
    failures = []
    if results:
        rows = []
        for result in results:
            queries = "" if result.queries is None else f"{result.queries} (≤ {result.query_target})"
            rows.append((result.case, result.size, duration(result.seconds), duration(result.floor_seconds),
                         f"{result.ratio:.2f}×", f"≤ {result.target_ratio:g}×", queries,
                         "met" if result.met else "MISSED", "; ".join(result.notes)))
            queries_missed = result.query_target is not None and result.queries > result.query_target
            if queries_missed or (enforce_ratios and not result.met):
                failures.append(f"{result.case} ({result.size})")
        print(table(("case", "size", "time", "floor", "ratio", "target", "queries", "target met", "notes"), rows))
    if query_table:
        sizes, counts = query_table
        rows = []
        for name, per_size in counts:
            flat = len(set(per_size)) == 1
            rows.append((name, *per_size, "yes" if flat else "NO"))
            if not flat:
                failures.append(f"5. queries of {name}")
        print()
        print(table(("endpoint (anonymous GET)", *(f"{size:,} rows" for size in sizes), "flat"), rows))
    if failures:
        print(f"\nTargets missed: {', '.join(failures)}")
    elif not enforce_ratios and results:
        print("\nSmoke run: query counts enforced; times are reported, not enforced, at this scale.")
    return failures


if __name__ == "__main__":
    sys.exit(main())
