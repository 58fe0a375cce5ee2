"""
The plugin's database tables, one module per program concept.
"""
from .nominations import Endorsement, Nomination, NominationTransition
from .program import Criterion, Cycle, Incentive, PartnerOrganization, Program, Track

__all__ = [
    "Criterion",
    "Cycle",
    "Endorsement",
    "Incentive",
    "Nomination",
    "NominationTransition",
    "PartnerOrganization",
    "Program",
    "Track",
]
