"""A second, independent generator of benchmark captures, built with scapy's own layers.

It exists so that the benchmark figures can be checked against captures that `benchmarks/generate.py`
did not make: that generator writes hand-built frames from byte templates in one layout (200 virtual
routers, 1 s adverts, uniform jitter). If vrrpcap's speed were an artefact of that layout (its VRIDs,
its timing, its byte templates), it would show here. This module shares no code with generate.py: every
frame is built by scapy (Ether, Dot1Q, IP, IPv6, TCP, UDP, scapy.layers.vrrp's VRRP and VRRPv3; the IP,
TCP, UDP and VRRP checksums are scapy's) and written by scapy's RawPcapWriter. Its layout differs:

- dense: 150 virtual routers (VRRPv2 at 1 s and 2 s, VRRPv3 at 50, 100 and 200 cs, IPv4 and IPv6,
         multicast and unicast pairs on their own address plan, a third VLAN-tagged, VRIDs a permutation),
         each master on its own phase with gaussian jitter; a few failovers at random times (silence,
         priority 0, a backup that keeps the role). About 300,000 adverts.
- dual:  the same 150 virtual routers, every one dual-master from start to end: both routers advertise
         as master on differing phases (the second one's clock runs slightly fast, so the phases drift);
         every seventh ties on priority, every eleventh has the second router at twice the interval.
         About 300,000 adverts.
- mixed: 2,000,000 packets, 0.2% VRRP (12 of the virtual routers above), the rest TCP and UDP of
         realistic sizes over IPv4 and IPv6 (bulk segments, ACKs with timestamps, DNS, RTP, QUIC-sized
         datagrams), some VLAN-tagged, Poisson arrivals. About 1.3 GB.

For speed each distinct frame is built by scapy once (`bytes(packet)`) and written as many times as it
occurs, with its own timestamp. Most IPv4 adverts go out with DF set and IP ID 0 (as Cisco and DF-set
Linux sockets send them), so their repeats are the same bytes; in one virtual router of ten the IPv4 IDs
count one per advert (keepalived), and scapy rebuilds each of those adverts with its ID. (generate.py counts IDs
up in every IPv4 advert.)

    python -m benchmarks.independent                 # all three into benchmarks/data/ (a few minutes)
    python -m benchmarks.independent --quick         # tiny versions, for the tests
    python -m benchmarks.independent --only dense    # one kind
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether
from scapy.layers.vrrp import VRRP, VRRPv3
from scapy.packet import Packet, Padding, Raw
from scapy.utils import RawPcapWriter

DATA = Path(__file__).resolve().parent / "data"
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
KINDS = ("dense", "dual", "mixed")
SIZES = {
    "full": {"dense": 300_000, "dual": 300_000, "mixed": 2_000_000},
    "quick": {"dense": 3_000, "dual": 8_000, "mixed": 20_000},
}
ROUTERS = 150
MIXED_ROUTERS = 12
VRRP_SHARE = 0.002
Frame = tuple[float, bytes]


@dataclass(frozen=True)
class Router:
    """One virtual router of this layout: two routers, A (the master) and B (its backup)."""

    index: int
    version: int
    family: str  # "ipv4" or "ipv6"
    unicast: bool
    vrid: int
    vlan: int | None
    vmac: bool  # adverts sent from the virtual MAC, not the router's own
    interval: float  # seconds
    addresses: tuple[str, str]  # (A, B)
    priorities: tuple[int, int]
    vips: tuple[str, ...]
    counting: bool = False  # IPv4 IDs count one per advert (keepalived); else DF set and ID 0

    def advert(self, who: int, priority: int, interval: float | None = None) -> bytes:
        """One advert of router `who` (0: A, 1: B), built by scapy."""
        seconds = self.interval if interval is None else interval
        src, peer = self.addresses[who], self.addresses[1 - who]
        own_mac = f"52:54:00:{self.index >> 8:02x}:{self.index & 0xFF:02x}:{0xA0 + who:02x}"
        peer_mac = f"52:54:00:{self.index >> 8:02x}:{self.index & 0xFF:02x}:{0xA1 - who:02x}"
        if self.family == "ipv4":
            dst = peer if self.unicast else "224.0.0.18"
            mac = f"00:00:5e:00:01:{self.vrid:02x}" if self.vmac else own_mac
            dst_mac = peer_mac if self.unicast else "01:00:5e:00:00:12"
            network: Packet = IP(src=src, dst=dst, ttl=255, tos=0xC0, flags=0 if self.counting else "DF", id=0)
        else:
            dst = peer if self.unicast else "ff02::12"
            mac = f"00:00:5e:00:02:{self.vrid:02x}" if self.vmac else own_mac
            dst_mac = peer_mac if self.unicast else "33:33:00:00:00:12"
            network = IPv6(src=src, dst=dst, hlim=255, tc=0xC0)
        if self.version == 2:
            body: Packet = VRRP(vrid=self.vrid, priority=priority, adv=round(seconds), addrlist=list(self.vips))
        else:
            body = VRRPv3(vrid=self.vrid, priority=priority, adv=round(seconds * 100), addrlist=list(self.vips))
        return frame(Ether(src=mac, dst=dst_mac), self.vlan, network / body)


def frame(ether: Packet, vlan: int | None, network: Packet) -> bytes:
    packet = ether / Dot1Q(vlan=vlan) / network if vlan is not None else ether / network
    data = bytes(packet)
    if len(data) < 60:  # as received: padded to Ethernet's minimum
        data = bytes(packet / Padding(load=bytes(60 - len(data))))
    return data


def layout(count: int = ROUTERS) -> list[Router]:
    out = []
    for i in range(count):
        kind = i % 6
        version = 2 if kind in (0, 4) else 3
        unicast = kind == 5
        family = "ipv6" if kind == 2 or (unicast and i % 12 == 11) else "ipv4"
        interval = {0: 1.0, 1: 1.0, 2: 1.0, 3: 0.5, 4: 2.0, 5: 2.0 if i % 4 == 1 else 1.0}[kind]
        vrid = (i * 37) % 251 + 1  # a permutation of 1..251: every VRID distinct
        vlan = 300 + i % 5 if i % 3 == 1 else None
        if family == "ipv4" and unicast:  # routed unicast pairs, each side in its own /24
            addresses = (f"198.18.{i}.1", f"198.19.{i}.1")
            vips: tuple[str, ...] = (f"203.0.113.{i}",)
        elif family == "ipv4":
            addresses = (f"172.20.{i}.11", f"172.20.{i}.12")
            vips = (f"172.20.{i}.1", *(f"172.21.{i}.{10 + k}" for k in range(i % 4)))
        elif unicast:
            addresses = (f"2001:db8:f:{i:x}::1", f"2001:db8:f:{i:x}::2")
            vips = (f"fe80::f:{i:x}:1",)
        else:
            addresses = (f"fe80::5:{i:x}:a", f"fe80::5:{i:x}:b")
            vips = (f"fe80::5:{i:x}:1", f"2001:db8:a:{i:x}::1")
        priorities = (254 - i % 40, 90 + i % 50)
        counting = family == "ipv4" and i % 10 == 3
        out.append(
            Router(i, version, family, unicast, vrid, vlan, i % 2 == 0, interval, addresses, priorities, vips, counting)
        )
    return out


def skew(vr: Router, priority: int) -> float:
    """Skew_Time of a backup: RFC 3768 for VRRPv2, RFC 5798 (scaled by the interval) for VRRPv3."""
    return (256 - priority) / 256 * (1.0 if vr.version == 2 else vr.interval)


def jitter(rng: random.Random, interval: float) -> float:
    return interval + max(-0.004, min(0.004, rng.gauss(0.0, 0.0008)))


def duration(routers: list[Router], adverts: int, per_second: float = 1.0) -> float:
    """Seconds over which the routers, one master each, send about `adverts` adverts."""
    return adverts / (per_second * sum(1 / vr.interval for vr in routers))


Event = tuple[float, int, int, int, int]  # (time, router index, who, priority, interval multiple)


def master_events(vr: Router, span: float, rng: random.Random, failover: str | None) -> Iterator[Event]:
    """One master on its own phase; `failover` is silent, resign or keep (a failover at a random time)."""
    t = START + rng.uniform(0, vr.interval)
    end = START + span
    when = START + rng.uniform(0.2, 0.7) * span if failover else end + 1
    back = when + rng.uniform(0.1, 0.25) * span if failover != "keep" else end + 1
    a, b = vr.priorities
    while t < end:
        if t < when or t >= back:
            yield t, vr.index, 0, a, 1
            t += jitter(rng, vr.interval)
            continue
        if failover == "resign":
            yield t, vr.index, 0, 0, 1  # A stops gracefully: B takes over after its skew time
            t += skew(vr, b)
        else:
            t += 3 * vr.interval + skew(vr, b)  # A falls silent: B waits Master_Down_Interval
        while t < min(back, end):
            yield t, vr.index, 1, b, 1
            t += jitter(rng, vr.interval)
        t = max(t, back)  # A returns and preempts at once with its higher priority
        back = START - 1


def dense_events(routers: list[Router], adverts: int, rng: random.Random) -> list[Event]:
    span = duration(routers, adverts)
    stories = ("silent", "resign", "keep", "silent", "resign", "silent")
    chosen = dict(zip(rng.sample(range(len(routers)), len(stories)), stories, strict=True))
    events = [e for vr in routers for e in master_events(vr, span, rng, chosen.get(vr.index))]
    events.sort()
    return events


def dual_events(routers: list[Router], adverts: int, rng: random.Random) -> list[Event]:
    """Both routers of every virtual router advertise as master throughout, B on its own drifting phase."""
    slow = [vr.index % 11 == 10 for vr in routers]
    span = adverts / sum((1 + (0.5 if s else 1.0)) / vr.interval for vr, s in zip(routers, slow, strict=True))
    events: list[Event] = []
    for vr, s in zip(routers, slow, strict=True):
        tie = vr.index % 7 == 3
        priorities = (120, 120) if tie else vr.priorities
        phase = rng.uniform(0.15, 0.85) * vr.interval
        drift = 1 + rng.uniform(1e-4, 5e-4)
        for who, first, multiple in ((0, 0.0, 1), (1, phase, 2 if s else 1)):
            t = START + rng.uniform(0, 0.05) + first
            step = vr.interval * multiple / (drift if who else 1.0)
            while t < START + span:
                events.append((t, vr.index, who, priorities[who], multiple))
                t += jitter(rng, step)
    events.sort()
    return events


def adverts(routers: list[Router], events: Iterable[Event]) -> Iterator[Frame]:
    """Frames of the events, each distinct one built by scapy once. Where the IDs count, scapy dissects
    that frame once and rebuilds it for every advert with the next ID (its IP checksum recomputed)."""
    built: dict[tuple[int, int, int, int], bytes] = {}
    dissected: dict[tuple[int, int, int, int], Packet] = {}
    ids: dict[tuple[int, int], int] = {}
    for t, index, who, priority, multiple in events:
        vr = routers[index]
        key = (index, who, priority, multiple)
        if vr.counting:
            packet = dissected.get(key)
            if packet is None:
                packet = dissected[key] = Ether(vr.advert(who, priority, vr.interval * multiple))
            ip = packet[IP]
            ip.id = ids[index, who] = (ids.get((index, who), index * 4099 + who * 30011) + 1) & 0xFFFF
            ip.chksum = None
            yield t, bytes(packet)
            continue
        data = built.get(key)
        if data is None:
            data = built[key] = vr.advert(who, priority, vr.interval * multiple)
        yield t, data


# -- other traffic ------------------------------------------------------------------------------------


def background(rng: random.Random, count: int = 600) -> tuple[list[bytes], list[float]]:
    """Distinct TCP/UDP frames built by scapy, and their weights: bulk, ACKs, DNS, RTP, QUIC-sized."""
    kinds = (("bulk", 0.30), ("segment", 0.10), ("ack", 0.35), ("dns", 0.10), ("rtp", 0.08), ("quic", 0.07))
    frames, weights = [], []
    for k in range(count):
        kind, share = kinds[k % len(kinds)]
        six = k % 4 == 1
        vlan = 400 + k % 4 if k % 5 == 2 else None
        if six:
            network: Packet = IPv6(src=f"2001:db8:100:{k % 37:x}::{k:x}", dst=f"2001:db8:200::{k % 11 + 1:x}", hlim=64)
        else:
            network = IP(src=f"10.{64 + k % 50}.{k % 200}.{1 + k % 250}", dst=f"10.200.0.{k % 20 + 1}", ttl=63, id=k)
        overhead = 14 + (4 if vlan else 0) + (40 if six else 20)
        flow = 32768 + k * 13 % 28000
        if kind in ("bulk", "segment", "ack"):
            size = {"bulk": 1514, "segment": rng.randint(400, 1400), "ack": 66}[kind]
            options = [("NOP", None), ("NOP", None), ("Timestamp", (k * 1000, k * 999))]
            tcp = TCP(
                sport=443 if k % 3 else 22,
                dport=flow,
                seq=k * 7919,
                ack=k * 104729,
                flags="PA" if size > 66 else "A",
                window=501,
                options=options,
            )
            payload = max(0, size - overhead - 32)
            layer: Packet = tcp / Raw(load=rng.randbytes(payload)) if payload else tcp
        else:
            size = {"dns": rng.randint(74, 280), "rtp": 214, "quic": rng.randint(1200, 1292)}[kind]
            port = {"dns": 53, "rtp": 16384 + k % 100 * 2, "quic": 443}[kind]
            layer = UDP(sport=port, dport=flow) / Raw(load=rng.randbytes(max(1, size - overhead - 8)))
        mac = f"3c:fd:fe:{k >> 8 & 0xFF:02x}:{k & 0xFF:02x}:01"
        frames.append(frame(Ether(src=mac, dst="3c:fd:fe:ff:00:01"), vlan, network / layer))
        weights.append(share)
    return frames, weights


def mixed(total: int, rng: random.Random) -> list[Frame]:
    """The adverts of 12 of the virtual routers (every kind of the layout), one master each."""
    everyone = layout()
    routers = [everyone[13 * k] for k in range(MIXED_ROUTERS)]  # 13k % 6 runs through every kind
    span = duration(routers, int(total * VRRP_SHARE))
    events = sorted(e for vr in routers for e in master_events(vr, span, rng, None))
    return list(adverts(everyone, events))


def with_background(vrrp: list[Frame], total: int, rng: random.Random) -> Iterator[Frame]:
    """The adverts among `total` packets in all: background TCP/UDP with Poisson arrivals over their span."""
    span = vrrp[-1][0] - START
    frames, weights = background(rng)
    others = total - len(vrrp)
    picks = rng.choices(frames, weights=weights, k=others)
    rate = others / span
    t = START
    pending = iter(vrrp)
    following = next(pending, None)
    for data in picks:
        t += rng.expovariate(rate)
        while following is not None and following[0] <= t:
            yield following
            following = next(pending, None)
        yield t, data
    while following is not None:
        yield following
        following = next(pending, None)


# -- writing ------------------------------------------------------------------------------------------


def write(path: Path, frames: Iterable[Frame]) -> int:
    """Write with scapy's RawPcapWriter; the number of packets written."""
    packets = 0
    writer = RawPcapWriter(str(path), linktype=1, snaplen=262144, bufsz=1 << 22)
    try:
        writer.write_header(None)  # write() would, write_packet() does not
        for t, data in frames:
            seconds = int(t)
            writer.write_packet(data, sec=seconds, usec=int((t - seconds) * 1_000_000))
            packets += 1
    finally:
        writer.close()
    return packets


