"""
Public pages: what the program is, its tracks and the current cycle.
"""
from openedx_distinguished import api
from openedx_distinguished.data import CyclePhase

from .layout import page


def program_overview(request):
    """
    The program at a glance: tracks with criteria and incentives, and where each open cycle stands.
    """
    cycles = api.list_cycles()
    current = next((c for c in cycles if c.phase not in (CyclePhase.CLOSED, CyclePhase.UPCOMING)), None)
    upcoming = [c for c in cycles if c.phase == CyclePhase.UPCOMING]
    return page(request, "openedx_distinguished/program.html", {
        "tracks": api.list_tracks(),
        "current_cycle": current,
        "next_cycle": upcoming[-1] if upcoming else None,
        "nominations_open": next((c for c in cycles if c.phase == CyclePhase.NOMINATIONS), None),
    }, section="program")
