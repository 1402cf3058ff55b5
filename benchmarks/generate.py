"""Generate large captures for the benchmarks (into benchmarks/data/, which git ignores).

- dense:  VRRP only. 200 virtual routers (VRRPv2 and v3, IPv4 and IPv6, multicast and unicast pairs,
          a quarter VLAN-tagged), one advert per second from each master with a little jitter, and a
          few failovers (silence, priority 0, preemption back). 300,000 adverts by default.
- dual:   the dense capture's 200 virtual routers, every one dual-master: both routers advertise as master
          throughout (a split brain everywhere). Neither hears the other in most; in some the higher one
          hears the lower and answers each of its adverts at once (keepalived's reply, off its own phase);
          some advertise different intervals, some tie on priority. 300,000 adverts by default.
- mixed:  2,000,000 packets of which 0.2% are VRRP adverts; the rest TCP and UDP of realistic sizes
          (full-size segments, ACKs, DNS-sized and media-sized datagrams), IPv4 and IPv6, some VLAN
          tagged, about 1.4 GB. Written as pcap and as pcapng (with an interface statistics block).

Frames are built once per distinct content and reused, so generating is bounded by writing the file.

    python -m benchmarks.generate                 # the full set (a few minutes, ~3.5 GB)
    python -m benchmarks.generate --quick         # tiny versions, for the smoke test
    python -m benchmarks.generate --only dense    # one kind
"""

from __future__ import annotations

import argparse
import heapq
import random
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
EPOCH = 1_700_000_000.0

SIZES = {
    "full": {
        "dense_adverts": 300_000,
        "dense_big_adverts": 3_000_000,
        "dual_adverts": 300_000,
        "mixed_packets": 2_000_000,
    },
    "quick": {"dense_adverts": 2_000, "dense_big_adverts": 6_000, "dual_adverts": 4_000, "mixed_packets": 20_000},
}


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return int(~total & 0xFFFF)


def mac(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def ethernet(dst: bytes, src: bytes, ethertype: int, payload: bytes, vlan: int | None = None) -> bytes:
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    frame = dst + src + tag + struct.pack("!H", ethertype) + payload
    return frame + b"\x00" * max(0, 60 - len(frame))  # Ethernet minimum frame size


def ipv4(src: bytes, dst: bytes, proto: int, payload: bytes, ttl: int = 255, ident: int = 0) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(payload), ident, 0, ttl, proto, 0, src, dst)
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def ipv6(src: bytes, dst: bytes, next_header: int, payload: bytes, hop_limit: int = 255) -> bytes:
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), next_header, hop_limit, src, dst) + payload


def v4(text: str) -> bytes:
    return bytes(int(x) for x in text.split("."))


def v6(text: str) -> bytes:
    import ipaddress

    return ipaddress.IPv6Address(text).packed


# -- VRRP ---------------------------------------------------------------------------------------------


@dataclass
class VirtualRouter:
    index: int
    version: int
    family: str
    vrid: int
    vlan: int | None
    unicast: bool
    routers: tuple[bytes, bytes]  # (normally master, normally backup) addresses
    priorities: tuple[int, int]
    vips: tuple[bytes, ...]
    interval_cs: int = 100  # VRRPv3's Max_Adver_Int in centiseconds (VRRPv2 always says 1 s)

    def advert(self, who: int, priority: int, ident: int = 0, interval: int = 1) -> bytes:
        src = self.routers[who]
        if self.family == "ipv4":
            dst = self.routers[1 - who] if self.unicast else v4("224.0.0.18")
        else:
            dst = self.routers[1 - who] if self.unicast else v6("ff02::12")
        addresses = b"".join(self.vips)
        if self.version == 2:
            body = struct.pack("!BBBBBBH", 0x21, self.vrid, priority, len(self.vips), 0, interval, 0)
            body += addresses + bytes(8)
            message = body[:6] + struct.pack("!H", checksum(body)) + body[8:]
        else:
            centiseconds = self.interval_cs * interval  # interval: a multiple of the base (dual-master case)
            body = struct.pack("!BBBBHH", 0x31, self.vrid, priority, len(self.vips), centiseconds, 0) + addresses
            if self.family == "ipv4":
                pseudo = src + dst + struct.pack("!BBH", 0, 112, len(body))
            else:
                pseudo = src + dst + struct.pack("!IxxxB", len(body), 112)
            message = body[:6] + struct.pack("!H", checksum(pseudo + body)) + body[8:]
        router_mac = bytes([0x02, 0x42, 0x0A, self.index >> 8 & 0xFF, self.index & 0xFF, who])
        if self.family == "ipv4":
            dst_mac = mac("01:00:5e:00:00:12") if not self.unicast else bytes([0x02, 0x42, 0x0A, 0, 0, 1 - who])
            return ethernet(dst_mac, router_mac, 0x0800, ipv4(src, dst, 112, message, ident=ident), self.vlan)
        dst_mac = mac("33:33:00:00:00:12") if not self.unicast else bytes([0x02, 0x42, 0x0A, 0, 0, 1 - who])
        return ethernet(dst_mac, router_mac, 0x86DD, ipv6(src, dst, 112, message), self.vlan)