def generate(kind: str, quick: bool, out: Path, seed: int = 20260101) -> dict[str, object]:
    """Write benchmarks/data/independent-KIND[-quick].pcap; what was made (also as a .json beside it)."""
    out.mkdir(parents=True, exist_ok=True)
    size = SIZES["quick" if quick else "full"][kind]
    rng = random.Random(f"{seed}-{kind}")
    started = time.perf_counter()
    path = out / f"independent-{kind}{'-quick' if quick else ''}.pcap"
    routers = layout()
    if kind in ("dense", "dual"):
        events = (dense_events if kind == "dense" else dual_events)(routers, size, rng)
        count, vrrp = len(routers), len(events)
        packets = write(path, adverts(routers, events))
    else:
        frames = mixed(size, rng)
        count, vrrp = MIXED_ROUTERS, len(frames)
        packets = write(path, with_background(frames, size, rng))
    made = {
        "path": str(path),
        "kind": kind,
        "packets": packets,
        "adverts": vrrp,
        "virtual_routers": count,
        "bytes": path.stat().st_size,
        "seconds": round(time.perf_counter() - started, 2),
    }
    path.with_suffix(".json").write_text(json.dumps(made, indent=2) + "\n")
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny files, for the tests")
    parser.add_argument("--only", choices=[*KINDS, "all"], default="all")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    for kind in KINDS if args.only == "all" else (args.only,):
        made = generate(kind, args.quick, args.out)
        print(
            f"{made['path']}: {made['packets']} packets, {made['adverts']} adverts, "
            f"{made['virtual_routers']} virtual routers, "
            f"{int(made['bytes']) / 1e6:.1f} MB, {made['seconds']} s",  # type: ignore[call-overload]
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
