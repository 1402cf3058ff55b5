"""What the scenarios of issue 14 expect, derived from a finished recording (its truth and captures).

The truth file's ``expect_v2`` holds behaviours the analyzer does not report yet (brief master
claims, the direction of a split brain, capture loss, several vantage points, CARP, takeover
outliers). Everything here comes from the daemons' own reports (notify FIFO, ucarp's scripts),
the lab's actions and nftables counters, or from comparing captures taken at different points;
never from vrrpcap.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.story import Packet, read_pcap

ADVERT_KINDS = ("vrrpv2", "vrrpv3", "carp")


def adverts(path: Path) -> list[Packet]:
    """The VRRP and CARP adverts of a capture (no ICMP errors)."""
    return [p for p in read_pcap(path) if p.kind in ADVERT_KINDS]


def _items(truth: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = truth.get(key, [])
    assert isinstance(value, list)
    return value


@dataclass(frozen=True)
class Period:
    """One stretch of MASTER of one router and instance, from the daemon's own report."""

    router: str
    instance: str
    start: float
    end: float | None  # the next state change (or kill); None: still master at the capture's end
    end_state: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "router": self.router,
            "instance": self.instance,
            "start": round(self.start, 6),
            "end": None if self.end is None else round(self.end, 6),
            "duration_s": None if self.end is None else round(self.end - self.start, 6),
            "ended_by": self.end_state,
        }


def master_periods(truth: dict[str, Any], router: str, instance: str) -> list[Period]:
    """MASTER periods of ``router``/``instance``: each ends at its next state change, or at a
    kill/stop of the daemon (which reports nothing)."""
    changes = [t for t in _items(truth, "transitions") if t["router"] == router and t["instance"] == instance]
    ends = [(float(a["time"]), str(a["action"])) for a in _items(truth, "actions") if a.get("router") == router]
    ends = [e for e in ends if e[1].startswith(("kill-", "stop-"))]
    out = []
    for i, change in enumerate(changes):
        if change["state"] != "MASTER":
            continue
        start = float(change["time"])
        following = [(float(c["time"]), str(c["state"])) for c in changes[i + 1 :]]
        following += [(when, action) for when, action in ends if when > start]
        end = min(following, default=None)
        out.append(Period(router, instance, start, None if end is None else end[0], None if end is None else end[1]))
    return out


def within_capture(truth: dict[str, Any], periods: Iterable[Period]) -> list[Period]:
    capture = truth["capture"]
    start, end = float(capture["start"]), float(capture["end"])
    return [p for p in periods if start <= p.start <= end]


def overlapping(truth: dict[str, Any], periods: Iterable[Period]) -> list[Period]:
    """Periods that overlap the capture (also those that began before it)."""
    capture = truth["capture"]
    start, end = float(capture["start"]), float(capture["end"])
    return [p for p in periods if p.start <= end and (p.end is None or p.end >= start)]


def missing(reference: Sequence[Packet], observed: Sequence[Packet]) -> list[Packet]:
    """Adverts of ``reference`` that ``observed`` lacks. An advert is named by what the sender put
    in it: source, VRID/vhid, priority, and its IPv4 ID (keepalived counts it up per advert) or,
    for CARP (random IP IDs), its replay counter. Matched as multisets."""

    def key(p: Packet) -> tuple[object, ...]:
        return (p.src, p.kind, p.vrid, p.priority, p.carp_counter if p.kind == "carp" else p.ip_id)

    have = Counter(key(p) for p in observed)
    out = []
    for pkt in reference:
        k = key(pkt)
        if have[k] > 0:
            have[k] -= 1
        else:
            out.append(pkt)
    return out


def advert_json(p: Packet, names: dict[str, str]) -> dict[str, object]:
    return {
        "time": round(p.time, 6),
        "router": names.get(p.src, p.src),
        "src": p.src,
        "vrid": p.vrid,
        "priority": p.priority,
        "ip_id": p.ip_id,
    }


def gaps(packets: Sequence[Packet], src: str, vrid: int, factor: float = 1.5) -> list[dict[str, object]]:
    """Gaps longer than ``factor`` intervals between consecutive adverts of one sender and VRID."""
    seq = [p for p in packets if p.src == src and p.vrid == vrid and p.kind != "carp"]
    out: list[dict[str, object]] = []
    for before, after in itertools.pairwise(seq):
        gap = after.time - before.time
        if gap > factor * before.interval_s:
            out.append({"after": round(before.time, 6), "before": round(after.time, 6), "gap_s": round(gap, 6)})
    return out


def ip_id_steps(packets: Sequence[Packet]) -> dict[str, list[int]]:
    """Per sender and VRID: the distinct differences between consecutive IPv4 IDs (``[1]``: the
    sender counts its adverts)."""
    streams: dict[str, list[int]] = {}
    for pkt in packets:
        if pkt.kind != "carp" and pkt.ip_id is not None:
            streams.setdefault(f"{pkt.src}/{pkt.vrid}", []).append(pkt.ip_id)
    return {name: sorted({(b - a) % 65536 for a, b in itertools.pairwise(ids)}) for name, ids in streams.items()}


def router_names(truth: dict[str, Any]) -> dict[str, str]:
    """Address -> router name, for every address a lab router sends from."""
    names: dict[str, str] = {}
    for router in _items(truth, "routers"):
        for key in ("ipv4", "ipv6", "ipv6_link_local"):
            if router.get(key):
                names[str(router[key])] = str(router["name"])
    return names
