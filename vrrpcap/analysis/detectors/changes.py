"""Changes of master and of priority: VRRP-FAILOVER, VRRP-FLAPPING, VRRP-PRIORITY-CHANGE, -ZERO."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from vrrpcap.analysis.book import Entry, FindingBook
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.detectors.content import constant, describe_message
from vrrpcap.analysis.options import Options, ip_key
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, Finding
from vrrpcap.report.model import Failover


class Failovers(Detector):
    """VRRP-FAILOVER: one info finding per change of master."""

    def failover(self, vr: VirtualRouter, failover: Failover, a: Advert) -> None:
        subject = f"{failover.from_router}>{failover.to_router}@{failover.time!r}#{failover.frame}"
        entry, new = self.book.sight(("VRRP-FAILOVER", vr.id, subject), vr.vrid, a, lambda: failover, _failover)
        if new:
            self.book.announce(entry)


def _failover(entry: Entry[Failover]) -> Finding:
    f = entry.detail
    return Finding(
        "VRRP-FAILOVER",
        CODES["VRRP-FAILOVER"].severity,
        entry.vr,
        f.time,
        f.time,
        (f.from_router or "", f.to_router),
        f"master changed from {f.from_router} to {f.to_router} "
        f"({'; '.join(part for part in (f.takeover_text(), f.rule_text()) if part)})",
        tuple(entry.evidence),
        1,
        entry.vrid,
    )


@dataclass(slots=True)
class _Flaps:
    vr: VirtualRouter  # after a merge, the survivor
    window: float
    changes: int = 0  # master changes while flapping, the ones that made it flapping included
    peak: int = 0  # the most changes seen within one window
    routers: set[str] = field(default_factory=set)  # the routers those changes went between


class Flapping(Detector):
    """VRRP-FLAPPING: more than flap_changes master changes within flap_window seconds."""

    def __init__(self, book: FindingBook, options: Options) -> None:
        super().__init__(book, options)
        self._changes: dict[VirtualRouter, deque[Failover]] = {}

    def failover(self, vr: VirtualRouter, failover: Failover, a: Advert) -> None:
        window = self.options.flap_window
        recent = self._changes.setdefault(vr, deque())
        recent.append(failover)
        while recent and a.time - recent[0].time > window:
            recent.popleft()
        if len(recent) <= self.options.flap_changes:
            return
        entry, new = self.book.sight(("VRRP-FLAPPING", vr.id, ""), vr.vrid, a, lambda: _Flaps(vr, window), _flapping)
        flaps = entry.detail
        flaps.vr = vr
        # The changes that crossed the threshold count too: on the first sighting, all in the window.
        counted = recent if new else (failover,)
        flaps.changes += len(counted)
        flaps.peak = max(flaps.peak, len(recent))
        for change in counted:
            flaps.routers.update(r for r in (change.from_router, change.to_router) if r)
        if new:
            entry.first = recent[0].time
            self.book.announce(entry)


def _flapping(entry: Entry[_Flaps]) -> Finding:
    flaps = entry.detail
    routers = tuple(sorted(flaps.routers, key=ip_key))
    return Finding(
        "VRRP-FLAPPING",
        CODES["VRRP-FLAPPING"].severity,
        entry.vr,
        entry.first,
        entry.last,
        routers,
        f"master changed {flaps.changes} times between {_listed(routers)} "
        f"(up to {flaps.peak} within {flaps.window:g} s)",
        tuple(entry.evidence),
        flaps.changes,
        entry.vrid,
    )


def _listed(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


class Priorities(Detector):
    """VRRP-PRIORITY-CHANGE (a track weight at work) and VRRP-PRIORITY-ZERO (a master resigning)."""

    def advert(self, vr: VirtualRouter, router: Router, a: Advert) -> None:
        priority, previous = a.priority, router.last_priority
        if a.kind == "carp":  # CARP's counterpart: advskew (a demoted FreeBSD router raises it)
            if a.advskew is not None and previous is not None and a.advskew != previous:
                self._sight(
                    "VRRP-PRIORITY-CHANGE",
                    vr,
                    router,
                    a,
                    f"{router.address} changed its advertised CARP advskew ({previous} -> {a.advskew}) on "
                    f"vhid {vr.vrid}: a demotion or a configuration change",
                )
            return
        if priority and previous and priority != previous:
            self._sight(
                "VRRP-PRIORITY-CHANGE",
                vr,
                router,
                a,
                f"{router.address} changed its advertised priority ({previous} -> {priority}): "
                "a tracked script or interface with a weight",
            )
        elif priority == 0:
            self._sight(
                "VRRP-PRIORITY-ZERO",
                vr,
                router,
                a,
                f"{router.address} resigned as master (priority 0): shutdown, stop or FAULT",
            )

    def foldable(self, vr: VirtualRouter, router: Router, a: Advert) -> bool:
        # A repeat of a non-zero priority the router advertises now changes nothing here.
        return a.kind == "advert" and bool(a.priority) and a.priority == router.last_priority

    def _sight(self, code: str, vr: VirtualRouter, router: Router, a: Advert, message: str) -> None:
        entry, new = self.book.sight((code, vr.id, router.address), vr.vrid, a, constant(message), describe_message)
        if new:
            self.book.announce(entry)