def virtual_routers(count: int) -> list[VirtualRouter]:
    out = []
    for i in range(count):
        kind = i % 5  # v2 IPv4 multicast, v3 IPv4 multicast, v3 IPv6 multicast, v3 IPv4 unicast, v2 IPv4 unicast
        version = 2 if kind in (0, 4) else 3
        family = "ipv6" if kind == 2 else "ipv4"
        vlan = 100 + i % 7 if i % 4 == 0 else None
        vrid = 1 + i % 255
        if family == "ipv4":
            net = f"10.{i // 250}.{i % 250}"
            routers = (v4(f"{net}.2"), v4(f"{net}.3"))
            vips: tuple[bytes, ...] = tuple(v4(f"{net}.{1 if k == 0 else 100 + k}") for k in range(1 + i % 3))
        else:
            routers = (v6(f"fe80::{i:x}:2"), v6(f"fe80::{i:x}:3"))
            vips = (v6(f"fe80::{i:x}:1"), v6(f"2001:db8:{i:x}::1"))
        out.append(VirtualRouter(i, version, family, vrid, vlan, kind >= 3, routers, (200, 100), vips))
    return out


def vr_schedule(vr: VirtualRouter, adverts: int, rng: random.Random) -> Iterator[tuple[float, bytes]]:
    """(time, frame) of one virtual router: its master every ~1 s, with failovers for a few of them.
    IPv4 adverts count the IP identification up, as keepalived does; so no two frames are identical."""
    counters = [0, 0]

    def frame(who: int, priority: int) -> bytes:
        counters[who] += 1
        return vr.advert(who, priority, counters[who] & 0xFFFF)

    t = EPOCH + rng.random()
    story = vr.index % 40
    # Failovers: master silent at ~1/3 (backup takes over after Master_Down_Interval, master preempts
    # back at ~2/3), or priority 0 (graceful stop) for a few.
    third = adverts // 3
    who = 0
    sent = 0
    failed_over = returned = story not in (7, 23) or third < 2
    while sent < adverts:
        if not failed_over and sent >= third:
            failed_over = True
            if story == 23:
                yield t, frame(0, 0)  # resign: priority 0, the backup takes over after its skew time
                sent += 1
                t += (256 - 100) / 256
            else:
                t += 3 + (256 - 100) / 256  # silence: Master_Down_Interval of the backup
            who = 1
            continue
        if failed_over and not returned and sent >= 2 * third:
            returned = True
            t += 0.3
            who = 0  # the master is back with its higher priority: it preempts at once
            continue
        priority = vr.priorities[who]
        yield t, frame(who, priority)
        sent += 1
        t += 1.0 + rng.uniform(-0.002, 0.002)


def dense_adverts(total: int, vr_count: int = 200, seed: int = 1) -> Iterator[tuple[float, bytes]]:
    rng = random.Random(seed)
    routers = virtual_routers(vr_count)
    per_vr = total // vr_count
    extra = total - per_vr * vr_count
    schedules = [vr_schedule(vr, per_vr + (1 if i < extra else 0), rng) for i, vr in enumerate(routers)]
    yield from heapq.merge(*schedules, key=lambda item: item[0])


