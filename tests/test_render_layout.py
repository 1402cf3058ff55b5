"""The layout model the plot and the HTML report share: the time axis and the label rules.

Properties, not examples: for any span (a millisecond to the whole calendar, and timestamps far outside
it) the axis has a bounded number of ordered ticks inside the view; for any arrangement of failovers
and bars, no label covers a bracket, a tick, a bar, another label or a blocked stretch, and every
failover is either labelled or counted in a "(+N more)".
"""

from __future__ import annotations

import itertools
import math
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from vrrpcap.render.labels import BarSpan, Label, Mark, bar_labels, failover_labels, more_text
from vrrpcap.render.timeaxis import EARLIEST, LATEST, MAX_TICKS, MIN_SPAN, TimeAxis, ticks

EPOCH = 1_700_000_000.0
times = st.one_of(
    st.floats(EPOCH - 1e6, EPOCH + 1e6),
    st.floats(-1e20, 1e20),
    st.sampled_from([0.0, EARLIEST, LATEST, float(2**64 - 1), -float(2**63), 3e11]),
)


@given(st.lists(times, max_size=8))
@settings(max_examples=300, deadline=None)
def test_any_timestamps_give_a_bounded_axis_inside_the_calendar(values: list[float]) -> None:
    axis = TimeAxis.over(values)
    assert EARLIEST <= axis.t0 < axis.t1 <= LATEST
    assert axis.span >= MIN_SPAN * 0.99 or axis.span >= LATEST - EARLIEST - 1
    assert axis.clamped == len({v for v in values if not EARLIEST <= v <= LATEST})
    for limit in (8, 12, 1000):
        marks = axis.ticks(limit)
        assert len(marks) <= min(limit, MAX_TICKS) + 1
        assert [m.t for m in marks] == sorted({m.t for m in marks})
        assert all(axis.t0 <= m.t <= axis.t1 and m.label for m in marks)


@given(st.floats(EPOCH - 1e9, EPOCH + 1e9), st.floats(1e-3, 3e11))
@settings(max_examples=300, deadline=None)
def test_ticks_on_any_span_are_few_and_enough(t0: float, span: float) -> None:
    t1 = min(t0 + span, LATEST)
    marks = ticks(t0, t1, 8)
    assert len(marks) <= 9
    if t1 - t0 >= 0.01:  # below that, a step of 1 ms may hold a single tick
        assert len(marks) >= 2, (t0, t1, marks)


def test_the_whole_calendar_is_a_few_year_ticks_and_quick() -> None:
    start = time.perf_counter()
    axis = TimeAxis.over([EPOCH, float(2**64 - 1)])  # issue 13: a frame at the largest pcapng timestamp
    marks = axis.ticks(8)
    assert time.perf_counter() - start < 0.1
    assert axis.clamped == 1 and axis.t1 == LATEST
    assert 2 <= len(marks) <= 9 and all(m.label.isdigit() for m in marks), marks


def test_tick_labels_read_as_the_step_says() -> None:
    assert [m.label for m in ticks(EPOCH, EPOCH + 10, 8)][:2] == ["22:13:20", "22:13:22"]
    assert ticks(EPOCH, EPOCH + 0.5, 8)[1].label == "22:13:20.100"
    assert ticks(EPOCH, EPOCH + 5 * 86400, 8)[0].label == "2023-11-15"
    assert ticks(EPOCH, EPOCH + 4 * 86400, 12)[0].label == "11-15 00:00"  # sub-day steps carry the day
    assert ticks(EARLIEST, EARLIEST + 86400 * 30, 8)[0].label.startswith("0001-01-")  # four-digit years


# -- failover labels ---------------------------------------------------------------------------------------


@st.composite
def failovers(draw: st.DrawFn) -> tuple[list[Mark], list[tuple[float, float]]]:
    ats = sorted(draw(st.lists(st.floats(0, 100), max_size=12)))
    marks = []
    for at in ats:
        takeover = draw(st.one_of(st.just(0.0), st.floats(0, 30)))
        cause = draw(st.sampled_from(["silence", "preempted", "priority-0"]))
        texts = (f"{cause}: {takeover:.2f} s takeover", f"{cause}: {takeover:.2f} s", cause)
        marks.append(Mark(max(0.0, at - takeover), at, texts))
    walls = [(a, a + w) for a, w in draw(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 20)), max_size=3))]
    return marks, walls


