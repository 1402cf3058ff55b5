"""Was the machine too busy for the recording to mean anything? Timing checks on a capture.

The lab records on shared machines. An advert that leaves much later than its sender's interval
says the daemon was starved of CPU, and then every latency in the truth file is the load's, not
the protocol's. Only gaps between one and 1.5 intervals are judged: shorter ones are answers
("forcing new election"), longer ones are the scenario's own events (loss, failover).
"""

from __future__ import annotations

import itertools
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from lab.story import Packet

LATE_LIMIT_S = 0.15  # beyond this, a recording is re-made rather than trusted


@dataclass(frozen=True)
class Timing:
    streams: int  # (sender, VRID/vhid, kind) streams judged
    gaps: int  # intervals judged
    max_late_s: float  # the latest advert, beyond its interval
    worst: str  # which stream, at which capture second
    load_avg: tuple[float, float, float]  # the machine's load when the check ran

    def to_json(self) -> dict[str, object]:
        return {
            "streams": self.streams,
            "gaps": self.gaps,
            "max_late_s": round(self.max_late_s, 4),
            "worst": self.worst,
            "late_limit_s": LATE_LIMIT_S,
            "load_avg": [round(x, 2) for x in self.load_avg],
        }

    def problems(self) -> list[str]:
        if self.max_late_s > LATE_LIMIT_S:
            return [f"an advert was {self.max_late_s:.3f} s late ({self.worst}): the machine was too busy, re-record"]
        return []


def advert_timing(packets: Iterable[Packet], start: float, exempt: frozenset[str] = frozenset()) -> Timing:
    """Lateness of every advert after its predecessor in the same stream; senders in ``exempt``
    (addresses whose gaps are the story: a starved master) are not judged."""
    streams: dict[tuple[str, int, str], list[Packet]] = defaultdict(list)
    for pkt in packets:
        if pkt.kind in ("vrrpv2", "vrrpv3", "carp") and pkt.priority and pkt.src not in exempt:
            streams[(pkt.src, pkt.vrid, pkt.kind)].append(pkt)
    gaps, worst_late, worst = 0, 0.0, ""
    for (src, vrid, kind), seq in streams.items():
        for before, after in itertools.pairwise(seq):
            nominal = before.interval_s
            gap = after.time - before.time
            if nominal <= gap <= 1.5 * nominal:
                gaps += 1
                if gap - nominal > worst_late:
                    worst_late = gap - nominal
                    worst = f"{kind} {src} id {vrid} at {after.time - start:.2f} s"
    load = os.getloadavg()
    return Timing(len(streams), gaps, worst_late, worst, (load[0], load[1], load[2]))
