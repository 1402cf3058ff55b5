"""Mastership: runs of adverts, their ends (silence, priority 0, yielding) and failovers between them.

The guide's timeline rules: only the master advertises; a run starts at a router's first advert and
ends at its last one before a silence longer than its Master_Down_Interval (3 x interval + skew), or
at a priority-0 advert. CARP runs follow CARP's rules (router.rank(), 3 x advbase + advskew/256,
no priority 0), and their priority slots hold advskew.
A failover is a change of master between runs, with its cause and takeover.
Deadlines sit in a heap, armed lazily: an advert only moves its router's deadline later, and the heap
entry is pushed again when it comes due early; so a repeated advert costs no heap operation at all.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from vrrpcap.analysis.events import Event, FailoverEvent, MasterEnded, MasterStarted
from vrrpcap.analysis.options import Options
from vrrpcap.analysis.state import Router, Run, VirtualRouter
from vrrpcap.analysis.takeover import judge
from vrrpcap.decode import Advert
from vrrpcap.report.model import EndCause, Failover, FailoverCause

FailoverSeen = Callable[[VirtualRouter, Failover, Advert], None]
Resumed = Callable[[VirtualRouter, Router, float, Advert], None]  # a master back after an outage


class Mastership:
    def __init__(self, options: Options, emit: Callable[[Event], None], failover: FailoverSeen, resumed: Resumed):
        self.options = options
        self.capture_start: float | None = None
        self._emit = emit
        self._failover_seen = failover
        self._resumed = resumed
        self.deadlines: list[tuple[float, int, Router]] = []  # a heap; the engine looks at its head
        self._sequence = 0

    def advance(self, vr: VirtualRouter, r: Router, a: Advert) -> None:
        """One advert of r: extend, start or end its run."""
        t = a.time
        if a.kind == "carp":
            # No priority in CARP, and no resignation by advert: the run records advskew, and a
            # CARP master ends only by silence or by yielding.
            level, resigns = a.advskew or 0, False
            r.set_carp(a)
        else:
            level = a.priority or 0
            resigns = level == 0
            if level and level != r.last_priority:
                r.set_priority(level)
        run = r.run
        if run is None:
            if resigns and r.last_end is not None:
                return  # keepalived repeats its priority-0 advert: the resignation is already recorded
            run = self._start_run(vr, r, a)
        else:
            run.last, run.last_frame = t, a.frame
            run.adverts += 1
        if not run.priorities or run.priorities[-1] != level:  # a repeat costs one comparison
            run.priority(level)
        r.per_peer_last[a.dst] = t
        if resigns:
            self.close(r, "priority-0", observed=True)
            return
        deadline = r.deadline = t + r.mdi
        armed = r.armed
        if armed is None or deadline < armed:  # a shorter Master_Down_Interval can bring it forward
            self._arm(r, deadline)

    def _arm(self, r: Router, deadline: float) -> None:
        self._sequence += 1
        r.armed = deadline
        heapq.heappush(self.deadlines, (deadline, self._sequence, r))

    def expire(self, now: float) -> None:
        """Close every run whose master has been silent for longer than its Master_Down_Interval."""
        deadlines = self.deadlines
        while deadlines and deadlines[0][0] < now:
            deadline, _, router = heapq.heappop(deadlines)
            if router.run is None or router.armed != deadline:
                continue  # its run ended, or a later push replaced this entry
            if router.deadline > deadline:  # adverts came since: due later
                self._arm(router, router.deadline)
                continue
            self.close(router, self.silence_cause(router, deadline), observed=True)

    def rearm(self, now: float) -> bool:
        """What expire(now) does short of ending a run: stale entries dropped, early ones pushed again.
        False when a run would end (its entry stays at the head, for expire): the pipeline's fold then
        brings every router up to date first (vrrpcap/folding.py)."""
        deadlines = self.deadlines
        while deadlines and deadlines[0][0] < now:
            deadline, _, router = deadlines[0]
            if router.run is not None and router.armed == deadline:
                if router.deadline <= deadline:
                    return False
                heapq.heappop(deadlines)
                self._arm(router, router.deadline)
                continue
            heapq.heappop(deadlines)
        return True

    def hold(self, r: Router) -> None:
        """The pipeline's fold watches r's deadline itself while it counts r's repeats: r has no live
        entry in the heap (its entry there, if any, is stale from now on) until `release`."""
        r.armed = None

    def release(self, r: Router) -> None:
        """The heap watches r's deadline again."""
        if r.run is not None and r.armed is None:
            self._arm(r, r.deadline)

    def silence_cause(self, r: Router, t: float) -> EndCause:
        """A master that falls silent while a better one advertises yielded to it; otherwise it went down."""
        vr = r.home
        assert vr is not None
        others = vr.active(t, self.options.missed_factor, but=r)
        return "yielded" if any(o.rank() > r.rank() for o in others) else "silence"

    def close(self, r: Router, cause: EndCause, observed: bool) -> None:
        run = r.run
        assert run is not None and r.home is not None
        vr = r.home
        r.runs.append(run.mastership(vr.id, r.address, observed, cause))
        r.run = None
        r.armed = None
        vr.open_runs -= 1
        r.last_end = run.last
        r.last_end_cause = cause
        r.per_peer_last.clear()
        self._emit(MasterEnded(vr.id, r.address, run.last, cause, vr.vrid, r.last_priority))

    def finish(self, routers: list[Router], end: float | None) -> None:
        """The capture ended at ``end``: close what is silent, leave the rest open (capture-end)."""
        if end is not None:
            self.expire(end)
        decisions: list[tuple[Router, EndCause, bool]] = []
        for router in routers:
            run = router.run
            if run is None:
                continue
            if end is not None and end - run.last > router.interval * self.options.missed_factor:
                # Silent at the end, though for less than its Master_Down_Interval: it stopped.
                decisions.append((router, self.silence_cause(router, end), True))
            else:
                decisions.append((router, "capture-end", False))
        for router, cause, observed in decisions:  # decide all first: a close changes who is active
            self.close(router, cause, observed)

    # -- starts and failovers -----------------------------------------------------------------------
    def _start_run(self, vr: VirtualRouter, r: Router, a: Advert) -> Run:
        t = a.time
        start = self.capture_start if self.capture_start is not None else t
        observed = t - start > r.interval * self.options.missed_factor
        run = r.run = Run(t, t, observed, a.frame, a.frame)
        vr.open_runs += 1
        carp = a.kind == "carp"
        self._emit(MasterStarted(vr.id, r.address, t, (a.advskew if carp else a.priority) or 0, a.frame, vr.vrid))
        if not carp and not a.priority:
            return run
        active = vr.active(t, self.options.missed_factor, but=r)
        if active:
            top = max(active, key=Router.rank)
            if r.rank() > top.rank():
                # The old master stops at once when it hears a higher priority (the guide: preempted).
                self._failover(vr, top, r, a, "preempted", t - top.run.last if top.run else None)
            return run
        previous = self._previous_master(vr, r)
        if previous is None:
            if vr.last_master == r.address and r.last_end is not None:
                self._resumed(vr, r, r.last_end, a)
            vr.last_master = r.address
            return run
        if previous.run is not None:  # went silent, but its Master_Down_Interval has not run out yet
            self.close(previous, "silence", observed=True)
        cause: FailoverCause = "priority-0" if previous.last_end_cause == "priority-0" else "silence"
        takeover = t - previous.last_end if previous.last_end is not None else None
        self._failover(vr, previous, r, a, cause, takeover)
        return run

    @staticmethod
    def _previous_master(vr: VirtualRouter, r: Router) -> Router | None:
        """The router whose mastership ended last before r's, if it is not r itself."""
        latest: Router | None = None
        latest_time = r.last_end if r.last_end is not None else float("-inf")
        for other in vr.routers.values():
            if other is r:
                continue
            end = other.run.last if other.run is not None else other.last_end
            if end is not None and end > latest_time:
                latest, latest_time = other, end
        return latest

    def _failover(
        self, vr: VirtualRouter, old: Router, new: Router, a: Advert, cause: FailoverCause, takeover: float | None
    ) -> None:
        why = judge(old, new, a, cause, takeover)
        failover = Failover(
            vr.id,
            a.time,
            old.address,
            new.address,
            cause,
            takeover,
            old.last_priority,
            (a.advskew if a.kind == "carp" else a.priority) or 0,
            a.frame,
            vr.vrid,
            expected_takeover_s=why.expected_s if why else None,
            explained_by=why.rule if why else None,
            explanation=why.text if why else "",
        )
        vr.failovers.append(failover)
        vr.last_master = new.address
        self._emit(FailoverEvent(failover))
        self._failover_seen(vr, failover, a)