def extent(label: Label, width: float) -> tuple[float, float]:
    return (label.x, label.x + width) if label.anchor == "start" else (label.x - width, label.x)


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@given(failovers(), st.floats(0.05, 2.0))
@settings(max_examples=500, deadline=None)
def test_failover_labels_never_cover_a_bracket_a_tick_or_each_other(
    case: tuple[list[Mark], list[tuple[float, float]]], char: float
) -> None:
    marks, walls = case
    placed = failover_labels(marks, lambda t: len(t) * char, 0.3, 0.0, 100.0, walls)
    spans = [extent(p.label, len(p.label.text) * char) for p in placed]
    for p, span in zip(placed, spans, strict=True):
        assert span[0] >= 0.0 and span[1] <= 100.0 + 1e-9
        for m in marks:
            assert not overlaps(span, (m.since, max(m.at, m.since + 1e-9))), (p, m)
            assert not span[0] < m.at < span[1], (p, m)
        for w in walls:
            assert not overlaps(span, w), (p, w)
        assert p.label.text in {more_text(t, p.more) for t in marks[p.index].texts}
    for a, b in itertools.pairwise(spans):
        assert a[1] <= b[0] or b[1] <= a[0]
    accounted = sum(1 + p.more for p in placed)
    assert accounted <= len(marks)
    if placed and placed[-1].label.anchor == "start":
        assert accounted == sum(1 for i in range(len(marks)) if i <= placed[-1].index)


def test_a_label_without_room_waits_for_the_next_one() -> None:
    """Issue 12: "preempted: 8|02 s" - a label ran into the next failover's bracket."""
    texts = ("preempted: 8.02 s takeover", "preempted: 8.02 s", "preempted")
    marks = [Mark(10.0, 18.0, texts), Mark(20.0, 21.0, ("silence: 1.00 s takeover",))]
    placed = failover_labels(marks, len, 1.0, 0.0, 100.0)
    assert [(p.index, p.label.text, p.more) for p in placed] == [(1, "silence: 1.00 s takeover (+1 more)", 1)]
    roomy = failover_labels([Mark(10.0, 18.0, texts), Mark(60.0, 61.0, ("silence",))], len, 1.0, 0.0, 100.0)
    assert [p.label.text for p in roomy] == ["preempted: 8.02 s takeover", "silence"]


def test_a_cluster_at_the_right_edge_is_labelled_before_it() -> None:
    marks = [Mark(90.0, 95.0, ("silence: 5.00 s takeover",)), Mark(96.0, 97.0, ("preempted",))]
    (placed,) = failover_labels(marks, len, 1.0, 0.0, 100.0)
    assert placed.label.anchor == "end" and placed.label.x == 89.0
    assert placed.label.text == "preempted (+1 more)"


# -- bar labels ----------------------------------------------------------------------------------------------


@given(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0, 30), st.booleans(), st.booleans()), max_size=8),
    st.floats(0.1, 3.0),
)
@settings(max_examples=500, deadline=None)
def test_bar_labels_fit_inside_or_sit_in_free_space(bars: list[tuple[float, float, bool, bool]], char: float) -> None:
    row: list[BarSpan] = []
    end = 0.0
    for start, length, open_left, open_right in sorted(bars):
        x0 = max(start, end)
        row.append(
            BarSpan(x0, x0 + length, (f"192.0.2.{len(row)}  prio 100", f"192.0.2.{len(row)}"), open_left, open_right)
        )
        end = x0 + length
    labels = bar_labels(row, lambda t: len(t) * char, 0.5, 0.0, max(100.0, end))
    outside = []
    for bar, label in zip(row, labels, strict=True):
        if label is None:
            continue
        width = len(label.text) * char
        if label.inside:
            assert width + 0.5 < bar.x1 - bar.x0 and label.x == (bar.x0 + bar.x1) / 2
            continue
        assert label.text == bar.texts[-1]
        assert not (bar.open_right if label.anchor == "start" else bar.open_left), "no label over an open edge's arrow"
        outside.append(extent(label, width))
    for span in outside:
        assert span[0] >= 0.0 and span[1] <= max(100.0, end)
        assert not any(overlaps(span, (b.x0, b.x1)) for b in row)
    outside.sort()
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(outside))


def test_a_sliver_is_named_beside_itself() -> None:
    row = [
        BarSpan(0.0, 40.0, ("a  prio 1", "a")),
        BarSpan(40.0, 40.5, ("b  prio 2", "b")),
        BarSpan(60.0, 90.0, ("c", "c")),
    ]
    labels = bar_labels(row, len, 1.0, 0.0, 100.0)
    assert [(lab.text, lab.inside) for lab in labels if lab] == [("a  prio 1", True), ("b", False), ("c", True)]
    assert labels[1] is not None and math.isclose(labels[1].x, 41.0)
