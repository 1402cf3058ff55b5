"""Timing: gaps in a master's stream (VRRP-MISSED-ADVERTS), outages nobody covered (its error form), and
who lost the adverts (`cause`: lossproof.py per stream; blind.py for silences every master shares)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from vrrpcap.analysis.book import Entry, FindingBook
from vrrpcap.analysis.detectors.base import Detector, ReportView
from vrrpcap.analysis.detectors.blind import blind_windows
from vrrpcap.analysis.detectors.lossproof import ID_SPACE, Loss, Stream
from vrrpcap.analysis.options import Options, ip_key
from vrrpcap.analysis.repeats import Repeats
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, Finding, LossCause, Severity
from vrrpcap.report.model import InputSummary

CODE = "VRRP-MISSED-ADVERTS"

_SAYS: dict[LossCause, str] = {
    "capture": "the capture lost them",
    "router": "the router did not send them",
    "mixed": "the capture lost some and the router did not send others",
    "unknown": "whether the capture or the router lost them cannot be told",
}


def _said(cause: LossCause, lost: int) -> str:
    """Who lost them, with the count the IDs give (the capture's share) when they give one."""
    if lost and cause == "capture":
        return f"the capture lost {lost} of them"
    if lost and cause == "mixed":
        return f"the capture lost {lost} of them and the router did not send the others"
    return _SAYS[cause]


@dataclass(slots=True)
class Gaps:
    """One router's gaps while master; ``missed`` is read by vrrpcap.metrics as well as worded here."""

    router: Router
    missed: int = 0
    longest: float = 0.0
    loss: Loss = field(default_factory=Loss)


@dataclass(slots=True)
class _Outages:
    gaps: list[tuple[float, float, str]] = field(default_factory=list)  # silent from, back at, router
    loss: Loss = field(default_factory=Loss)


class MissedAdverts(Detector):
    def __init__(self, book: FindingBook, options: Options) -> None:
        super().__init__(book, options)
        # Per sender and destination: the last advert's time and IPv4 ID (bounded by routers and peers).
        self._streams: dict[tuple[Router, str], Stream] = {}
        self._drops: dict[str, int] = {}  # input -> packets its capture says it dropped

    def advert(self, vr: VirtualRouter, router: Router, a: Advert) -> None:
        # Every advert moves its stream on (a backup's silence is the IDs' business too); the common
        # case, the next advert on time, is inlined: it runs once per advert.
        t, ip_id = a.time, a.ip_id
        key = (router, a.dst)
        stream = self._streams.get(key)
        if stream is None:
            self._streams[key] = Stream(t, ip_id)
            return  # its first advert: per_peer_last has no earlier one either
        interval = router.interval
        limit = interval * self.options.missed_factor
        if t - stream.last_time <= limit:
            last = stream.last_id
            stream.last_time, stream.last_id = t, ip_id
            if last is not None and ip_id is not None:
                stream.pairs += 1
                if (ip_id - last) % ID_SPACE == 1:
                    stream.steps_of_one += 1
            return  # in an open run, per_peer_last[dst] is this stream's last advert too: no gap there either
        stream.see(t, ip_id, max(1, round((t - stream.last_time) / interval) - 1))
        if router.run is None:
            return
        previous = router.per_peer_last.get(a.dst)  # per destination: each unicast peer's stream on its own
        if previous is None:
            return
        gap = t - previous
        if gap <= limit:
            return
        entry, new = self.book.sight((CODE, vr.id, router.address), vr.vrid, a, lambda: Gaps(router), self._gaps)
        entry.first = min(entry.first, previous)
        entry.detail.router = router
        entry.detail.missed += max(1, round(gap / interval) - 1)
        entry.detail.longest = max(entry.detail.longest, gap)
        entry.detail.loss.add(stream, a.file)
        if new:
            self.book.announce(entry)

    def foldable(self, vr: VirtualRouter, router: Router, a: Advert) -> bool:
        # Repeats within the gap limit only move the stream on (the inline case of `advert`).
        stream = self._streams.get((router, a.dst))
        return stream is not None and stream.last_time == a.time and stream.last_id == a.ip_id

    def folded(self, vr: VirtualRouter, router: Router, a: Advert, repeats: Repeats) -> None:
        stream = self._streams[(router, a.dst)]
        stream.last_time, stream.last_id = repeats.last, repeats.ip_id
        stream.pairs += repeats.id_pairs
        stream.steps_of_one += repeats.id_steps

    def resumed(self, vr: VirtualRouter, router: Router, silent_from: float, a: Advert) -> None:
        entry, new = self.book.sight((CODE, vr.id, ""), vr.vrid, a, _Outages, self._outages)
        entry.first = min(entry.first, silent_from)
        entry.detail.gaps.append((silent_from, a.time, router.address))
        stream = self._streams.get((router, a.dst))
        if stream is not None:  # the advert hook has just read this gap
            entry.detail.loss.add(stream, a.file)
        if new:
            self.book.announce(entry)

    def ended(self, inputs: Sequence[InputSummary]) -> None:
        self._drops = {i.path: i.capture_drops for i in inputs if i.capture_drops}

    def report_findings(self, view: ReportView) -> list[Finding]:
        return blind_windows(view)

    def _gaps(self, entry: Entry[Gaps]) -> Finding:
        g = entry.detail
        cause, why, lost = g.loss.verdict(self._drops)
        return Finding(
            CODE,
            CODES[CODE].severity,
            entry.vr,
            entry.first,
            entry.last,
            (g.router.address,),
            f"{g.router.address} missed about {g.missed} advert(s) while master, in {entry.count} gap(s); "
            f"longest gap {g.longest:.2f} s (interval {g.router.interval:g} s); {_said(cause, lost)}: {why}",
            tuple(entry.evidence),
            entry.count,
            entry.vrid,
            cause=cause,
        )

    def _outages(self, entry: Entry[_Outages]) -> Finding:
        gaps = entry.detail.gaps
        longest = max(end - start for start, end, _ in gaps)
        cause, why, lost = entry.detail.loss.verdict(self._drops)
        if cause == "capture" and lost:
            # The IDs prove the master kept advertising: the virtual router had one; only the capture did not.
            severity = Severity.WARNING
            head = (
                f"the capture lost {lost} advert(s) of the master in {len(gaps)} silence(s) of up to "
                f"{longest:.1f} s (longer than its Master_Down_Interval, and no backup took over)"
            )
        else:
            severity = Severity.ERROR
            head = (
                f"no master for {longest:.1f} s: the master went silent for longer than its "
                f"Master_Down_Interval and no backup took over ({len(gaps)} time(s))"
            )
        return Finding(
            CODE,
            severity,
            entry.vr,
            entry.first,
            entry.last,
            tuple(sorted({g[2] for g in gaps}, key=ip_key)),
            f"{head}: {why}" if severity == Severity.WARNING else f"{head}; {_said(cause, lost)}: {why}",
            tuple(entry.evidence),
            entry.count,
            entry.vrid,
            cause=cause,
        )
