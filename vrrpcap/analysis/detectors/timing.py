"""Timing: gaps in a master's stream (VRRP-MISSED-ADVERTS) and outages nobody covered (its error form)."""

from __future__ import annotations

from dataclasses import dataclass, field

from vrrpcap.analysis.book import Entry
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.options import ip_key
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, Finding, Severity

CODE = "VRRP-MISSED-ADVERTS"


@dataclass(slots=True)
class Gaps:
    """One router's gaps while master; ``missed`` is read by vrrpcap.metrics as well as worded here."""

    router: Router
    missed: int = 0
    longest: float = 0.0


@dataclass(slots=True)
class _Outages:
    gaps: list[tuple[float, float, str]] = field(default_factory=list)  # silent from, back at, router


class MissedAdverts(Detector):
    def advert(self, vr: VirtualRouter, router: Router, a: Advert) -> None:
        if router.run is None:
            return
        previous = router.per_peer_last.get(a.dst)  # per destination: each unicast peer's stream on its own
        if previous is None:
            return
        gap = a.time - previous
        if gap <= router.interval * self.options.missed_factor:
            return
        entry, new = self.book.sight((CODE, vr.id, router.address), vr.vrid, a, lambda: Gaps(router), _gaps)
        entry.first = min(entry.first, previous)
        entry.detail.router = router
        entry.detail.missed += max(1, round(gap / router.interval) - 1)
        entry.detail.longest = max(entry.detail.longest, gap)
        if new:
            self.book.announce(entry)

    def resumed(self, vr: VirtualRouter, router: Router, silent_from: float, a: Advert) -> None:
        entry, new = self.book.sight((CODE, vr.id, ""), vr.vrid, a, _Outages, _outages)
        entry.first = min(entry.first, silent_from)
        entry.detail.gaps.append((silent_from, a.time, router.address))
        if new:
            self.book.announce(entry)


def _gaps(entry: Entry[Gaps]) -> Finding:
    g = entry.detail
    return Finding(
        CODE,
        CODES[CODE].severity,
        entry.vr,
        entry.first,
        entry.last,
        (g.router.address,),
        f"{g.router.address} missed about {g.missed} advert(s) while master, in {entry.count} gap(s); "
        f"longest gap {g.longest:.2f} s (interval {g.router.interval:g} s)",
        tuple(entry.evidence),
        entry.count,
        entry.vrid,
    )


def _outages(entry: Entry[_Outages]) -> Finding:
    gaps = entry.detail.gaps
    longest = max(end - start for start, end, _ in gaps)
    return Finding(
        CODE,
        Severity.ERROR,
        entry.vr,
        entry.first,
        entry.last,
        tuple(sorted({g[2] for g in gaps}, key=ip_key)),
        f"no master for {longest:.1f} s: the master went silent for longer than its "
        f"Master_Down_Interval and no backup took over ({len(gaps)} time(s))",
        tuple(entry.evidence),
        entry.count,
        entry.vrid,
    )
