"""
Races on a real database server: calls made at the same moment, each in a thread of its own (and
so on a database connection of its own).
"""
import threading

from django.db import DatabaseError, connections

from openedx_distinguished.exceptions import DistinguishedError


def race(*calls, prepared=False):
    """
    Run ``calls`` in parallel threads released together by a barrier; each one's result, or the
    error it raised (a program error, a failed assertion or a database error).

    With ``prepared``, each call is a preparation run in its thread before the barrier (logging a
    client in, setting the session's isolation level) that returns the call to race.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            if prepared:
                call = call()
            barrier.wait()
            results[index] = call()
        except (DistinguishedError, AssertionError, DatabaseError) as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
