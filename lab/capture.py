"""tcpdump on the lab bridge, in the bridge namespace.

The bridge is put in promiscuous mode by tcpdump, so it sees unicast frames forwarded between
router ports as well as multicast floods.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from lab.netns import Lab, LabError

# VRRP over IPv4/IPv6, VRRP inside IPsec AH, and ICMP/ICMPv6 errors (which quote the advert
# that caused them: a unicast peer with no VRRP listener answers "protocol unreachable").
# ICMP errors: unreachable 3, source quench 4, redirect 5, time exceeded 11, parameter 12.
# ICMPv6 errors are types 1-127 (assumes no extension header before the ICMPv6 header).
CAPTURE_FILTER = (
    "ip proto 112 or ip6 proto 112 or ip proto 51 or ip6 proto 51"
    " or (icmp and (icmp[0] = 3 or icmp[0] = 4 or icmp[0] = 5 or icmp[0] = 11 or icmp[0] = 12))"
    " or (ip6 proto 58 and ip6[40] < 128)"
)


@dataclass
class CaptureStats:
    captured: int | None = None
    received: int | None = None
    dropped: int | None = None


class Capture:
    """``tcpdump -U -w FILE`` on the lab bridge (or on ``interface`` in namespace ``ns``: a
    router's own veth, the monitor port); ``stop()`` sends SIGINT and waits."""

    def __init__(
        self,
        lab: Lab,
        path: Path,
        bpf: str = CAPTURE_FILTER,
        *,
        ns: str | None = None,
        interface: str | None = None,
    ) -> None:
        self.lab = lab
        self.path = path
        self.bpf = bpf
        self.ns = ns or lab.bridge_ns
        self.interface = interface or lab.bridge_if
        self.log = path.with_suffix(".tcpdump.log")
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at: float | None = None
        self.stopped_at: float | None = None
        self.stats = CaptureStats()

    def argv(self) -> list[str]:
        return [
            "tcpdump", "-i", self.interface, "-nn", "-U", "-Z", "root",
            "-w", str(self.path), self.bpf,
        ]  # fmt: skip

    def start(self, timeout: float = 10.0) -> None:
        with self.log.open("wb") as log:
            self.proc = self.lab.popen(self.ns, self.argv(), stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + timeout
        while "listening on" not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise LabError(f"tcpdump did not start: {self.log.read_text(errors='replace')}")
            time.sleep(0.02)
        self.started_at = time.time()

    def to_json(self, file: str) -> dict[str, object]:
        start = self.started_at or 0.0
        end = self.stopped_at or start
        return {
            "file": file,
            "namespace": self.ns,
            "interface": self.interface,
            "filter": self.bpf,
            "start": round(start, 6),
            "end": round(end, 6),
            "duration_s": round(end - start, 3),
            "packets": self.stats.captured,
            "dropped": self.stats.dropped,
        }

    def stop(self, timeout: float = 10.0) -> CaptureStats:
        if self.proc is None:
            raise LabError("capture not started")
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise LabError("tcpdump did not stop on SIGINT") from None
        self.stopped_at = time.time()
        text = self.log.read_text(errors="replace")
        for attr, word in (
            ("captured", "captured"),
            ("received", "received by filter"),
            ("dropped", "dropped by kernel"),
        ):
            match = re.search(rf"(\d+) packets? {word}", text)
            if match:
                setattr(self.stats, attr, int(match.group(1)))
        return self.stats
