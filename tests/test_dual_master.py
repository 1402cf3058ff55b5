"""Every virtual router dual-master (benchmarks/generate.py's dual case): the overlap detector's
incremental path gives what the full look gives, finding by finding, and it is the path taken.

The reference is the engine with caching off (every frame decoded in Python, no caches, every
detector's full look at every advert); the fast path is what `vrrpcap audit` runs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import SIZES, dual_adverts, write_pcap
from tests.test_engine_properties import Burst, adverts_of, run
from vrrpcap.analysis import Engine, Event
from vrrpcap.analysis.detectors.overlap import Overlap
from vrrpcap.frames import CaptureSet
from vrrpcap.pipeline import AdvertStream, Pipeline

VIRTUAL_ROUTERS = 200


@pytest.fixture(scope="module")
def dual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dual") / "dual-quick.pcap"
    write_pcap(path, dual_adverts(SIZES["quick"]["dual_adverts"], vr_count=VIRTUAL_ROUTERS))
    return path


def audit(path: Path, reference: bool) -> tuple[list[Event], dict[str, Any], int]:
    """The events, the report and the adverts of one path."""
    engine = Engine()
    engine.caching = not reference
    pipeline = Pipeline(engine=engine)
    events: list[Event] = []
    adverts = 0
    with CaptureSet([str(path)]) as captures:
        stream = AdvertStream(captures, scan=not reference)
        for advert in stream:
            adverts += 1
            events += pipeline.advert(advert)
        inputs = stream.inputs()
    report = pipeline.finish(inputs)
    return events, report.as_dict(), adverts


def test_reference_and_fast_paths_agree_finding_by_finding(dual: Path) -> None:
    ref_events, ref_report, ref_adverts = audit(dual, reference=True)
    events, report, adverts = audit(dual, reference=False)
    assert adverts == ref_adverts == SIZES["quick"]["dual_adverts"]
    assert len(report["findings"]) == len(ref_report["findings"])
    for got, want in zip(report["findings"], ref_report["findings"], strict=True):
        assert got == want
    assert events == ref_events
    assert report == ref_report


def test_every_virtual_router_is_a_split_brain_told_from_the_wire(dual: Path) -> None:
    """What the generator made is what the findings say (so the comparison above compares something)."""
    _, report, _ = audit(dual, reference=False)
    findings = report["findings"]
    codes = Counter(f["code"] for f in findings)
    assert codes["VRRP-SPLIT-BRAIN"] == VIRTUAL_ROUTERS
    assert codes["VRRP-PRIORITY-TIE"] == VIRTUAL_ROUTERS // 10  # every tenth ties on priority
    assert codes["VRRP-INTERVAL-MISMATCH"] == VIRTUAL_ROUTERS // 4  # story 3: 1 s against 2 s
    directions = Counter(f["direction"] for f in findings if f["code"] == "VRRP-SPLIT-BRAIN")
    # Story 1 (index 1 mod 4: the higher, .2, answers the lower, .3) without a tie (index 9 mod 10,
    # ten of them in story 1): 40 whose lower does not hear the higher while the higher hears it.
    one_way = [f for f in findings if f["code"] == "VRRP-SPLIT-BRAIN" and " does not hear " in f["direction"]]
    assert len(one_way) == 40
    for f in one_way:
        low, high = f["direction"].split(" does not hear ")
        assert low[-2:] in (".3", ":3") and high[-2:] in (".2", ":2")
        assert f["hears"] == {high: [low], low: []}
    assert directions["cannot be told"] == VIRTUAL_ROUTERS // 10
    assert directions["neither hears the other"] == VIRTUAL_ROUTERS - 40 - VIRTUAL_ROUTERS // 10


def test_the_full_look_is_rare_while_the_masters_stay(dual: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    looks = 0
    look = Overlap._look

    def counted(self: Overlap, *args: Any) -> None:
        nonlocal looks
        looks += 1
        look(self, *args)

    monkeypatch.setattr(Overlap, "_look", counted)
    _, _, adverts = audit(dual, reference=False)
    # One look when an episode begins (the second master's first advert), and again when a master's
    # standing changes; here only at the start, and when a 2 s master is overdue under a 1.5 factor.
    assert looks < adverts // 10


# -- what makes the incremental path give way to the full look ---------------------------------------------

A, B, C = "192.0.2.1", "192.0.2.2", "192.0.2.3"
X, Y = ("192.0.2.100",), ("192.0.2.200",)


def burst(src: str, priority: int, start: float, count: int, vips: tuple[str, ...] = X, gap: float = 0.0) -> Burst:
    """``count`` adverts a second apart from ``start``; ``gap`` delays the seventh on (an overdue master)."""
    jitter = tuple(gap if i >= 6 else 0.0 for i in range(12))
    return Burst(src, "224.0.0.18", 1, priority, 1.0, vips, start, count, 255, "ok", 0, None, jitter)


STORIES = {
    # B raises its priority to A's mid-episode: a priority tie from then on.
    "priority-becomes-a-tie": [burst(A, 150, 0.0, 12), burst(B, 100, 0.5, 5), burst(B, 150, 5.5, 7)],
    # B raises its priority above A's: the pair swaps, and the direction cannot be told.
    "pair-swaps": [burst(A, 150, 0.0, 12), burst(B, 100, 0.5, 5), burst(B, 200, 5.5, 7)],
    # B's VIPs change: it leaves the virtual router (its run stays open) and A is the only master left.
    "master-leaves": [burst(A, 150, 0.0, 12), burst(B, 100, 0.5, 5), burst(B, 100, 5.5, 7, vips=Y)],
    # Three masters, then the third stops: crowded, then two again.
    "three-then-two": [burst(A, 150, 0.0, 12), burst(B, 100, 0.3, 12), burst(C, 50, 0.6, 4)],
    # B overdue for longer than 1.5 intervals but shorter than its Master_Down_Interval, then back.
    "overdue-and-back": [burst(A, 150, 0.0, 12), burst(B, 100, 0.5, 12, gap=1.2)],
}


@pytest.mark.parametrize("story", STORIES, ids=str)
def test_incremental_and_full_look_agree_when_the_masters_change(story: str) -> None:
    adverts = adverts_of(STORIES[story])
    fast_events, fast_report = run(adverts, caching=True)
    reference_events, reference_report = run(adverts, caching=False)
    assert fast_events == reference_events
    assert fast_report == reference_report
    codes = {f["code"] for f in reference_report["findings"]}  # type: ignore[attr-defined]
    assert "VRRP-SPLIT-BRAIN" in codes
    if story == "priority-becomes-a-tie":
        assert "VRRP-PRIORITY-TIE" in codes


def test_time_going_backwards_takes_the_full_look() -> None:
    adverts = adverts_of([burst(A, 150, 0.0, 12), burst(B, 100, 0.5, 12)])
    adverts[9], adverts[10] = adverts[10], adverts[9]  # one advert out of time order, as captures have
    fast_events, fast_report = run(adverts, caching=True)
    reference_events, reference_report = run(adverts, caching=False)
    assert fast_events == reference_events
    assert fast_report == reference_report