def dual_schedule(vr: VirtualRouter, adverts: int, rng: random.Random) -> Iterator[tuple[float, bytes]]:
    """(time, frame) of one dual-master virtual router: both routers advertise as master from the start.

    story 0, 2: neither hears the other (each on its own phase); 1: the higher hears the lower and answers
    each of its adverts within a millisecond, its timer then running from the answer (keepalived); 3: the
    lower advertises every 2 s (an interval mismatch: each drops the other's adverts); every tenth ties on
    priority. IPv4 adverts count the IP identification up per router."""
    counters = [0, 0]
    story = vr.index % 4
    priorities = (100, 100) if vr.index % 10 == 9 else vr.priorities
    intervals = (1, 2) if story == 3 else (1, 1)
    answers = story == 1 and priorities[0] > priorities[1]
    start = EPOCH + rng.random()
    timers = [(start, 0), (start + 0.1 + 0.8 * rng.random(), 1)]  # (due, router): a heap of two
    sent = 0
    while sent < adverts:
        t, who = heapq.heappop(timers)
        counters[who] += 1
        yield t, vr.advert(who, priorities[who], counters[who] & 0xFFFF, intervals[who])
        sent += 1
        due = t + intervals[who] + rng.uniform(-0.002, 0.002)
        if answers and who == 1 and sent < adverts:
            # The higher one hears it: it answers at once, and its advert timer starts again from there.
            timers = [item for item in timers if item[1] != 0]
            heapq.heappush(timers, (t + rng.uniform(0.0001, 0.001), 0))
        heapq.heappush(timers, (due, who))


def dual_adverts(total: int, vr_count: int = 200, seed: int = 3) -> Iterator[tuple[float, bytes]]:
    rng = random.Random(seed)
    routers = virtual_routers(vr_count)
    per_vr = total // vr_count
    extra = total - per_vr * vr_count
    schedules = [dual_schedule(vr, per_vr + (1 if i < extra else 0), rng) for i, vr in enumerate(routers)]
    yield from heapq.merge(*schedules, key=lambda item: item[0])


# -- other traffic ------------------------------------------------------------------------------------


def background_templates(rng: random.Random) -> list[bytes]:
    """A few hundred distinct TCP/UDP frames of realistic sizes, IPv4 and IPv6, some VLAN tagged."""
    out = []
    for k in range(400):
        kind = rng.random()
        if kind < 0.40:
            size, proto = 1514, 6  # full-size TCP segment
        elif kind < 0.80:
            size, proto = 66, 6  # ACK
        elif kind < 0.90:
            size, proto = rng.randint(80, 200), 17  # DNS-like
        else:
            size, proto = rng.randint(200, 1300), 17  # media / QUIC-like
        vlan = 200 + k % 3 if k % 6 == 0 else None
        six = k % 5 == 0
        eth_overhead = 14 + (4 if vlan is not None else 0)
        ip_overhead = 40 if six else 20
        l4 = 20 if proto == 6 else 8
        payload = bytes(rng.getrandbits(8) for _ in range(max(0, size - eth_overhead - ip_overhead - l4)))
        if proto == 6:
            l4_header = struct.pack("!HHIIBBHHH", 443, 40000 + k, k, k * 7, 0x50, 0x18, 500, 0, 0)
        else:
            l4_header = struct.pack("!HHHH", 53 if size < 200 else 4433, 50000 + k, l4 + len(payload), 0)
        segment = l4_header + payload
        src_mac, dst_mac = bytes([2, 0, 0, 0, k >> 8, k & 0xFF]), bytes([2, 0, 0, 1, 0, 1])
        if six:
            packet = ipv6(v6(f"2001:db8::{k:x}"), v6("2001:db8:ffff::1"), proto, segment, 64)
            out.append(ethernet(dst_mac, src_mac, 0x86DD, packet, vlan))
        else:
            packet = ipv4(v4(f"192.168.{k % 250}.{1 + k % 200}"), v4("172.16.0.1"), proto, segment, 64, k)
            out.append(ethernet(dst_mac, src_mac, 0x0800, packet, vlan))
    return out


