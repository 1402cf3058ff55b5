"""A hostile host on one segment: one advert each from N spoofed sources on one VRID (issue 13, defect 2).

    python -m benchmarks.spoofed            # writes benchmarks/data/spoofed-N.pcap, times vrrpcap audit on each

The figure to read is the time per advert at 10,000 sources against 1,000: with the engine's bounds
(vrrpcap/analysis/placement.py) it stays flat; before them it grew with the number of sources (0.5 s at
250 sources, over 120 s at 2,000).
"""

from __future__ import annotations

import struct
import subprocess
import sys
import time
from collections.abc import Iterator

from benchmarks.generate import DATA, checksum, ethernet, ipv4, mac, v4, write_pcap


def spoofed_adverts(sources: int, vrid: int = 51) -> Iterator[tuple[float, bytes]]:
    """Multicast VRRPv2 adverts, one from each of ``sources`` addresses 10.x.y.z, 0.1 ms apart."""
    vip = v4("192.0.2.100")
    for i in range(sources):
        body = struct.pack("!BBBBBBH", 0x21, vrid, 100, 1, 0, 1, 0) + vip + bytes(8)
        message = body[:6] + struct.pack("!H", checksum(body)) + body[8:]
        src = bytes([10, i >> 16 & 0xFF, i >> 8 & 0xFF, i & 0xFF])
        frame = ethernet(
            mac("01:00:5e:00:00:12"), bytes([2, 0, 10]) + src[1:], 0x0800, ipv4(src, v4("224.0.0.18"), 112, message)
        )
        yield 1_800_000_000.0 + i * 0.0001, frame


def main() -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    per_advert = {}
    for sources in (1_000, 10_000):
        path = DATA / f"spoofed-{sources}.pcap"
        write_pcap(path, spoofed_adverts(sources))
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "vrrpcap", "audit", "-f", "json", "-o", "/dev/null", str(path)], check=False
        )
        per_advert[sources] = (time.perf_counter() - start) / sources
        print(f"{sources:>6} spoofed sources: {per_advert[sources] * 1e6:8.1f} us per advert (whole process)")
    print(f"ratio 10k/1k per advert: {per_advert[10_000] / per_advert[1_000]:.2f} (start-up included: below 1 is flat)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
