"""Overlapping masters: VRRP-SPLIT-BRAIN (longer than the settle window) and VRRP-PRIORITY-TIE.

An overlap episode lasts while at least two routers of one virtual router are advertising as master;
it becomes a split brain once it outlasts settle_intervals x the longest interval. Shorter ones are
preemptions and start-up races: failovers, not this (or brief claims, detectors/claims.py).

The direction of a split brain comes from the wire: a keepalived master that receives a lower-priority
advert answers it at once (its advert follows within milliseconds, off its own phase); one that receives
a higher one yields. So of two masters with different priorities, the lower one does not hear the higher
(else it would yield), and the higher one hears the lower iff it answers the lower's adverts. Per episode
the detector counts the lower's adverts and those answered: O(1) state.

Cost per advert: while the set of active masters stays as it was, an advert of one of them costs O(1)
(a dual-master capture has an overlap at every advert). The episode keeps the masters it found at its
last full look (``_Masters``) and updates what they give incrementally (the second-latest advert, the
direction counts); anything that could change the set or what it gives (a run opening or closing, a
router joining or leaving the virtual router, a master's priority or interval changing, a master
overdue, time going backwards) takes the full look again, which is the rule itself.

Past the settle window, with its evidence full, a two-master episode whose set holds lets the file
pipeline count both masters' repeats together (`pairing`): vrrpcap/_fold.c then does this O(1) step
for each of them, and `folded_pair` takes what it counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vrrpcap.analysis.book import Entry, FindingBook
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.detectors.claims import ANSWER_WINDOW, off_phase
from vrrpcap.analysis.options import Options, ip_key
from vrrpcap.analysis.repeats import PairRepeats, PairStart
from vrrpcap.analysis.state import Router, Run, VirtualRouter
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, MAX_EVIDENCE, Evidence, Finding, Hearing

MIN_ADVERTS = 3  # of the lower-priority master, before its adverts' answers tell anything
HEARS_SHARE = 0.8  # answered at least this share of them (one off its phase at least): it hears them
DEAF_SHARE = 0.2  # answered at most this share: it does not


@dataclass(slots=True, eq=False)
class _Master:
    """One active master as the full look found it: what its membership and standing rest on."""

    router: Router
    run: Run  # its open run then: another object (or none) means the run closed since
    priority: int | None  # last_priority, carp_rank and interval then: rank, tie and settle window
    carp_rank: int
    interval: float
    limit: float  # interval x missed_factor: active while its latest advert is no older than this
    others: tuple[_Master, ...] = ()  # the rest of the set


@dataclass(slots=True, eq=False)
class _Masters:
    """The active masters of an episode between full looks, and what they give."""

    masters: dict[Router, _Master]
    changes: int  # the virtual router's membership count then
    now: float  # the latest advert looked at: time going backwards takes the full look
    latest: Router  # the master whose advert is the latest; the episode's ``last`` is the second-latest
    latest_time: float
    tie: bool  # two of them advertise the same priority
    settle: float  # the split-brain threshold: settle_intervals x the longest interval

    def hold(self, vr: VirtualRouter, router: Router, t: float) -> bool:
        """The full look would find the same masters at t, with the same priorities and intervals."""
        if t < self.now or vr.changes != self.changes:
            return False
        me = self.masters.get(router)
        if (
            me is None  # it was not active
            or router.run is not me.run  # its run closed (and opened again)
            or router.last_priority != me.priority
            or router.interval != me.interval
            or router.carp_rank != me.carp_rank
        ):
            return False
        # The others: their runs still open (a closed one was past its deadline), their adverts not
        # overdue. Routers outside the set stay out: they were overdue, time only moves on, and none
        # advertised (its advert would come here as ``router``).
        for m in me.others:  # noqa: SIM110 (a loop: all() over a generator costs more, once per advert)
            if m.router.run is not m.run or t - m.run.last > m.limit:
                return False
        return True


@dataclass(slots=True, eq=False)
class _Episode:
    vr: VirtualRouter
    start: float
    last: float
    routers: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)
    reported: bool = False
    high: Router | None = None  # the pair whose direction is told; None until two are seen
    low: Router | None = None
    crowded: bool = False  # more than two masters at once: no direction
    lower_adverts: int = 0
    answered: int = 0  # the lower's adverts the higher answered within ANSWER_WINDOW
    off_phase: int = 0  # those answers that came off the higher's own phase: proof it heard
    pending: float | None = None  # the lower's latest advert not answered yet
    high_last: float | None = None  # the higher's previous advert
    masters: _Masters | None = None  # as of the latest full look; None: look again

    def hear(self, active: list[Router], router: Router, t: float) -> None:
        """Count what the advert (from ``router`` at ``t``) says about who hears whom."""
        if len(active) > 2 or self.crowded:
            self.crowded = True
            return
        high, low = sorted(active, key=Router.rank, reverse=True)
        if self.high is None:
            self.high, self.low = high, low
        elif (self.high, self.low) != (high, low):
            self.crowded = True  # another pair: not one story
            return
        self.count(router, t)

    def count(self, router: Router, t: float) -> None:
        """The pair is told: count the advert if it is the lower's, or the higher's answer to it."""
        if router is self.low:
            self.lower_adverts += 1
            self.pending = t
        elif router is self.high:
            if self.pending is not None and 0 <= t - self.pending <= ANSWER_WINDOW:
                self.answered += 1
                self.off_phase += off_phase(t, self.high_last, router.interval)
                self.pending = None
            self.high_last = t


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
        if episode is None:
            if vr.open_runs >= 2:  # fewer than two open runs: no overlap
                self._look(vr, router, a, None)
            return
        masters = episode.masters
        t = a.time
        if masters is None or not masters.hold(vr, router, t):
            self._look(vr, router, a, episode)
            return
        # The same masters as at the full look: what it would do, in O(1).
        if router is not masters.latest:
            episode.last = masters.latest_time  # the second-latest advert is now the other master's latest
            masters.latest = router
        masters.latest_time = masters.now = t
        if not episode.crowded:
            episode.count(router, t)
        if len(episode.evidence) < MAX_EVIDENCE:
            episode.evidence.append(Evidence(a.file, a.frame))
        if masters.tie:
            self._tie(vr, a, episode)
        if not episode.reported and episode.last - episode.start > masters.settle:
            self._split(vr, a, episode)

    def _look(self, vr: VirtualRouter, router: Router, a: Advert, episode: _Episode | None) -> None:
        """The rule itself: which routers advertise as master at this advert, and what they give."""
        t = a.time
        factor = self.options.missed_factor
        active = vr.active(t, factor)
        if len(active) < 2:
            if episode is not None:
                del self._open[vr]
            return
        if episode is None:
            episode = self._open[vr] = _Episode(vr, t, t)
            top = max(active, key=Router.rank)
            if top is not router and top.run is not None:  # its previous advert: the phase it keeps
                episode.high_last = top.run.last
        # The overlap lasts as long as at least two of them have advertised: up to the second-latest advert.
        episode.last = sorted(r.run.last for r in active if r.run is not None)[-2]
        episode.routers |= {r.address for r in active}
        episode.hear(active, router, t)
        priorities = [r.rank()[0] if r.segment.protocol == "carp" else r.last_priority for r in active]
        tie = len(set(priorities)) < len(priorities)
        settle = self.options.settle_intervals * max(r.interval for r in active)
        if len(episode.evidence) < MAX_EVIDENCE:
            episode.evidence.append(Evidence(a.file, a.frame))
        if tie:
            self._tie(vr, a, episode)
        if not episode.reported and episode.last - episode.start > settle:
            self._split(vr, a, episode)
        if not self.incremental:
            return  # the reference: this full look at every advert
        masters = {
            r: _Master(r, r.run, r.last_priority, r.carp_rank, r.interval, r.interval * factor)
            for r in active
            if r.run is not None
        }
        for m in masters.values():
            m.others = tuple(o for o in masters.values() if o is not m)
        latest = max(masters.values(), key=lambda m: m.run.last)
        now = max(t, latest.run.last)
        episode.masters = _Masters(masters, vr.changes, now, latest.router, latest.run.last, tie, settle)

    def _tie(self, vr: VirtualRouter, a: Advert, episode: _Episode) -> None:
        entry, new = self.book.sight(("VRRP-PRIORITY-TIE", vr.id, ""), vr.vrid, a, lambda: _Tie(vr), _describe_tie)
        entry.detail.routers.update(episode.routers)
        if new:
            self.book.announce(entry)

    def _split(self, vr: VirtualRouter, a: Advert, episode: _Episode) -> None:
        """The episode outlasted the settle window: a split brain, told once."""
        episode.reported = True
        split, _ = self.book.sight(
            ("VRRP-SPLIT-BRAIN", vr.id, repr(episode.start)), vr.vrid, a, lambda: episode, _describe_split
        )
        self.book.announce(split)

    def foldable(self, vr: VirtualRouter, router: Router, a: Advert) -> bool:
        # One open run and no episode: `after` returns at once (a repeat folds alone only while no other
        # master is active, so this holds for every repeat folded). An episode: the pair's rule.
        episode = self._open.get(vr)
        if episode is None:
            return vr.open_runs < 2
        pair = self._pair(vr, episode)
        return pair is not None and router in pair

    def _pair(self, vr: VirtualRouter, episode: _Episode) -> tuple[Router, Router] | None:
        """The two masters (lower, higher) whose repeats may be counted together: the set of the last
        full look holds as it is, with nothing left that an advert would still add (the split brain told,
        evidence full, a tie's too) but counts, times and the direction's counts."""
        masters = episode.masters
        if (
            masters is None
            or len(masters.masters) != 2
            or not episode.reported
            or len(episode.evidence) < MAX_EVIDENCE
            or vr.changes != masters.changes
            or masters.now != masters.latest_time
        ):
            return None
        for m in masters.masters.values():
            r = m.router
            if (
                r.run is not m.run
                or r.last_priority != m.priority
                or r.interval != m.interval
                or r.carp_rank != m.carp_rank
                or masters.now - m.run.last > m.limit
            ):
                return None
        if masters.tie:
            tie = self.book.get(("VRRP-PRIORITY-TIE", vr.id, ""))
            if tie is None or len(tie.evidence) < MAX_EVIDENCE or not isinstance(tie.detail, _Tie):
                return None
            if not episode.routers <= tie.detail.routers:
                return None
        if not episode.crowded and episode.low is not None and episode.high is not None:
            return episode.low, episode.high
        low, high = sorted(masters.masters, key=Router.rank)
        return low, high

    def pairing(self, vr: VirtualRouter) -> PairStart | None:
        episode = self._open.get(vr)
        pair = None if episode is None else self._pair(vr, episode)
        if episode is None or pair is None or episode.masters is None:
            return None
        low, high = pair
        masters = episode.masters
        return PairStart(
            vr,
            low,
            high,
            not episode.crowded,
            ANSWER_WINDOW,
            high.interval,
            episode.pending,
            episode.high_last,
            masters.latest,
            masters.latest_time,
            episode.last,
        )

    def folded_pair(self, vr: VirtualRouter, pair: PairRepeats) -> None:
        episode = self._open[vr]
        masters = episode.masters
        assert masters is not None
        episode.last = pair.second
        masters.latest = pair.latest
        masters.latest_time = masters.now = pair.latest_time
        if pair.start.counting:
            episode.lower_adverts += pair.lower
            episode.answered += pair.answered
            episode.off_phase += pair.off_phase
            episode.pending, episode.high_last = pair.pending, pair.high_last
        if masters.tie:  # as many sightings of the tie as adverts, the latest the pair's latest
            tie = self.book.get(("VRRP-PRIORITY-TIE", vr.id, ""))
            assert tie is not None
            tie.count += pair.adverts
            tie.last = max(tie.last, pair.latest_time)


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
    direction, hears, because = _direction(episode)
    reason = ("; " + "; ".join(why) + "; on the wire, " if why else ": ") + direction + because
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
        direction=direction,
        hears=hears,
    )


def _direction(e: _Episode) -> tuple[str, tuple[Hearing, ...], str]:
    """Who does not hear whom, the hearings the wire proves, and the evidence in words."""
    high, low = e.high, e.low
    if e.crowded or high is None or low is None:
        return "cannot be told", (), " (more than two masters at once)"
    if high.last_priority == low.last_priority:
        return "cannot be told", (), " (equal priorities: neither answers nor yields to the other)"
    h, lo = high.address, low.address
    known = f"{lo} does not hear {h}"  # it would have yielded to the higher priority
    answered = f"{h} answered {e.answered} of {lo}'s {e.lower_adverts} adverts within {ANSWER_WINDOW * 1000:.0f} ms"
    yielded = f"{lo} would have yielded had it heard {h}"
    if e.lower_adverts >= MIN_ADVERTS:
        if e.answered >= HEARS_SHARE * e.lower_adverts and e.off_phase:
            return known, (Hearing(h, (lo,)), Hearing(lo, ())), f" ({answered}: it hears {lo}; {yielded})"
        if e.answered <= DEAF_SHARE * e.lower_adverts:
            hears = (Hearing(h, ()), Hearing(lo, ()))
            return "neither hears the other", hears, f" ({yielded}, and {answered}: they do not hear each other)"
    return f"{known}; whether {h} hears {lo} cannot be told", (Hearing(lo, ()),), f" ({answered})"
