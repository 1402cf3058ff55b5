"""The counters only events tell: failovers and takeovers, runs started and ended, findings.

Fed the engine's events as they come (a few per change of master, none per repeated advert), so
keeping them costs nothing on the capture's hot path. Everything is keyed by the virtual router's
stable id; when the engine merges two virtual routers, the absorbed one's counts move to the survivor
(the `VirtualRouterMerged` event), as the finding book re-homes its entries.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from vrrpcap.analysis.events import (
    Event,
    FailoverEvent,
    FindingEvent,
    MasterEnded,
    MasterStarted,
    VirtualRouterMerged,
)
from vrrpcap.findings import Finding
from vrrpcap.metrics.catalogue import TAKEOVER_BUCKETS
from vrrpcap.report.model import FailoverCause

CAUSES: tuple[FailoverCause, ...] = ("silence", "priority-0", "preempted")
RELEASES = frozenset({"silence", "priority-0", "yielded"})  # capture-end and open are not a release


@dataclass(slots=True)
class RouterTally:
    became: int = 0
    released: int = 0
    resigned: int = 0  # runs ended by a priority-0 advert

    def add(self, other: RouterTally) -> None:
        self.became += other.became
        self.released += other.released
        self.resigned += other.resigned


@dataclass(slots=True)
class VirtualRouterTally:
    failovers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CAUSES, 0))
    buckets: list[int] = field(default_factory=lambda: [0] * (len(TAKEOVER_BUCKETS) + 1))  # the last: +Inf
    takeover_sum: float = 0.0
    takeovers: int = 0
    last_failover: float | None = None
    last_takeover: float | None = None
    routers: dict[str, RouterTally] = field(default_factory=dict)

    def router(self, address: str) -> RouterTally:
        found = self.routers.get(address)
        if found is None:
            found = self.routers[address] = RouterTally()
        return found

    def observe_takeover(self, seconds: float) -> None:
        self.buckets[bisect_left(TAKEOVER_BUCKETS, seconds)] += 1  # le is inclusive: bisect_left
        self.takeover_sum += seconds
        self.takeovers += 1

    def add(self, other: VirtualRouterTally) -> None:
        for cause, count in other.failovers.items():
            self.failovers[cause] = self.failovers.get(cause, 0) + count
        self.buckets = [a + b for a, b in zip(self.buckets, other.buckets, strict=True)]
        self.takeover_sum += other.takeover_sum
        self.takeovers += other.takeovers
        if other.last_failover is not None and (self.last_failover is None or other.last_failover > self.last_failover):
            self.last_failover, self.last_takeover = other.last_failover, other.last_takeover
        for address, counts in other.routers.items():
            self.router(address).add(counts)


FindingKey = tuple[str, str]  # code, severity


class Tally:
    """Event-fed counters by virtual router id; findings by what they name (an id, a segment, nothing)."""

    def __init__(self, ignored: frozenset[str] = frozenset()) -> None:
        self.virtual_routers: dict[str, VirtualRouterTally] = {}
        self.findings: dict[str | None, dict[FindingKey, int]] = {}
        self._ignored = ignored
        self._announced: set[tuple[str, str | None, str]] = set()

    def of(self, vr: str) -> VirtualRouterTally:
        found = self.virtual_routers.get(vr)
        if found is None:
            found = self.virtual_routers[vr] = VirtualRouterTally()
        return found

    def observe(self, events: Iterable[Event]) -> None:
        for event in events:
            if isinstance(event, MasterStarted):
                self.of(event.vr).router(event.router).became += 1
            elif isinstance(event, MasterEnded):
                if event.cause in RELEASES:
                    counts = self.of(event.vr).router(event.router)
                    counts.released += 1
                    if event.cause == "priority-0":
                        counts.resigned += 1
            elif isinstance(event, FailoverEvent):
                f = event.failover
                tally = self.of(f.vr)
                tally.failovers[f.cause] += 1
                tally.last_failover, tally.last_takeover = f.time, f.takeover_s
                if f.takeover_s is not None:
                    tally.observe_takeover(f.takeover_s)
            elif isinstance(event, FindingEvent):
                self._finding(event.finding, repeat=True)
            elif isinstance(event, VirtualRouterMerged):
                self._merge(event.absorbed, event.into)

    def report_findings(self, findings: Iterable[Finding]) -> None:
        """Findings of a snapshot or report: those not announced as events yet are counted once."""
        for finding in findings:
            self._finding(finding, repeat=False)

    def _finding(self, finding: Finding, repeat: bool) -> None:
        # Events are each a new entry of the finding book (one per code, virtual router and subject);
        # a snapshot's findings are summaries, counted only when no event announced the same kind.
        if finding.code in self._ignored:
            return
        severity = finding.severity.label
        key = (finding.code, finding.vr, severity)
        if not repeat and key in self._announced:
            return
        self._announced.add(key)
        counts = self.findings.setdefault(finding.vr, {})
        counts[(finding.code, severity)] = counts.get((finding.code, severity), 0) + 1

    def _merge(self, absorbed: str, into: str) -> None:
        moved = self.virtual_routers.pop(absorbed, None)
        if moved is not None:
            self.of(into).add(moved)
        findings = self.findings.pop(absorbed, None)
        if findings is not None:
            target = self.findings.setdefault(into, {})
            for key, count in findings.items():
                target[key] = target.get(key, 0) + count
        self._announced = {(c, into if v == absorbed else v, s) for c, v, s in self._announced}
