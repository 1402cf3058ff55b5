"""Which labels fit where: one set of rules for the PNG/SVG plot and the HTML timelines.

Positions are in the renderer's own unit (the plot's data units, SVG user units) and so are text
widths, which the renderer measures (`Measure`): the plot from the font's advance widths, the HTML
report from a per-character width its script also uses, since it applies the same rules
(templates/report.js) when the view is zoomed.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

Anchor = Literal["start", "middle", "end"]
Measure = Callable[[str], float]  # a label's width


@dataclass(frozen=True, slots=True)
class Ruler:
    """Epoch seconds t0..t1 onto x0..x1 of some unit."""

    t0: float
    t1: float
    x0: float
    x1: float

    def x(self, t: float) -> float:
        span = self.t1 - self.t0
        return self.x0 + (t - self.t0) * (self.x1 - self.x0) / span if span > 0 else self.x0


@dataclass(frozen=True, slots=True)
class Label:
    text: str
    x: float
    anchor: Anchor
    inside: bool = True


# -- bar labels ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BarSpan:
    """A bar as the label rules see it: its extent, which texts may name it (longest first), and
    whether its edges are open (an arrow sits beyond an open edge, so no label goes there)."""

    x0: float
    x1: float
    texts: tuple[str, ...]
    open_left: bool = False
    open_right: bool = False


def bar_labels(
    row: Sequence[BarSpan], measure: Measure, margin: float, left: float, right: float
) -> list[Label | None]:
    """Labels for the bars of one row (in time order): inside the bar, the longest text that fits with
    `margin` to spare; else the shortest text just outside, in the free space before the next bar
    (or after the previous one); else None. Labels outside never overlap a bar or each other."""
    out: list[Label | None] = []
    free_from = left  # everything left of here is taken (a bar, or a label outside one)
    for i, bar in enumerate(row):
        inside = next((t for t in bar.texts if measure(t) + margin < bar.x1 - bar.x0), None)
        if inside is not None:
            out.append(Label(inside, (bar.x0 + bar.x1) / 2, "middle"))
            free_from = max(free_from, bar.x1)
            continue
        name = bar.texts[-1]
        need = measure(name) + margin
        next_start = row[i + 1].x0 if i + 1 < len(row) else right
        label: Label | None = None
        if not bar.open_right and bar.x1 + need <= next_start:
            label = Label(name, bar.x1 + margin / 2, "start", inside=False)
            free_from = bar.x1 + need
        elif not bar.open_left and bar.x0 - need >= free_from:
            label = Label(name, bar.x0 - margin / 2, "end", inside=False)
            free_from = max(free_from, bar.x1)
        else:
            free_from = max(free_from, bar.x1)
        out.append(label)
    return out


# -- failover labels -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mark:
    """A failover as the label rules see it: its bracket back to the old master's last advert
    (`since` = `at` when there is none), and its label texts, longest first."""

    since: float
    at: float
    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MarkLabel:
    index: int  # the failover it is drawn at
    label: Label
    more: int  # failovers just before it whose labels had no room: it says "(+N more)" for them


def more_text(text: str, more: int) -> str:
    return f"{text} (+{more} more)" if more else text


def failover_labels(
    marks: Sequence[Mark],
    measure: Measure,
    gap: float,
    left: float,
    right: float,
    blocked: Sequence[tuple[float, float]] = (),
) -> list[MarkLabel]:
    """Labels for the failovers of a lane (in time order) on the line their brackets sit on, never
    over a bracket, a tick or a `blocked` stretch (split-brain titles), within left..right.

    Each label starts just right of its tick and must end before the next failover's bracket. When no
    text of a failover fits there, it waits: the next failover that has room says "(+N more)" for the
    ones before it. A cluster at the right edge with no room after it is labelled, right-aligned,
    before its first bracket instead."""
    n = len(marks)
    later = [math.inf] * (n + 1)  # later[i]: where the first bracket of marks i.. starts
    for i in range(n - 1, -1, -1):
        later[i] = min(marks[i].since, later[i + 1])
    walls = sorted(blocked)
    starts = [a for a, _ in walls]
    reach = list(accumulate((b for _, b in walls), max))  # the furthest end among the first k walls
    out: list[MarkLabel] = []
    waiting: list[int] = []
    taken = left  # where the last label placed ends
    for i, mark in enumerate(marks):
        waiting.append(i)
        begin = max(mark.at + gap, taken + gap)
        end = min(later[i + 1], right + gap) - gap
        k = bisect.bisect_right(starts, begin)
        if k and reach[k - 1] > mark.at:  # a wall over the start of the label's place
            end = begin
        elif k < len(walls):
            end = min(end, starts[k] - gap)
        text = _fitting(mark.texts, len(waiting) - 1, end - begin, measure)
        if text is not None:
            out.append(MarkLabel(i, Label(text, begin, "start"), len(waiting) - 1))
            taken = begin + measure(text)
            waiting = []
    if waiting:
        # No room after the last cluster: before it, right-aligned, from where the line is free.
        first, last = waiting[0], waiting[-1]
        since = later[first]  # the earliest bracket of the cluster
        before = [b for _, b in walls if b <= since]
        begin = max([taken, *before] + ([marks[first - 1].at] if first else [])) + gap
        end = min([since - gap] + [a - gap for a, b in walls if a < since < b])
        text = _fitting(marks[last].texts, len(waiting) - 1, end - begin, measure)
        if text is not None:
            out.append(MarkLabel(last, Label(text, end, "end"), len(waiting) - 1))
    return out


def _fitting(texts: Sequence[str], more: int, room: float, measure: Measure) -> str | None:
    return next((t for t in (more_text(x, more) for x in texts) if measure(t) <= room), None)
