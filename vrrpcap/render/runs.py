"""The timeline's rows: one per mastership run, with how it began and ended and whom it overlapped.

A run that began while another router was master is no "first advert": it is a claim (split brain,
when a VRRP-SPLIT-BRAIN finding covers it). A one-advert run lasted no measurable time: it reads
"1 advert". Priorities are the sequence the master advertised ("150 -> 0"), not a range. A takeover
number means an outage only when the old master went silent or resigned; after a preemption it is the
time since the old master's last advert, and there was none.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrrpcap.render.common import duration
from vrrpcap.report import Failover, Mastership, Report, VirtualRouter

END_TEXT = {
    "silence": "went silent",
    "priority-0": "resigned (priority 0)",
    "yielded": "yielded to a better router",
}


@dataclass(frozen=True, slots=True)
class RunRow:
    vr: VirtualRouter
    run: Mastership
    failover: Failover | None  # the failover that began it
    overlaps: tuple[tuple[str, float], ...]  # (router, seconds): masters at the same time as this one
    claimed_from: str | None  # the master it began beside (no failover: a claim)
    split_brain: bool  # a VRRP-SPLIT-BRAIN finding covers this run's overlap

    @property
    def lasted(self) -> str:
        return "1 advert" if self.run.adverts == 1 else duration(self.run.duration)

    @property
    def priorities(self) -> str:
        m = self.run
        steps = [str(p) for p in m.priorities] or [str(m.priority_max)]
        if m.priorities_elided:
            steps.insert(-1, f"... ({m.priorities_elided} more)")
        return " -> ".join(steps)

    @property
    def began(self) -> str:
        f = self.failover
        if f is None:
            return self._began_without_failover()
        # The rule the figure follows; with the expected figure only when it is not the cause's own.
        if f.explained_by is None or (f.cause == "preempted" and not f.outlier):
            rule = ""  # not judged, or "preempted" already says it
        else:
            rule = f" ({f.rule_text() if f.outlier else f.explained_by})"
        old = f.from_router or "the old master"
        if f.takeover_s is None:
            return f"took over from {old} ({f.cause}){rule}"
        if f.cause == "preempted":  # the old master stops when it hears a better one: no gap
            return f"preempted {old}, {f.takeover_s:.2f} s after its last advert (no outage){rule}"
        if f.cause == "priority-0":
            return f"took over from {old}, which resigned {f.takeover_s:.2f} s before{rule}"
        return f"took over from {old}, silent for {f.takeover_s:.2f} s{rule}"

    def _began_without_failover(self) -> str:
        m = self.run
        if not m.start_observed:
            return "master before the capture began"
        if self.claimed_from is not None:
            what = "split brain" if self.split_brain else "overlap"
            return f"claimed mastership while {self.claimed_from} was master ({what})"
        return "first advert"

    @property
    def ended(self) -> str:
        m = self.run
        if not m.end_observed:
            return "still master at the end"
        return END_TEXT.get(m.end_cause, m.end_cause)

    @property
    def overlap_text(self) -> str:
        parts = [f"{router} for {duration(seconds)}" for router, seconds in self.overlaps]
        return ", ".join(parts) + (" (VRRP-SPLIT-BRAIN)" if self.split_brain else "")


def run_rows(report: Report) -> list[RunRow]:
    splits: dict[str, list[tuple[float, float, frozenset[str]]]] = {}
    for f in report.findings:
        if f.code == "VRRP-SPLIT-BRAIN" and f.vr and f.start is not None:
            splits.setdefault(f.vr, []).append((f.start, f.end or f.start, frozenset(f.routers)))
    rows = []
    for vr in report.virtual_routers:
        began = {(f.to_router, round(f.time, 6)): f for f in vr.failovers}
        for m in vr.masters:
            others = [o for o in vr.masters if o is not m and o.router != m.router]
            overlaps = tuple(
                (o.router, shared) for o in others if (shared := min(m.end, o.end) - max(m.start, o.start)) > 0
            )
            claimed = next((o.router for o in others if o.start < m.start <= o.end), None)
            split = bool(overlaps) and any(
                m.router in routers and start <= m.end and m.start <= end
                for start, end, routers in splits.get(vr.id, ())
            )
            failover = began.get((m.router, round(m.start, 6)))
            rows.append(RunRow(vr, m, failover, overlaps, None if failover else claimed, split))
    return rows
