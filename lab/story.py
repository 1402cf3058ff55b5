"""Print a recording's story: advert runs from the pcap merged with the truth file's events.

``python -m lab.story pcaps/v2-failover-kill`` (or the .pcap / .truth.json path). A check by eye
that the wire tells what keepalived says; independent of the vrrpcap package (own tiny parser).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import struct
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Packet:
    time: float
    src: str
    dst: str
    kind: str  # "vrrpv2", "vrrpv3", "carp", "icmp-error type N"
    vrid: int = 0  # CARP: the vhid
    priority: int = 0  # CARP: the advskew
    interval: str = ""  # CARP: the advbase
    ttl: int = 0
    auth: str = ""
    ip_id: int | None = None  # IPv4 identification (IPv6 has none)
    carp_counter: int | None = None  # CARP's 64-bit replay counter: +1 per advert of a sender

    @property
    def interval_s(self) -> float:
        """Seconds until the sender's next advert: the advert interval, for CARP advbase + advskew/256."""
        base = float(self.interval.rstrip("s") or 1)
        return base + self.priority / 256 if self.kind == "carp" else base


def _addr(raw: bytes) -> str:
    return str(ipaddress.ip_address(raw))


def read_pcap(path: Path) -> list[Packet]:
    """VRRP adverts (through AH too) and ICMP errors of a classic Ethernet pcap."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    out: list[Packet] = []
    offset = 24
    while offset + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[offset : offset + 16])
        frame = data[offset + 16 : offset + 16 + incl]
        offset += 16 + incl
        when = sec + frac / (1e9 if nano else 1e6)
        ethertype = struct.unpack("!H", frame[12:14])[0]
        ip_id: int | None = None
        if ethertype == 0x0800:
            ihl = (frame[14] & 0x0F) * 4
            proto, ttl = frame[14 + 9], frame[14 + 8]
            ip_id = struct.unpack("!H", frame[18:20])[0]
            src, dst = _addr(frame[26:30]), _addr(frame[30:34])
            body = frame[14 + ihl : 14 + struct.unpack("!H", frame[16:18])[0]]
        elif ethertype == 0x86DD:
            proto, ttl = frame[14 + 6], frame[14 + 7]
            src, dst = _addr(frame[22:38]), _addr(frame[38:54])
            body = frame[54 : 54 + struct.unpack("!H", frame[18:20])[0]]
        else:
            continue
        auth = ""
        if proto == 51 and len(body) >= 12 and body[0] == 112:
            auth = "AH"
            body = body[(body[1] + 2) * 4 :]
            proto = 112
        if proto == 112 and len(body) == 36 and body[0] == 0x21 and not auth:
            # CARP (OpenBSD, ucarp): vhid, advskew, authlen, pad, advbase, checksum, counter, HMAC.
            counter = struct.unpack("!Q", body[8:16])[0]
            out.append(Packet(when, src, dst, "carp", body[1], body[2], f"{body[5]}s", ttl, "", ip_id, counter))
        elif proto == 112 and len(body) >= 8:
            version = body[0] >> 4
            if version == 2:
                interval = f"{body[5]}s"
                auth = auth or {0: "", 1: "PASS", 2: "AH"}.get(body[4], str(body[4]))
            else:
                interval = f"{(struct.unpack('!H', body[4:6])[0] & 0x0FFF) / 100:g}s"
            out.append(Packet(when, src, dst, f"vrrpv{version}", body[1], body[2], interval, ttl, auth, ip_id))
        elif proto in (1, 58):
            out.append(Packet(when, src, dst, f"icmp-error type {body[0]}", ttl=ttl, ip_id=ip_id))
    return out


def runs(packets: list[Packet]) -> list[tuple[float, float, int, Packet]]:
    """Adverts of one (kind, src, dst, vrid, priority, interval, ttl) merged into runs; a gap
    longer than 1.6 intervals (at least 1.6 s) starts a new run."""
    result: list[tuple[float, float, int, Packet]] = []
    open_runs: dict[tuple[object, ...], int] = {}
    for pkt in packets:
        key = (pkt.kind, pkt.src, pkt.dst, pkt.vrid, pkt.priority, pkt.interval, pkt.ttl)
        interval = pkt.interval_s
        index = open_runs.get(key)
        if index is not None and pkt.time - result[index][1] <= max(1.6, 1.6 * interval):
            first, _, count, proto = result[index]
            result[index] = (first, pkt.time, count + 1, proto)
        else:
            open_runs[key] = len(result)
            result.append((pkt.time, pkt.time, 1, pkt))
    return result


def story(truth_path: Path) -> list[str]:
    truth = json.loads(truth_path.read_text())
    pcap = truth_path.with_name(str(truth["capture"]["file"]))
    start = float(truth["capture"]["start"])
    names = {}
    for router in truth["routers"]:
        for key in ("ipv4", "ipv6", "ipv6_link_local"):
            names[router[key]] = router["name"]
        for macvlan in router.get("frr_macvlans", []):
            if macvlan["ipv6_link_local"]:
                names[macvlan["ipv6_link_local"]] = router["name"]
    lines: list[tuple[float, str]] = []
    packets = read_pcap(pcap)
    for first, last, count, pkt in runs(packets):
        src, dst = names.get(pkt.src, pkt.src), names.get(pkt.dst, pkt.dst)
        if pkt.kind == "carp":
            text = (
                f"wire  {src:>4} -> {dst:<10} carp   vhid {pkt.vrid:<3} skew {pkt.priority:<3}"
                f" base {pkt.interval} ttl {pkt.ttl} x{count} until {last - start:7.3f}"
            )
        elif pkt.kind.startswith("vrrp"):
            text = (
                f"wire  {src:>4} -> {dst:<10} {pkt.kind} vrid {pkt.vrid:<3} prio {pkt.priority:<3}"
                f" int {pkt.interval} ttl {pkt.ttl} {pkt.auth} x{count} until {last - start:7.3f}"
            )
        else:
            text = f"wire  {src:>4} -> {dst:<10} {pkt.kind} x{count} until {last - start:7.3f}"
        lines.append((first, text))
    for tr in truth["transitions"]:
        lines.append((tr["time"], f"state {tr['router']:>4} {tr['instance']} {tr['state']} {tr['priority']}"))
    for ev in truth.get("events", []):
        lines.append((ev["time"], f"event {ev['router']:>4} {ev['instance']} {ev['event']} {ev['priority']}"))
    for act in truth["actions"]:
        lines.append((act["time"], f"lab   {act['action']} {act['router'] or ''}"))
    lines.append((start, "----- capture start"))
    lines.append((float(truth["capture"]["end"]), "----- capture end"))
    lines.sort(key=lambda item: item[0])
    header = [
        f"{truth['scenario']}: {len(packets)} packets; expected {truth['expected_findings']}",
    ]
    return header + [f"{when - start:8.3f}  {text}" for when, text in lines]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.story", description=__doc__)
    parser.add_argument("recordings", nargs="+", type=Path, help="pcaps/NAME[.pcap|.truth.json]")
    parser.add_argument("--limit", type=int, default=60, help="lines per recording (0: all)")
    args = parser.parse_args(argv)
    for rec in args.recordings:
        name = rec.name.removesuffix(".pcap").removesuffix(".truth.json")
        lines = story(rec.with_name(f"{name}.truth.json"))
        if args.limit and len(lines) > args.limit:
            lines = [*lines[: args.limit], f"... {len(lines) - args.limit} more"]
        print("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
