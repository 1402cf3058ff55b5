"""One scrape: the engine's state as it stands and the tally's counters, as sample lines per family.

Read, never computed: a router's advert counts and last priority, its open run and how the last one
ended, a virtual router's open runs are the engine's own working state (vrrpcap/analysis/state.py);
failovers, runs and findings come from the event tally. Nothing is summarised, no report is built,
so a scrape costs a pass over the virtual routers and their routers.

Series expire: a router not heard for ``expiry`` seconds of wire time is left out (VRRP backups are
silent, so a backup that has been one that long leaves too), and a virtual router all of whose
routers are left out goes with them; they come back, counters intact, with their next advert.
``max_series`` bounds what one exposition holds: virtual routers are taken in the order they were
first seen until one does not fit, that one and the rest are counted as omitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vrrpcap import __version__
from vrrpcap.analysis import Engine
from vrrpcap.analysis.detectors.timing import CODE as MISSED_CODE
from vrrpcap.analysis.detectors.timing import Gaps
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.metrics import catalogue as c
from vrrpcap.metrics.catalogue import TAKEOVER_BUCKETS, Family
from vrrpcap.metrics.exposition import number, sample
from vrrpcap.metrics.labels import Labels, escape, render
from vrrpcap.metrics.tally import CAUSES, RouterTally, Tally, VirtualRouterTally
from vrrpcap.metrics.templates import STATES, RouterLines, VirtualRouterLines
from vrrpcap.report.model import InputSummary

_STATE_OF_END = {"priority-0": "resigned", "yielded": "backup", "silence": "silent", "capture-end": "master"}
_NO_TALLY = VirtualRouterTally()
_NO_ROUTER = RouterTally()
VIRTUAL_ROUTER_SERIES = 9 + len(TAKEOVER_BUCKETS) + 3  # the gauges and counters, the histogram's buckets, count, sum
ROUTER_SERIES = 2 + 1 + len(STATES) + 4


@dataclass(frozen=True, slots=True)
class Scope:
    """What is exported: series expiry, the cardinality bound, and the --vrid selection."""

    expiry: float | None = 3600.0  # seconds of wire time; None: never
    max_series: int = 100_000
    vrids: frozenset[int] = frozenset()


def state_of(router: Router, active: list[Router], now: float, factor: float) -> str:
    """The router's state; ``active`` are its virtual router's routers advertising as master now.

    A run stays open until its Master_Down_Interval runs out, but a master that fell quiet while a
    better router advertises has stood down already (the engine will close it as `yielded`)."""
    run = router.run
    if run is None:
        return _STATE_OF_END.get(router.last_end_cause or "silence", "silent")
    if now - run.last > router.interval * factor and any(r.rank() > router.rank() for r in active):
        return "backup"
    return "master"


class Scrape:
    """Builds one exposition's sample lines, family by family, in one pass over the virtual routers."""

    def __init__(self, engine: Engine, tally: Tally, labels: Labels, scope: Scope) -> None:
        self.engine = engine
        self.tally = tally
        self.labels = labels
        self.scope = scope
        self.lines: dict[Family, list[str]] = {family: [] for family in c.FAMILIES}

    def run(self, inputs: Sequence[InputSummary]) -> list[tuple[Family, list[str]]]:
        engine, scope = self.engine, self.scope
        now = engine.now or 0.0
        out = self.lines
        used = omitted = expired = 0
        segments: dict[str, int] = {}
        named: set[str | None] = {None}
        for vr in engine.placement.virtual_routers:
            if scope.vrids and vr.vrid not in scope.vrids:
                continue
            routers = [r for r in vr.routers.values() if scope.expiry is None or now - r.last_seen <= scope.expiry]
            if not routers:
                expired += 1
                continue
            lines = self.labels.virtual_router(vr)
            findings = self.tally.findings.get(lines.id, {})
            cost = VIRTUAL_ROUTER_SERIES + ROUTER_SERIES * len(routers) + len(findings)
            if omitted or used + cost > scope.max_series:  # a prefix in first-sighting order: stable
                omitted += 1
                continue
            used += cost
            self._virtual_router(vr, lines, routers, now)
            segment = self.labels.segment(vr.key.segment)
            named.add(vr.key.segment.label())
            if any(r.multicast_adverts for r in routers):
                segments[segment] = segments.get(segment, 0) + 1
            else:
                segments.setdefault(segment, 0)
            self._findings(findings, lines.labels)
        for segment, count in segments.items():
            out[c.MULTICAST_VRS].append(sample(c.MULTICAST_VRS.name, segment, count))
        self._other_findings(named)
        self._sensor(inputs, now, omitted, expired)
        return [(family, out[family]) for family in c.FAMILIES]

    # -- virtual routers and routers -------------------------------------------------------------
    def _virtual_router(self, vr: VirtualRouter, t: VirtualRouterLines, routers: list[Router], now: float) -> None:
        out = self.lines
        tally = self.tally.virtual_routers.get(t.id, _NO_TALLY)
        factor = self.engine.options.missed_factor
        active: list[Router] = []
        top: Router | None = None
        latest: Router = routers[0]
        ended = None
        for r in vr.routers.values():
            if r.run is not None:
                if now - r.run.last <= r.interval * factor:
                    active.append(r)
                if top is None or r.rank() > top.rank():
                    top = r
            elif r.last_end is not None and (ended is None or r.last_end > ended):
                ended = r.last_end
            if r.last_seen > latest.last_seen:
                latest = r
        out[c.MASTERS].append(f"{t.masters}{len(active)}\n")
        without = 0.0 if top is not None or ended is None else max(0.0, now - ended)
        out[c.WITHOUT_MASTER].append(f"{t.without_master}{number(without)}\n")
        out[c.INTERVAL].append(f"{t.interval}{number((top or latest).interval)}\n")
        failovers = out[c.FAILOVERS]
        for prefix, cause in zip(t.failovers, CAUSES, strict=True):
            failovers.append(f"{prefix}{tally.failovers[cause]}\n")
        if tally.last_failover is not None:
            out[c.LAST_FAILOVER].append(f"{t.last_failover}{number(tally.last_failover)}\n")
        if tally.last_takeover is not None:
            out[c.LAST_TAKEOVER].append(f"{t.last_takeover}{number(tally.last_takeover)}\n")
        histogram = out[c.TAKEOVER]
        total = 0
        for prefix, count in zip(t.buckets, tally.buckets, strict=True):
            total += count
            histogram.append(f"{prefix}{total}\n")
        histogram.append(f"{t.count}{tally.takeovers}\n")
        histogram.append(f"{t.sum}{number(tally.takeover_sum)}\n")
        if top is not None:
            out[c.MASTER].append(self.labels.router(t, top).master_info)
        for r in routers:
            state = state_of(r, active, now, factor)
            self._router(t.id, r, state, self.labels.router(t, r), tally.routers.get(r.address, _NO_ROUTER))

    def _router(self, vr_id: str, r: Router, state: str, t: RouterLines, counts: RouterTally) -> None:
        out = self.lines
        adverts = out[c.ROUTER_ADVERTS]
        unicast = r.adverts - r.multicast_adverts
        if r.multicast_adverts or not unicast:
            adverts.append(f"{t.multicast}{r.multicast_adverts}\n")
        if unicast:
            adverts.append(f"{t.unicast}{unicast}\n")
        priority = 0 if state == "resigned" else r.last_priority or 0
        out[c.ROUTER_PRIORITY].append(f"{t.priority}{priority}\n")
        states = out[c.ROUTER_STATE]
        for name, (off, on) in t.states.items():
            states.append(on if name == state else off)
        out[c.BECOME_MASTER].append(f"{t.became}{counts.became}\n")
        out[c.RELEASE_MASTER].append(f"{t.released}{counts.released}\n")
        out[c.PRIORITY_ZERO].append(f"{t.resigned}{counts.resigned}\n")
        entry = self.engine.book.get((MISSED_CODE, vr_id, r.address))
        missed = entry.detail.missed if entry is not None and isinstance(entry.detail, Gaps) else 0
        out[c.MISSED].append(f"{t.missed}{missed}\n")

    # -- findings ---------------------------------------------------------------------------------
    def _findings(self, findings: dict[tuple[str, str], int], labels: str) -> None:
        lines = self.lines[c.FINDINGS]
        for (code, severity), count in sorted(findings.items()):
            extra = f'code="{escape(code)}",severity="{severity}"'
            lines.append(sample("vrrpcap_findings_total", f"{labels},{extra}" if labels else extra, count))

    def _other_findings(self, named: set[str | None]) -> None:
        """Findings that name a segment (a VRID collision) or nothing (capture drops)."""
        segments = {vr.key.segment.label(): vr.key.segment for vr in self.engine.placement.virtual_routers}
        for vr, findings in self.tally.findings.items():
            if vr is None:
                self._findings(findings, "")
            elif vr in segments and vr in named:
                self._findings(findings, self.labels.segment(segments[vr]))

    # -- the sensor and its captures -----------------------------------------------------------------
    def _sensor(self, inputs: Sequence[InputSummary], now: float, omitted: int, expired: int) -> None:
        import platform

        out = self.lines
        build = render([("version", __version__), ("python", platform.python_version())])
        out[c.BUILD].append(sample("vrrpcap_build_info", build, 1))
        out[c.UP].append(sample(c.UP.name, "", 0 if any(i.problems for i in inputs) else 1))
        out[c.ANALYSIS_TIME].append(sample(c.ANALYSIS_TIME.name, "", now))
        out[c.OMITTED].append(sample(c.OMITTED.name, "", omitted))
        out[c.EXPIRED].append(sample(c.EXPIRED.name, "", expired))
        for item in inputs:
            labels = render([("interface", item.path)])
            out[c.CAPTURE_FRAMES].append(sample("vrrpcap_capture_frames_total", labels, item.packets))
            out[c.CAPTURE_ADVERTS].append(sample("vrrpcap_capture_adverts_total", labels, item.adverts))
            if item.capture_drops is not None:
                out[c.CAPTURE_DROPS].append(sample("vrrpcap_capture_dropped_packets_total", labels, item.capture_drops))
