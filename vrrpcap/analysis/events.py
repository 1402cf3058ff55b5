"""What the engine tells as it goes: mastership starts and ends, failovers, merges, first sightings.

Every event names its virtual router by its stable id and carries the VRID, so no consumer parses an id.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrrpcap.findings import Finding
from vrrpcap.report.model import EndCause, Failover


@dataclass(frozen=True, slots=True)
class MasterStarted:
    vr: str
    router: str
    time: float
    priority: int
    frame: int
    vrid: int


@dataclass(frozen=True, slots=True)
class MasterEnded:
    vr: str
    router: str
    time: float
    cause: EndCause
    vrid: int
    priority: int | None  # the last non-zero priority it advertised


@dataclass(frozen=True, slots=True)
class FailoverEvent:
    failover: Failover


@dataclass(frozen=True, slots=True)
class FindingEvent:
    """A finding's first sighting; the final report holds it with all its evidence."""

    finding: Finding


@dataclass(frozen=True, slots=True)
class VirtualRouterMerged:
    """Adverts joined two peer groups (or VIP clusters) seen apart until now: ``absorbed`` is now part
    of ``into``, whose id stays; the report lists only ``into``."""

    absorbed: str
    into: str
    time: float
    vrid: int


Event = MasterStarted | MasterEnded | FailoverEvent | FindingEvent | VirtualRouterMerged
