"""Brief master claims: VRRP-MASTER-CLAIM.

A backup that misses three adverts in a row (loss on the path into it) becomes master and advertises;
keepalived's master answers a lower-priority advert at once, and the claimant steps down as soon as an
answer gets through: within milliseconds to about an interval. On the wire: a lower-priority router
appears for an advert or two and goes away again while the same master keeps advertising. Shorter than
the settle window (longer ones are split brains, detectors/overlap.py) and no change of master.

What is a claim, and what is not:
- *missed*: the claimant started advertising while the master had advertised within the claimant's own
  Master_Down_Interval, and the master had been advertising for at least that long (so the claimant's
  timer began while the master was on the wire: not a start-up race, where the higher priority is
  first heard after the backup became master). The claimant did not receive the master's adverts.
- *silent*: the master had been silent on the wire for longer than the claimant's Master_Down_Interval
  (the claimant took over rightly), and answered the claim at once: it was alive and still master in
  its own view, but sent nothing (keepalived re-arms its advert timer on packets it drops: CARP, another
  cluster on the VRID) or the capture lost its adverts. Without the answer this is a failover and a
  return (a restart), not a claim.
- Routers that cannot hear each other by configuration (different intervals, versions, multicast vs
  unicast) are not claims: their dual mastership is a split brain, named by those findings.
A claim is decided once the claimant has been quiet for missed_factor intervals; one still advertising
when the capture ends is not reported (it may be a split brain in the making).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vrrpcap.analysis.book import Entry, FindingBook
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.options import Options, master_down_interval
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, MAX_EVIDENCE, Claim, Evidence, Finding, Hearing

CODE = "VRRP-MASTER-CLAIM"
ANSWER_WINDOW = 0.010  # keepalived answers within 0.1-2 ms in the lab; 10 ms leaves room for a busy host
MAX_CLAIMS = 8  # claims kept per finding; count and the totals cover the rest

ClaimKind = Literal["missed", "silent"]


@dataclass(slots=True, eq=False)
class _Pending:
    """A claim in progress: the claimant is advertising while a higher-priority master was there."""

    claimant: Router
    master: Router
    kind: ClaimKind
    first: Advert  # the claimant's first advert of the claim: the finding's first evidence
    start: float
    last: float  # the claimant's latest advert
    master_run: float | None  # the master's run start when the claim began (missed: it must not change)
    silence: float  # how long the master had been silent on the wire when the claim began
    end: float | None = None  # the master's first advert after the claimant's latest
    answered: bool = False
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class _Claims:
    """Every claim of one claimant in one virtual router."""

    claimant: str
    masters: dict[str, int] = field(default_factory=dict)  # master not heard -> its priority
    kept: list[Claim] = field(default_factory=list)
    count: int = 0
    answered: int = 0
    missed: int = 0
    silent: int = 0
    shortest: float = float("inf")
    longest: float = 0.0
    longest_silence: float = 0.0
    first: float = float("inf")
    last: float = float("-inf")


class MasterClaims(Detector):
    def __init__(self, book: FindingBook, options: Options) -> None:
        super().__init__(book, options)
        self._pending: dict[VirtualRouter, dict[Router, _Pending]] = {}

    def advert(self, vr: VirtualRouter, router: Router, a: Advert) -> None:
        pending = self._pending.get(vr)
        t = a.time
        if pending:
            for claimant, p in list(pending.items()):
                if claimant is router:
                    continue
                if router is p.master:
                    self._master_advert(p, router, a)
                if t - p.last > claimant.interval * self.options.missed_factor:
                    del pending[claimant]
                    self._decide(vr, p)
        mine = pending.get(router) if pending else None
        if mine is not None:
            p = mine
            p.last, p.end = t, None
            if len(p.evidence) < MAX_EVIDENCE:
                p.evidence.append(Evidence(a.file, a.frame))
            if t - p.start > self._settle(p):
                del self._pending[vr][router]  # as long as a split brain: that finding's, not a claim
            return
        run = router.run
        if a.priority and (run is None or t - run.last > router.interval * self.options.missed_factor):
            self._begin(vr, router, a)

    def foldable(self, vr: VirtualRouter, router: Router, a: Advert) -> bool:
        # No claim in progress in the virtual router, and the router's run open: a repeat within the
        # gap limit neither begins, continues nor decides a claim.
        return not self._pending.get(vr) and router.run is not None

    def _settle(self, p: _Pending) -> float:
        return self.options.settle_intervals * max(p.claimant.interval, p.master.interval)

    def _begin(self, vr: VirtualRouter, router: Router, a: Advert) -> None:
        """The router starts advertising: a claim if a higher-priority master was there before it."""
        t, rank = a.time, (a.priority or 0, router.rank()[1])
        better = [r for r in vr.routers.values() if r is not router and r.rank() > rank and r.adverts]
        if not better:
            return
        master = max(better, key=lambda r: r.last_seen)
        if (master.interval, master.version, master.deliveries) != (router.interval, router.version, router.deliveries):
            return  # they cannot hear each other by configuration: a split brain's cause, not a claim
        mdi = master_down_interval(router.version, a.priority or 0, router.interval)
        silence = t - master.last_seen
        kind: ClaimKind
        if master.run is not None and silence < mdi:
            if t - master.run.start < mdi:
                return  # the master had not been on the wire for a whole Master_Down_Interval: a race
            kind = "missed"
        elif silence >= mdi and (master.run is not None or master.last_end_cause == "silence"):
            kind = "silent"
        else:
            return
        master_run = master.run.start if master.run is not None else None
        p = _Pending(router, master, kind, a, t, t, master_run, silence)
        self._pending.setdefault(vr, {})[router] = p

    @staticmethod
    def _master_advert(p: _Pending, master: Router, a: Advert) -> None:
        t = a.time
        if p.end is None:
            p.end = t
            if len(p.evidence) < MAX_EVIDENCE:
                p.evidence.append(Evidence(a.file, a.frame))
            # Before mastership sees this advert, the run's last advert is the master's previous one.
            previous = master.run.last if master.run is not None else master.last_end
            if 0 <= t - p.last <= ANSWER_WINDOW and off_phase(t, previous, master.interval):
                p.answered = True

    def _decide(self, vr: VirtualRouter, p: _Pending) -> None:
        master = p.master
        if p.end is None:
            return  # the master never came back while the claimant was there: not a claim
        if p.kind == "missed" and (master.run is None or master.run.start != p.master_run):
            return  # the master's run changed meanwhile: a failover, not a claim
        if p.kind == "silent" and not p.answered:
            return  # a failover and a return: the master did not show it heard the claimant
        end = p.end if p.end - p.last <= p.claimant.interval * self.options.missed_factor else p.last
        claim = Claim(p.start, end, p.answered)
        claimant = p.claimant.address
        entry, new = self.book.sight((CODE, vr.id, claimant), vr.vrid, p.first, lambda: _Claims(claimant), _describe)
        claims = entry.detail
        claims.masters[master.address] = master.last_priority or 0
        claims.count += 1
        claims.answered += p.answered
        if p.kind == "missed":
            claims.missed += 1
        else:
            claims.silent += 1
            claims.longest_silence = max(claims.longest_silence, p.silence)
        duration = end - p.start
        claims.shortest = min(claims.shortest, duration)
        claims.longest = max(claims.longest, duration)
        claims.first = min(claims.first, p.start)
        claims.last = max(claims.last, end)
        if len(claims.kept) < MAX_CLAIMS:
            claims.kept.append(claim)
        room = MAX_EVIDENCE - len(entry.evidence)
        entry.evidence[len(entry.evidence) :] = p.evidence[: max(room, 0)]
        if new:
            self.book.announce(entry)


def off_phase(t: float, previous: float | None, interval: float) -> bool:
    """An advert at t is off its sender's own phase: not within ANSWER_WINDOW of a whole number of
    intervals after its previous advert. A timer did not send it: something it received did."""
    if previous is None:
        return True
    beats = (t - previous) / interval
    return abs(beats - round(beats)) * interval > ANSWER_WINDOW


def _describe(entry: Entry[_Claims]) -> Finding:
    c = entry.detail
    masters = sorted(c.masters, key=lambda m: -c.masters[m])
    master = masters[0]
    named = " and ".join(f"{m} ({c.masters[m]})" for m in masters)
    times = "once" if c.count == 1 else f"{c.count} times"
    scale, unit = (1000, "ms") if c.longest < 1 else (1, "s")  # most claims last about a millisecond
    low, high = c.shortest * scale, c.longest * scale
    each = f"{low:.1f} {unit}" if c.count == 1 else f"{low:.1f}-{high:.1f} {unit} each"
    parts = []
    if c.missed:
        parts.append(
            f"while {named} kept advertising: {c.claimant} is not receiving {master}'s adverts "
            f"(loss on the path into {c.claimant})"
        )
    if c.silent:
        parts.append(
            f"after {named} fell silent on the wire for up to {c.longest_silence:.1f} s and answered at once: "
            f"{master} stayed master without sending adverts (keepalived re-arms its advert timer on packets "
            "it drops, such as CARP or another cluster's adverts) or the capture lost them"
        )
    answered = ""
    if c.answered:
        share = "each claim" if c.answered == c.count else f"{c.answered} of the claims"
        answered = f"; {master} answered {share} within {ANSWER_WINDOW * 1000:.0f} ms, so it hears {c.claimant}"
    hears = [Hearing(master, (c.claimant,))] if c.answered else []
    if c.missed:
        hears.append(Hearing(c.claimant, ()))
    return Finding(
        CODE,
        CODES[CODE].severity,
        entry.vr,
        c.first,
        c.last,
        (c.claimant, *masters),
        f"{c.claimant} claimed master {times} ({each}) " + "; ".join(parts) + answered,
        tuple(entry.evidence),
        c.count,
        entry.vrid,
        direction=f"{c.claimant} does not hear {master}" if c.missed else None,
        hears=tuple(sorted(hears)),
        claims=tuple(c.kept),
    )
