"""
Rules of the scheduled work: what is due now, done in order, each step idempotent.
"""
from collections.abc import Callable
from datetime import datetime

from openedx_distinguished.credentials import issue_missing_credentials
from openedx_distinguished.exceptions import DistinguishedError
from openedx_distinguished.incentives import ensure_current_deliverables
from openedx_distinguished.membership import (
    cycles_due_for_evaluation,
    cycles_due_for_release,
    evaluate_terms,
    mark_renewals_due,
)
from openedx_distinguished.notifications import queue_review_reminders, redeliver_stale
from openedx_distinguished.review import release_announcement


def run_due_jobs(*, now: datetime | None = None, progress: Callable[[int], object] | None = None) -> list[str]:
    """
    Release announcements whose time has come, flag renewals due, evaluate the terms of open
    cycles, issue the credentials still missing (e.g. terms started before a key was installed),
    add the deliverables current terms lack (incentives added to a track since they started),
    remind reviewers of a near review deadline, and deliver the emails no task delivered.
    Returns one line per thing done (or refused, with the reason); running it again soon
    after finds nothing new to do.
    """
    report = []
    for year in cycles_due_for_release(now):
        try:
            released = release_announcement(cycle_year=year, now=now)
        except DistinguishedError as exc:
            report.append(f"release {year}: not released: {exc}")
        else:
            if released.already_released:
                # Another worker (a second cron pod, say) released it a moment ago.
                report.append(f"release {year}: already released")
                continue
            summary = ", ".join(f"{n} {o}" for o, n in sorted(released.outcomes.items())) or "no decisions"
            aside = f"; set aside: {', '.join(map(str, released.set_aside))}" if released.set_aside else ""
            report.append(f"release {year}: released ({summary}{aside})")
    report.append(f"renewal due: {mark_renewals_due(now=now)} term(s) flagged")
    for year in cycles_due_for_evaluation(now):
        counts = evaluate_terms(cycle_year=year, progress=progress)
        report.append(f"evaluation {year}: " + ", ".join(f"{n} {o}" for o, n in sorted(counts.items())))
    report.append(f"credentials: {issue_missing_credentials()} issued")
    report.append(f"incentives: {ensure_current_deliverables()} deliverable(s) added")
    report.append(f"review reminders: {queue_review_reminders(now=now)} queued")
    sent, failed = redeliver_stale(now=now)
    report.append(f"emails: {sent} redelivered, {failed} failed")
    return report
