"""
How the benchmarks measure: medians of alternating repeats, query counts, and the result rows.
"""
from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

# What "time" means: this process's CPU time by default (``--clock wall`` for elapsed time). The
# database is SQLite in the same process, so CPU time is all of the work, and it does not count
# what other processes on a shared machine make this one wait.
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
CLOCK = {"read": CLOCKS["cpu"]}


def per_call(function, loops) -> float:
    """Seconds per call of ``function``, over ``loops`` calls (after a collection, so no earlier garbage is paid)."""
    gc.collect()
    read = CLOCK["read"]
    start = read()
    for _ in range(loops):
        function()
    return (read() - start) / loops


def compare(subject, floor, *, repeats, loops=1, warmup=1) -> tuple[float, float]:
    """
    The median seconds per call of ``subject`` and of ``floor``. Their repeats alternate, so that
    whatever else the machine does slows both alike; the first ``warmup`` calls of each fill the
    caches (templates, URL resolvers) and are not counted.
    """
    for _ in range(warmup):
        subject()
        floor()
    subject_times, floor_times = [], []
    for _ in range(repeats):
        subject_times.append(per_call(subject, loops))
        floor_times.append(per_call(floor, loops))
    return statistics.median(subject_times), statistics.median(floor_times)


def count_queries(function) -> int:
    """How many SQL queries one call of ``function`` runs."""
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


@dataclass
class Result:
    """One line of the benchmark table."""

    case: str
    size: str
    seconds: float
    floor_seconds: float
    target_ratio: float
    queries: int | None = None
    query_target: int | None = None
    notes: list[str] = field(default_factory=list)
    other_targets_met: bool = True

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_seconds

    @property
    def met(self) -> bool:
        """Whether every target of the line is met: the ratio, the query count, and any other (memory)."""
        queries_met = self.query_target is None or (self.queries is not None and self.queries <= self.query_target)
        return self.ratio <= self.target_ratio and queries_met and self.other_targets_met


def duration(seconds: float) -> str:
    """A duration with a unit a reader takes in at once."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def table(headers, rows) -> str:
    """A plain-text table (reStructuredText "simple table" syntax, so docs can take it as it is)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    rule = "  ".join("=" * width for width in widths)
    lines = [rule, "  ".join(str(h).ljust(w) for h, w in zip(headers, widths)).rstrip(), rule]
    lines += ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.append(rule)
    return "\n".join(lines)
