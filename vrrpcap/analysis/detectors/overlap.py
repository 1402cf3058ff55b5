"""Overlapping masters: VRRP-SPLIT-BRAIN (longer than the settle window) and VRRP-PRIORITY-TIE.

An overlap episode lasts while at least two routers of one virtual router are advertising as master;
it becomes a split brain once it outlasts settle_intervals x the longest interval. Shorter ones are
preemptions and start-up races: failovers, not this.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vrrpcap.analysis.book import Entry, FindingBook
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.options import Options, ip_key
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, MAX_EVIDENCE, Evidence, Finding


@dataclass(slots=True, eq=False)
class _Episode:
    vr: VirtualRouter
    start: float
    last: float
    routers: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)
    reported: bool = False


@dataclass(slots=True)
class _Tie:
    vr: VirtualRouter
    routers: set[str] = field(default_factory=set)


class Overlap(Detector):
    def __init__(self, book: FindingBook, options: Options) -> None:
        super().__init__(book, options)
        self._open: dict[VirtualRouter, _Episode] = {}

    def after(self, vr: VirtualRouter, router: Router, a: Advert) -> None:
        episode = self._open.get(vr)
        if episode is None and vr.open_runs < 2:
            return  # fewer than two open runs: no overlap, and none ends
        t = a.time
        active = vr.active(t, self.options.missed_factor)
        if len(active) < 2:
            if episode is not None:
                del self._open[vr]
            return
        if episode is None:
            episode = self._open[vr] = _Episode(vr, t, t)
        # The overlap lasts as long as at least two of them have advertised: up to the second-latest advert.
        episode.last = sorted(r.run.last for r in active if r.run is not None)[-2]
        episode.routers |= {r.address for r in active}
        if len(episode.evidence) < MAX_EVIDENCE:
            episode.evidence.append(Evidence(a.file, a.frame))
        priorities = [r.rank()[0] if r.segment.protocol == "carp" else r.last_priority for r in active]
        if len(set(priorities)) < len(priorities):
            entry, new = self.book.sight(("VRRP-PRIORITY-TIE", vr.id, ""), vr.vrid, a, lambda: _Tie(vr), _describe_tie)
            entry.detail.routers.update(episode.routers)
            if new:
                self.book.announce(entry)
        settle = self.options.settle_intervals * max(r.interval for r in active)
        if not episode.reported and episode.last - episode.start > settle:
            episode.reported = True
            reported = episode
            split, _ = self.book.sight(
                ("VRRP-SPLIT-BRAIN", vr.id, repr(episode.start)), vr.vrid, a, lambda: reported, _describe_split
            )
            self.book.announce(split)


def _describe_tie(entry: Entry[_Tie]) -> Finding:
    routers = tuple(sorted(entry.detail.routers, key=ip_key))
    return Finding(
        "VRRP-PRIORITY-TIE",
        CODES["VRRP-PRIORITY-TIE"].severity,
        entry.vr,
        entry.first,
        entry.last,
        routers,
        f"{' and '.join(routers)} competed for master with "
        + (
            "equal advbase and advskew (decided by the lower IP address)"
            if entry.detail.vr.key.segment.protocol == "carp"
            else "equal priority (decided by the higher IP address)"
        ),
        tuple(entry.evidence),
        entry.count,
        entry.vrid,
    )


def _describe_split(entry: Entry[_Episode]) -> Finding:
    episode = entry.detail
    vr = episode.vr.current()
    routers = tuple(sorted(episode.routers, key=ip_key))
    members = [vr.routers[a] for a in routers if a in vr.routers]
    why = []
    carp = vr.key.segment.protocol == "carp"
    intervals = {r.interval for r in members}
    if len(intervals) > 1 and not carp:  # CARP's intervals differ by design (advbase + advskew/256)
        why.append(
            "their advert intervals differ ("
            + " vs ".join(f"{i:g} s" for i in sorted(intervals))
            + "), so each drops the other's adverts"
        )
    deliveries = {d for r in members for d in r.deliveries}
    if len(deliveries) > 1:
        why.append("one side sends multicast and the other unicast, so neither hears the other")
    versions = {v for r in members for v in r.versions}
    if len(versions) > 1:
        why.append("they speak different VRRP versions")
    reason = ("; " + "; ".join(why)) if why else ": they do not hear each other"
    if carp:
        reason += f" (or two CARP groups share vhid {vr.vrid} with different passwords: each drops the other's)"
    return Finding(
        "VRRP-SPLIT-BRAIN",
        CODES["VRRP-SPLIT-BRAIN"].severity,
        entry.vr,
        episode.start,
        episode.last,
        routers,
        f"{' and '.join(routers)} were master at the same time for {episode.last - episode.start:.1f} s" + reason,
        tuple(episode.evidence),
        1,
        entry.vrid,
    )
