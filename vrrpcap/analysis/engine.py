"""The analysis engine: adverts in, events out, a report at the end.

Fed one advert at a time in time order (a capture file or a live interface alike). The engine owns
identity (placement.py) and mastership (mastership.py) and raises hooks; detectors turn them into
findings in one book (book.py). Memory grows with routers, mastership changes and findings, never with
packets. Events are returned as soon as they are certain; `finish()` builds the report.

Speed comes from caching, never from a second copy of the rules: an advert whose content repeats an
earlier one reuses that one's placement (while the segment's groups are unchanged) and per-advert
verdicts, and leaves the router's record of what it announced as it is; every stateful rule runs
for every advert. ``caching = False`` turns the caches off: the reference the tests compare with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vrrpcap.analysis.book import FindingBook
from vrrpcap.analysis.detectors import ContentChecks, Detector, ReportView, make_detectors
from vrrpcap.analysis.detectors.content import Verdict, check
from vrrpcap.analysis.events import Event, FindingEvent, VirtualRouterMerged
from vrrpcap.analysis.identity import Segment, quoted_segment, segment_of
from vrrpcap.analysis.mastership import Mastership
from vrrpcap.analysis.options import Options
from vrrpcap.analysis.placement import Placement, SegmentIndex
from vrrpcap.analysis.repeats import Offer, PairRepeats, PairStart, Repeats
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.analysis.summary import Summarizer
from vrrpcap.analysis.vantage import VantageMiss
from vrrpcap.decode import Advert
from vrrpcap.findings import MAX_EVIDENCE, Finding
from vrrpcap.report.model import Failover, InputSummary
from vrrpcap.report.model import VirtualRouter as VirtualRouterSummary
from vrrpcap.report.report import Report

CACHE_SIZE = 65536  # distinct advert contents remembered; cleared when full

# A placement with the version of its segment's index it was made at, and the content's verdicts.
# The key itself comes last: the router's profile is then the same object for every repeat.
_Memo = tuple[VirtualRouter, Router, SegmentIndex, int, tuple[Verdict, ...], object]


def _hooks(detectors: list[Detector], name: str) -> tuple[Any, ...]:
    """The bound hooks of the detectors that override ``name``."""
    return tuple(getattr(d, name) for d in detectors if _overrides(d, name))


def _overrides(detector: Detector, name: str) -> bool:
    return getattr(type(detector), name) is not getattr(Detector, name)


class Engine:
    """Feed adverts in time order; collect events; call finish() for the report."""

    def __init__(self, options: Options | None = None, detectors: Sequence[type[Detector]] | None = None) -> None:
        self.options = options or Options()
        self.now: float | None = None
        self._caching = True
        self._events: list[Event] = []
        self.book = FindingBook(self._events_append)
        self.placement = Placement(self._merged)
        self.mastership = Mastership(self.options, self._events_append, self._failover, self._resumed)
        self._deadlines = self.mastership.deadlines  # the same heap: its head is looked at per advert
        self._content = ContentChecks(self.book, self.options)
        kinds = tuple(detectors) if detectors is not None else None
        self.detectors = make_detectors(self.book, self.options, *(() if kinds is None else (kinds,)))
        self._on_joined = _hooks(self.detectors, "joined")
        self._on_advert = _hooks(self.detectors, "advert")
        self._on_after = _hooks(self.detectors, "after")
        self._on_malformed = _hooks(self.detectors, "malformed")
        self._on_quote = _hooks(self.detectors, "quote")
        self._on_failover = _hooks(self.detectors, "failover")
        self._on_refused = _hooks(self.detectors, "refused")
        self._on_resumed = _hooks(self.detectors, "resumed")
        self._on_missed = _hooks(self.detectors, "missed")
        self._on_ended = _hooks(self.detectors, "ended")
        # Who must agree before a repeat skips the per-advert hooks: every detector that has them.
        self._on_foldable = tuple(
            d.foldable for d in self.detectors if _overrides(d, "advert") or _overrides(d, "after")
        )
        self._on_folded = _hooks(self.detectors, "folded")
        self._on_pairing = _hooks(self.detectors, "pairing")
        self._on_folded_pair = _hooks(self.detectors, "folded_pair")
        self._memo: dict[tuple[Any, ...], _Memo] = {}
        self._fed: tuple[Advert, _Memo] | None = None  # the latest advert placed, and its memo
        self._summarizer = Summarizer()
        self.carp_adverts = 0

    @property
    def caching(self) -> bool:
        return self._caching

    @caching.setter
    def caching(self, on: bool) -> None:
        """Off: no caches, and no detector keeps incremental state (the reference the tests compare with)."""
        self._caching = on
        for detector in self.detectors:
            detector.incremental = on

    def _events_append(self, event: Event) -> None:
        self._events.append(event)

    # -- input --------------------------------------------------------------------------------------
    def feed(self, advert: Advert) -> list[Event]:
        events: list[Event] = []
        self._events = events
        t = advert.time
        if advert.kind == "carp":
            self.carp_adverts += 1
        if self.now is None:
            self.mastership.capture_start = self.now = t
        elif t > self.now:
            self.now = t
        deadlines = self._deadlines
        if deadlines and deadlines[0][0] < t:
            self.mastership.expire(t)
        memo: _Memo | None = None
        key: tuple[Any, ...] | None = None
        if self._caching:
            a = advert
            key = (
                a.src, a.dst, a.interface, a.vlan, a.family, a.vrid, a.priority, a.addresses, a.src_mac,
                a.interval, a.version, a.auth_type, a.auth_secret, a.ttl, a.checksum, a.delivery, a.kind,
                a.malformed, a.advskew, a.demotion,
            )  # fmt: skip
            try:
                memo = self._memo.get(key)
            except TypeError:  # a field that cannot be hashed (a list where a tuple belongs): no cache
                key = None
            if memo is not None and (memo[2].version != memo[3] or memo[1].home is not memo[0]):
                memo = None  # the segment's groups changed since: place it again
        if memo is None:
            segment = segment_of(advert)
            if segment is None:
                self._other(advert)
                return events
            memo = self._place(advert, key, segment)
            if memo is None:
                return events
        vr, router, _, _, verdicts, profile = memo
        self._fed = (advert, memo)  # for offer()
        router.observe(advert, profile)
        if verdicts:
            self._content.sight(vr, advert, verdicts)
        for hook in self._on_advert:
            hook(vr, router, advert)
        self.mastership.advance(vr, router, advert)
        for hook in self._on_after:
            hook(vr, router, advert)
        return events

    # -- repeats (vrrpcap/analysis/repeats.py) ------------------------------------------------------
    def offer(self, advert: Advert) -> Offer | None:
        """Right after feed(advert): may its repeats be fed as one `Repeats`? Only when a repeat would
        change nothing but counters and times: the content's placement and verdicts cached and current,
        the router's open run extended by it, a non-zero priority it already has, content findings whose
        evidence is full, and every detector with per-advert hooks agreeing (`Detector.foldable`). With
        another master active (a split brain), the offer names it: the two are counted as a pair."""
        fed = self._fed
        if not self.caching or advert.kind != "advert" or not advert.priority or fed is None or fed[0] is not advert:
            return None
        vr, router, index, version, verdicts, profile = fed[1]
        return self._offer(advert, vr, router, index, version, tuple(code for code, _ in verdicts), profile)

    def still(self, offer: Offer) -> bool:
        """An offer made earlier, its router not fed since: would it be made now, after other adverts of
        its virtual router (its partner's) were fed?"""
        again = self._offer(
            offer.advert, offer.vr, offer.router, offer.index, offer.version, offer.verdict_codes, offer.profile
        )
        return again is not None and again.partner is offer.partner

    def _offer(
        self,
        advert: Advert,
        vr: VirtualRouter,
        router: Router,
        index: SegmentIndex,
        version: int,
        codes: tuple[str, ...],
        profile: object,
    ) -> Offer | None:
        if profile is None:
            return None  # its content is not cached: a repeat would be placed again
        partner = None
        if vr.open_runs >= 2:  # another master may be active: the only one, or no offer
            now = self.now if self.now is not None else advert.time
            others = vr.active(now, self.options.missed_factor, but=router)
            if len(others) != 1:
                return None
            partner = others[0]
        run = router.run
        if index.version != version or router.home is not vr or router.profile is not profile:
            return None
        if run is None or run.last != advert.time or router.last_seen != advert.time:
            return None
        if router.last_priority != advert.priority or run.priorities[-1] != advert.priority:
            return None
        entries = []
        for code in codes:
            entry = self.book.get((code, vr.id, advert.src))
            if entry is None or len(entry.evidence) < MAX_EVIDENCE:
                return None  # each repeat would still add evidence
            entries.append(entry)
        if not all(foldable(vr, router, advert) for foldable in self._on_foldable):
            return None
        limit = router.interval * self.options.missed_factor
        return Offer(advert, vr, router, limit, router.mdi, tuple(entries), partner, index, version, profile, codes)

    def pairing(self, vr: VirtualRouter) -> PairStart | None:
        """Two masters offered as partners: the state their repeats, counted together, start from
        (the overlap detector's episode), or None when they may not be counted together."""
        starts = [pairing(vr) for pairing in self._on_pairing]
        return starts[0] if len(starts) == 1 else None

    def feed_pair(self, pair: PairRepeats) -> None:
        """What the pair's repeats (fed by feed_repeats, master by master) did to what reads their order."""
        for hook in self._on_folded_pair:
            hook(pair.start.vr, pair)

    def feed_repeats(self, offer: Offer, repeats: Repeats) -> None:
        """``repeats.count`` repeats of ``offer.advert``, as `Offer` allows them: what as many calls of
        feed() would have done (they raise no event)."""
        vr, router, a = offer.vr, offer.router, offer.advert
        count, last = repeats.count, repeats.last
        if self.now is None or last > self.now:
            self.now = last
        router.adverts += count
        router.last_seen = last
        if a.delivery == "multicast":
            router.multicast_adverts += count
        for entry in offer.entries:
            entry.count += count
            entry.first = min(entry.first, repeats.first)
            entry.last = max(entry.last, last)
        for hook in self._on_folded:
            hook(vr, router, a, repeats)
        run = router.run
        assert run is not None
        run.last, run.last_frame = last, repeats.last_frame
        run.adverts += count
        router.per_peer_last[a.dst] = last
        router.deadline = last + router.mdi

    def _place(self, advert: Advert, key: tuple[Any, ...] | None, segment: Segment) -> _Memo | None:
        placed = self.placement.place(segment, advert)
        if placed is None:
            for hook in self._on_refused:
                hook(segment, advert)
            return None
        vr, router, joined = placed
        if joined:
            for hook in self._on_joined:
                hook(vr, router, advert)
        index = self.placement.index(segment)
        memo = (vr, router, index, index.version, check(advert), key)
        if key is not None:
            if len(self._memo) >= CACHE_SIZE:
                self._memo.clear()
            self._memo[key] = memo
        return memo

    def _other(self, a: Advert) -> None:
        if a.kind == "carp":
            return  # counted; without a vhid or advbase it has no place in a timeline
        if a.kind == "icmp-quote":
            segment = quoted_segment(a)
            if segment is not None:
                router = self.placement.routers.get((segment, a.src))
                for hook in self._on_quote:
                    hook(segment, a, router)
        else:
            for hook in self._on_malformed:
                hook(a)

    def missed(self, miss: VantageMiss) -> list[Event]:
        """A vantage point lacks an advert the others have (analysis/vantage.py), fed after the advert."""
        events: list[Event] = []
        self._events = events
        a = miss.advert
        segment = segment_of(a)
        router = None if segment is None else self.placement.routers.get((segment, a.src))
        if router is not None and router.home is not None:
            for hook in self._on_missed:
                hook(router.home, router, miss)
        return events

    def as_shard(self, start: float, secrets: Mapping[bytes, int]) -> None:
        """This engine is fed one shard of a stream (vrrpcap/parallel/): the stream began at ``start``
        (a run seen then may have begun before the capture), and ``secrets`` numbers every secret of
        the whole stream, so the shard's summaries name them as a single engine would."""
        self.mastership.capture_start = self.now = start
        self.preset_secrets(secrets)

    def preset_secrets(self, numbers: Mapping[bytes, int]) -> None:
        """Secrets numbered over a whole stream this engine saw a shard of (before `summaries`)."""
        self._summarizer.preset(numbers)

    def tick(self, now: float) -> list[Event]:
        """Time passes without adverts (live capture): close runs whose master went silent."""
        events: list[Event] = []
        self._events = events
        if self.now is None or now > self.now:
            self.now = now
        self.mastership.expire(now)
        return events

    # -- hooks the engine's parts raise ------------------------------------------------------------
    def _failover(self, vr: VirtualRouter, failover: Failover, a: Advert) -> None:
        for hook in self._on_failover:
            hook(vr, failover, a)

    def _resumed(self, vr: VirtualRouter, router: Router, silent_from: float, a: Advert) -> None:
        for hook in self._on_resumed:
            hook(vr, router, silent_from, a)

    def _merged(self, absorbed: VirtualRouter, survivor: VirtualRouter) -> None:
        self.book.rehome(absorbed.id, survivor.id)
        self._events.append(VirtualRouterMerged(absorbed.id, survivor.id, self.now or 0.0, survivor.vrid))

    # -- the report ---------------------------------------------------------------------------------
    def finish(self, inputs: Sequence[InputSummary] = ()) -> Report:
        """Close what is still open at the capture's end and build the final report."""
        self.end(inputs)
        return self.snapshot(inputs)

    def end(self, inputs: Sequence[InputSummary] = ()) -> None:
        """The capture ended (at the inputs' last frame): close the runs that are silent by then."""
        events: list[Event] = []
        self._events = events
        ends = [i.last_time for i in inputs if i.last_time is not None]
        end = max(ends) if ends else self.now
        self.mastership.finish(list(self.placement.routers.values()), end)
        for hook in self._on_ended:
            hook(inputs)

    def summaries(self) -> list[VirtualRouterSummary]:
        """The virtual routers as report values, in the report's order."""
        groups = {
            segment: self.placement.groups(segment)
            for segment in {vr.key.segment for vr in self.placement.virtual_routers}
        }
        return self._summarizer.virtual_routers(self.placement.virtual_routers, groups)

    def snapshot(self, inputs: Sequence[InputSummary] = ()) -> Report:
        """The report as it stands, without ending anything: open runs appear with end_observed false."""
        return assemble_report(
            self.summaries(), self.book.findings(), self.detectors, inputs, self.options, self.carp_adverts
        )


def assemble_report(
    virtual_routers: list[VirtualRouterSummary],
    book_findings: list[Finding],
    detectors: Sequence[Detector],
    inputs: Sequence[InputSummary],
    options: Options,
    carp_adverts: int,
) -> Report:
    """The report from the summaries and the book's findings: the report-time detectors read the
    summaries (so shards merged by vrrpcap/parallel/ get the same findings), then one order for all."""
    view = ReportView(virtual_routers, tuple(inputs))
    findings = list(book_findings)
    for detector in detectors:
        findings += detector.report_findings(view)
    findings.sort(key=_finding_order)
    return Report(tuple(inputs), virtual_routers, findings, options, carp_adverts)


def _finding_order(f: Finding) -> tuple[Any, ...]:
    return (-f.severity, f.start or 0.0, f.code, f.vr or "", f.routers, f.message)


__all__ = ["Engine", "FindingEvent", "assemble_report"]