def mixed_packets(total: int, vrrp_share: float = 0.002, seed: int = 2) -> Iterator[tuple[float, bytes]]:
    rng = random.Random(seed)
    templates = background_templates(rng)
    adverts = dense_adverts(int(total * vrrp_share), vr_count=20, seed=seed)
    # Background packets spread evenly over the adverts' time span.
    span = int(total * vrrp_share) / 20
    step = span / total
    next_advert = next(adverts, None)
    t = EPOCH
    choice = rng.choices
    for _ in range(total - int(total * vrrp_share)):
        t += step
        while next_advert is not None and next_advert[0] <= t:
            yield next_advert
            next_advert = next(adverts, None)
        yield t, choice(templates)[0]
    while next_advert is not None:
        yield next_advert
        next_advert = next(adverts, None)


# -- writers ------------------------------------------------------------------------------------------


def write_pcap(path: Path, packets: Iterator[tuple[float, bytes]]) -> int:
    pack = struct.Struct("<IIII").pack
    count = 0
    with open(path, "wb", buffering=1 << 22) as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        write = out.write
        for t, frame in packets:
            seconds = int(t)
            write(pack(seconds, int((t - seconds) * 1e6), len(frame), len(frame)))
            write(frame)
            count += 1
    return count


def _block(block_type: int, body: bytes) -> bytes:
    body += b"\x00" * (-len(body) % 4)
    total = len(body) + 12
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


def write_pcapng(path: Path, packets: Iterator[tuple[float, bytes]]) -> int:
    count = 0
    epb = struct.Struct("<IIIIIIII").pack
    with open(path, "wb", buffering=1 << 22) as out:
        out.write(_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        name = b"eth0"
        options = struct.pack("<HH", 2, len(name)) + name + b"\x00" * (-len(name) % 4)
        options += struct.pack("<HHB3x", 9, 1, 6) + struct.pack("<HH", 0, 0)
        out.write(_block(1, struct.pack("<HHI", 1, 0, 262144) + options))
        write = out.write
        last = 0
        for t, frame in packets:
            ts = int(t * 1e6)
            last = ts
            pad = -len(frame) % 4
            total = 32 + len(frame) + pad
            write(epb(6, total, 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame), 0)[:28])
            write(frame)
            write(b"\x00" * pad + struct.pack("<I", total))
            count += 1
        # Interface statistics at the end, as dumpcap writes them: received and dropped.
        stats = struct.pack("<III", 0, last >> 32, last & 0xFFFFFFFF)
        stats += struct.pack("<HHQ", 4, 8, count) + struct.pack("<HHQ", 5, 8, 0) + struct.pack("<HH", 0, 0)
        out.write(_block(5, stats))
    return count


def generate(kind: str, quick: bool, out: Path) -> list[Path]:
    sizes = SIZES["quick" if quick else "full"]
    suffix = "-quick" if quick else ""
    out.mkdir(parents=True, exist_ok=True)
    made = []
    if kind in ("dense", "all"):
        path = out / f"dense{suffix}.pcap"
        write_pcap(path, dense_adverts(sizes["dense_adverts"]))
        made.append(path)
    if kind in ("dense-big", "all"):
        path = out / f"dense-big{suffix}.pcap"
        write_pcap(path, dense_adverts(sizes["dense_big_adverts"]))
        made.append(path)
    if kind in ("dual", "all"):
        path = out / f"dual{suffix}.pcap"
        write_pcap(path, dual_adverts(sizes["dual_adverts"]))
        made.append(path)
    if kind in ("mixed", "all"):
        path = out / f"mixed{suffix}.pcap"
        write_pcap(path, mixed_packets(sizes["mixed_packets"]))
        made.append(path)
        path = out / f"mixed{suffix}.pcapng"
        write_pcapng(path, mixed_packets(sizes["mixed_packets"]))
        made.append(path)
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny files for the smoke test")
    parser.add_argument("--only", choices=["dense", "dense-big", "dual", "mixed", "all"], default="all")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    for path in generate(args.only, args.quick, args.out):
        print(f"{path} {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
