"""The time axis every picture shares (PNG, SVG, HTML): what span it shows, where its ticks go, how
they read.

Ticks fall on round times of the zone the times are shown in (`--tz`): the axis keeps that zone's
offset from UTC at the capture's start (a daylight-saving change inside a capture shifts the labels
after it by the change).

A capture's timestamps are data from a file and can be absurd (a pcapng with `if_tsresol` = 0 and
a frame at 2^64 - 1 seconds). Nothing here depends on the span for its cost: timestamps outside years
1-9999 (what `datetime` and matplotlib can represent) are drawn at the nearest edge of that range
and counted, so the picture can say so; an axis never has more than MAX_TICKS ticks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

EARLIEST = -62135596800.0  # 0001-01-01T00:00:00Z
LATEST = 253402300799.0  # 9999-12-31T23:59:59Z
MIN_SPAN = 6.0  # seconds: a single advert still has room around it
PAD = 0.02  # of the span, left and right of the data
MAX_TICKS = 16  # the most ticks any axis gets, however long the span

# Tick steps in seconds, up to a quarter of a year; longer spans tick on calendar years (YEAR_STEPS).
# The HTML report's script gets both lists from the page, so zooming ticks the same way.
STEPS = (
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000, 5184000, 7776000,
)  # fmt: skip
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
DAY = 86400.0
LONG_SPAN = 2 * DAY  # beyond this, sub-day ticks carry the date


def drawable(t: float) -> float:
    """The time as drawn: inside years 1-9999 (not-a-number counts as the earliest)."""
    if math.isnan(t):
        return EARLIEST
    return min(max(t, EARLIEST), LATEST)


@dataclass(frozen=True, slots=True)
class Tick:
    t: float
    label: str


@dataclass(frozen=True, slots=True)
class TimeAxis:
    t0: float  # the view, epoch seconds, padded around the data
    t1: float
    clamped: int = 0  # distinct times outside years 1-9999, drawn at the nearest edge of that range
    offset: float = 0.0  # seconds east of UTC of the zone the labels are in

    @classmethod
    def over(cls, times: Iterable[float], offset: float = 0.0) -> TimeAxis:
        """The axis for these timestamps: at least MIN_SPAN wide, padded, inside years 1-9999."""
        seen = list(times)
        drawn = [drawable(t) for t in seen]
        clamped = len({t for t, d in zip(seen, drawn, strict=True) if t != d})
        if not drawn:
            lo, hi = 0.0, 10.0
        else:
            lo, hi = min(drawn), max(drawn)
        if hi - lo < MIN_SPAN:
            mid = lo / 2 + hi / 2
            lo, hi = mid - MIN_SPAN / 2, mid + MIN_SPAN / 2
        pad = (hi - lo) * PAD
        lo, hi = lo - pad, hi + pad
        if hi > LATEST:  # keep the view inside the calendar, so every tick has a date
            lo, hi = lo - (hi - LATEST), LATEST
        if lo < EARLIEST:
            lo, hi = EARLIEST, min(hi + (EARLIEST - lo), LATEST)
        return cls(lo, hi, clamped, offset)

    @property
    def span(self) -> float:
        return self.t1 - self.t0

    def ticks(self, max_ticks: int = 8) -> tuple[Tick, ...]:
        """Round times of the zone, placed at their epoch seconds."""
        shift = self.offset
        if not shift:
            return ticks(self.t0, self.t1, max_ticks)
        return tuple(Tick(t.t - shift, t.label) for t in ticks(self.t0 + shift, self.t1 + shift, max_ticks))

    def days(self) -> str:
        """The calendar days the view covers, for an axis title: '2026-11-25' or 'a to b'."""
        first, last = day(self.t0 + self.offset), day(self.t1 + self.offset)
        return first if first == last else f"{first} to {last}"


def step_for(span: float, max_ticks: int) -> float | None:
    """The smallest step in seconds that puts at most max_ticks ticks on the span (None: tick on years)."""
    return next((s for s in STEPS if span / s <= max_ticks), None)


def ticks(t0: float, t1: float, max_ticks: int = 8) -> tuple[Tick, ...]:
    """Ticks on round times between t0 and t1: at most min(max_ticks, MAX_TICKS) + 1 of them."""
    limit = max(2, min(max_ticks, MAX_TICKS))
    t0, t1 = drawable(t0), drawable(t1)
    span = t1 - t0
    if not span > 0:
        return ()
    step = step_for(span, limit)
    if step is None:
        return _year_ticks(t0, t1, limit)
    first = math.ceil(t0 / step) * step
    count = min(int((t1 - first) / step) + 1, limit + 1)
    out = []
    for k in range(count):
        t = first + k * step
        if t <= t1:
            out.append(Tick(t, tick_label(t, step, span)))
    return tuple(out)


def _year_ticks(t0: float, t1: float, limit: int) -> tuple[Tick, ...]:
    y0, y1 = _year(t0), _year(t1)
    years = next((s for s in YEAR_STEPS if (y1 - y0) / s <= limit), YEAR_STEPS[-1])
    out: list[Tick] = []
    year = -(-y0 // years) * years
    while year <= y1 and len(out) <= limit:
        if year >= 1:
            t = datetime(year, 1, 1, tzinfo=UTC).timestamp()
            if t0 <= t <= t1:
                out.append(Tick(t, str(year)))
        year += years
    return tuple(out)


def tick_label(t: float, step: float, span: float) -> str:
    """How a tick reads: milliseconds when the step is below a second, the date on long spans."""
    if step >= DAY:
        return day(t)
    if step < 1:
        text = _strftime(t, "%H:%M:%S.%f")
        return text[:-3] if text is not None else f"{t:.3f}"
    return _strftime(t, "%m-%d %H:%M" if span > LONG_SPAN else "%H:%M:%S") or f"{t:.0f}"


def day(t: float) -> str:
    try:
        when = datetime.fromtimestamp(t, UTC)
    except (ValueError, OSError, OverflowError):
        return "?"
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d}"  # strftime does not pad years before 1000


def _strftime(t: float, fmt: str) -> str | None:
    try:
        return datetime.fromtimestamp(t, UTC).strftime(fmt)
    except (ValueError, OSError, OverflowError):
        return None


def _year(t: float) -> int:
    try:
        return datetime.fromtimestamp(t, UTC).year
    except (ValueError, OSError, OverflowError):
        return 1 if t < 0 else 9999
