"""The priorities a keepalived instance can advertise, and the checks that explain each one.

keepalived (vrrp_track.c) adds a tracked script's or interface's weight W to the base priority:
W > 0 while the check passes (interface up), W < 0 while it fails (down); ``reverse`` turns the
sign round. The sum is clamped to 1..254; an address owner (priority 255) ignores weights. A
check with weight 0 does not move the priority: its failure puts the instance in FAULT (it
resigns with priority 0 and falls silent). A sync group's tracked scripts apply to every member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vrrpcap.config.model import KeepalivedConfig, VrrpInstance

OWNER = 255
MAX_TRACKED = 254
TrackerKind = Literal["script", "interface"]


@dataclass(frozen=True, slots=True)
class Tracker:
    """One check that can change an instance's priority or put it in FAULT."""

    name: str
    kind: TrackerKind
    weight: int
    reverse: bool = False

    def contribution(self, failing: bool) -> int:
        sign = -1 if self.reverse else 1
        if self.weight > 0:
            return 0 if failing else self.weight * sign
        return self.weight * sign if failing else 0


@dataclass(frozen=True, slots=True)
class ReachablePriority:
    """A priority the instance advertises when exactly the checks in ``failing`` fail."""

    priority: int
    failing: tuple[str, ...]
    explanation: str  # e.g. "150 - 80 (chk_nginx failing)"


def trackers(instance: VrrpInstance, config: KeepalivedConfig | None = None) -> tuple[Tracker, ...]:
    """The checks of ``instance``: its own tracked scripts and interfaces and its sync group's."""
    out = [Tracker(t.name, "script", t.weight, t.reverse) for t in instance.track_scripts]
    out += [Tracker(t.name, "interface", t.weight, t.reverse) for t in instance.track_interfaces]
    group = config.sync_group(instance.sync_group) if config is not None and instance.sync_group else None
    if group is not None:
        names = {t.name for t in out}
        out += [Tracker(t.name, "script", t.weight, t.reverse) for t in group.track_scripts if t.name not in names]
        out += [
            Tracker(t.name, "interface", t.weight if group.tracking_weight else 0, t.reverse)
            for t in group.track_interfaces
            if t.name not in names
        ]
    if instance.priority == OWNER:
        out = [replace_weight(t, 0) for t in out]
    return tuple(out)


def replace_weight(tracker: Tracker, weight: int) -> Tracker:
    return Tracker(tracker.name, tracker.kind, weight, tracker.reverse)


def fault_checks(instance: VrrpInstance, config: KeepalivedConfig | None = None) -> tuple[str, ...]:
    """Checks whose failure puts the instance in FAULT (weight 0)."""
    return tuple(t.name for t in trackers(instance, config) if t.weight == 0)


def _clamp(base: int, total: int) -> int:
    if base == OWNER:
        return OWNER
    return max(1, min(MAX_TRACKED, total))


def healthy_priority(instance: VrrpInstance, config: KeepalivedConfig | None = None) -> int:
    """The priority with every check passing."""
    weighted = [t for t in trackers(instance, config) if t.weight]
    return _clamp(instance.priority, instance.priority + sum(t.contribution(False) for t in weighted))


def reachable_priorities(
    instance: VrrpInstance, config: KeepalivedConfig | None = None
) -> tuple[ReachablePriority, ...]:
    """Every priority the weighted checks can produce, highest first, each with the smallest set
    of failing checks that gives it (FAULT, from weight-0 checks, is not a priority: see
    :func:`fault_checks`)."""
    weighted = [t for t in trackers(instance, config) if t.weight]
    # delta -> the failing checks giving it; fewer failing checks explain better.
    best: dict[int, tuple[Tracker, ...]] = {sum(t.contribution(False) for t in weighted): ()}
    for tracker in weighted:
        grown: dict[int, tuple[Tracker, ...]] = dict(best)
        for delta, failing in best.items():
            moved = delta - tracker.contribution(False) + tracker.contribution(True)
            candidate = (*failing, tracker)
            known = grown.get(moved)
            if known is None or len(candidate) < len(known):
                grown[moved] = candidate
        best = grown
    by_priority: dict[int, ReachablePriority] = {}
    for delta, failing in sorted(best.items(), key=lambda item: (len(item[1]), -item[0])):
        priority = _clamp(instance.priority, instance.priority + delta)
        if priority not in by_priority:
            by_priority[priority] = ReachablePriority(
                priority, tuple(t.name for t in failing), explain(instance.priority, weighted, failing, priority)
            )
    return tuple(sorted(by_priority.values(), key=lambda r: -r.priority))


def explain(base: int, weighted: list[Tracker], failing: tuple[Tracker, ...], priority: int) -> str:
    """``150 - 80 (chk_nginx failing)``; ``100 + 20 (chk_web passing)``."""
    terms: list[str] = []
    passing_named: list[str] = []
    deltas = [(tracker.contribution(tracker in failing), tracker) for tracker in weighted]
    for delta, tracker in sorted(deltas, key=lambda item: item[0] < 0):  # stable: gains first, then losses
        if delta:
            terms.append(f"+ {delta}" if delta > 0 else f"- {-delta}")
            if tracker not in failing:
                passing_named.append(tracker.name)
    text = " ".join([str(base), *terms])
    if priority != base + sum(t.contribution(t in failing) for t in weighted):
        text += f" = {priority}"
    states: list[str] = []
    for word, names in (
        ("passing", passing_named),
        ("failing", [t.name for t in failing if t.kind == "script"]),
        ("down", [t.name for t in failing if t.kind == "interface"]),
    ):
        if names:
            states.append(f"{', '.join(names)} {word}")
    if priority == OWNER and base == OWNER and weighted:
        states.append("address owner: weights ignored")
    elif priority != base + sum(t.contribution(t in failing) for t in weighted):
        states.append(f"keepalived keeps priorities within 1..{MAX_TRACKED}")
    return f"{text} ({'; '.join(states)})" if states else text


def priority_when(instance: VrrpInstance, failing: frozenset[str], config: KeepalivedConfig | None = None) -> int:
    """The priority while exactly the checks named in ``failing`` fail (weight-0 checks aside)."""
    weighted = [t for t in trackers(instance, config) if t.weight]
    return _clamp(instance.priority, instance.priority + sum(t.contribution(t.name in failing) for t in weighted))
