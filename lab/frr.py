"""FRR vrrpd (VRRPv3) in a router namespace: zebra + vrrpd, one macvlan per virtual router.

FRR runs as user ``frr`` (its vty group ``frrvty`` does not include root), so each router gets a
directory owned by frr inside the run dir (which is then made traversable, 0711). zebra and vrrpd
get their own pid files, zserv socket (``-z``) and vty socket directory; no TCP vty (``-P 0``).
vrrpd has no notify hook: the lab follows its log (``log timestamp precision 6``) for the
``[VRID n] [IPv4] Backup -> Master`` lines.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from lab.keepalived import Event
from lab.netns import Lab, LabError, Router, run

FRR_DIR = Path("/usr/lib/frr")
STATE_LINE = re.compile(
    r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)?) VRRP: .*\[VRID (\d+)\] \[(IPv4|IPv6)\] "
    r"(Initialize|Backup|Master) -> (Initialize|Backup|Master)"
)
STATES = {"Initialize": "INIT", "Backup": "BACKUP", "Master": "MASTER"}


def frr_available() -> str | None:
    """Why FRR vrrpd cannot run here, or None."""
    for daemon in ("zebra", "vrrpd"):
        if not (FRR_DIR / daemon).exists():
            return f"{FRR_DIR / daemon} missing (apt-get install -y frr)"
    try:
        import pwd

        pwd.getpwnam("frr")
    except KeyError:
        return "no frr user"
    return None


def frr_version() -> str:
    proc = subprocess.run([str(FRR_DIR / "vrrpd"), "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"version (\S+)", proc.stdout + proc.stderr)
    return match.group(1) if match else "unknown"


@dataclass(frozen=True)
class FrrVirtualRouter:
    """One FRR ``vrrp VRID`` on a router: VRRPv3, IPv4 and/or IPv6 VIPs (one VR per family)."""

    vrid: int
    priority: int
    vips4: tuple[str, ...] = ()
    vips6: tuple[str, ...] = ()
    interval_ms: int = 1000
    preempt: bool = True

    def names(self) -> list[tuple[str, str]]:
        """(instance name, family) of the per-family virtual routers."""
        out = []
        if self.vips4:
            out.append((f"VRID{self.vrid}-ipv4", "ipv4"))
        if self.vips6:
            out.append((f"VRID{self.vrid}-ipv6", "ipv6"))
        return out

    def to_json(self, router: str) -> list[dict[str, object]]:
        return [
            {
                "router": router,
                "implementation": "frr-vrrpd",
                "name": name,
                "vrid": self.vrid,
                "version": 3,
                "family": family,
                "priority": self.priority,
                "interval_s": self.interval_ms / 1000,
                "delivery": "multicast",
                "unicast_src_ip": None,
                "unicast_peers": [],
                "unicast_ttl": None,
                "vips": list(self.vips4 if family == "ipv4" else self.vips6),
                "auth_type": None,
                "auth_pass": None,
                "nopreempt": not self.preempt,
                "initial_state": "BACKUP",
                "track_scripts": [],
                "virtual_mac": f"00:00:5e:00:0{1 if family == 'ipv4' else 2}:{self.vrid:02x}",
            }
            for name, family in self.names()
        ]


def render_vrrpd_conf(router: Router, vrs: list[FrrVirtualRouter], log: Path) -> str:
    # Logging set here, not with --log: only then does the precision apply (FRR 8.4).
    lines = [f"log file {log}", "log timestamp precision 6", "!", f"interface {router.ifname}"]
    for vr in vrs:
        lines += [
            f" vrrp {vr.vrid} version 3",
            f" vrrp {vr.vrid} priority {vr.priority}",
            f" vrrp {vr.vrid} advertisement-interval {vr.interval_ms}",
        ]
        if not vr.preempt:
            lines.append(f" no vrrp {vr.vrid} preempt")
        lines += [f" vrrp {vr.vrid} ip {vip}" for vip in vr.vips4]
        lines += [f" vrrp {vr.vrid} ipv6 {vip}" for vip in vr.vips6]
    return "\n".join([*lines, "!", ""])


def frr_dir(rundir: Path, router: str) -> Path:
    """The frr-owned directory of ``router``'s zebra and vrrpd inside the run dir."""
    return rundir / f"frr-{router}"


def frr_argv(directory: Path, daemon: str) -> list[str]:
    """The command line of FRR ``daemon`` (zebra or vrrpd) whose files are in ``directory``."""
    return [
        str(FRR_DIR / daemon),
        "-f",
        str(directory / f"{daemon}.conf"),
        "-i",
        str(directory / f"{daemon}.pid"),
        "--vty_socket",
        str(directory),
        "-P",
        "0",
        "-z",
        str(directory / "zserv.api"),
    ]


def frr_configs(router: Router, vrs: list[FrrVirtualRouter], rundir: Path) -> dict[str, str]:
    """zebra.conf and vrrpd.conf of ``router``, as the lab writes them."""
    directory = frr_dir(rundir, router.name)
    return {
        "zebra.conf": f"log file {directory / 'zebra.log'}\n",
        "vrrpd.conf": render_vrrpd_conf(router, vrs, directory / "vrrpd.log"),
    }


@dataclass
class Frr:
    """zebra + vrrpd in one router namespace; same interface as :class:`Keepalived` for the
    runner (start, stop, kill, wait_ready, starts)."""

    lab: Lab
    router: Router
    vrs: list[FrrVirtualRouter]
    rundir: Path
    sink: list[Event]
    lock: threading.Lock
    starts: int = 0
    zebra: subprocess.Popen[bytes] | None = None
    vrrpd: subprocess.Popen[bytes] | None = None
    macvlans: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        os.chmod(self.rundir, 0o711)  # frr must traverse it; still writable by root only
        self.dir = frr_dir(self.rundir, self.router.name)
        self.dir.mkdir(mode=0o750)
        shutil.chown(self.dir, "frr", "frr")
        self.vrrpd_log = self.dir / "vrrpd.log"
        for name, text in frr_configs(self.router, self.vrs, self.rundir).items():
            (self.dir / name).write_text(text)
            shutil.chown(self.dir / name, "frr", "frr")
        self.stopping = threading.Event()
        self.tail: threading.Thread | None = None
        self._make_macvlans()

    @property
    def instances(self) -> list[FrrVirtualRouter]:
        return self.vrs

    def _make_macvlans(self) -> None:
        """One macvlan per virtual router and family, with the virtual MAC and the VIPs.
        vrrpd keeps it protodown while backup. (Creating it with ``addrgenmode random`` in one
        command fails in a namespace here, so that is set afterwards.)"""
        r = self.router
        for vr in self.vrs:
            for _, family in vr.names():
                tag = "4" if family == "ipv4" else "6"
                name = f"{self.lab.prefix}-{r.name}m{tag}" + ("" if len(self.vrs) == 1 else f"{vr.vrid}")
                if len(name) > 15:
                    raise LabError(f"macvlan name {name} too long")
                mac = f"00:00:5e:00:{'02' if tag == '6' else '01'}:{vr.vrid:02x}"
                run(r.argv(["ip", "link", "add", name, "link", r.ifname, "type", "macvlan", "mode", "bridge"]))
                run(r.argv(["ip", "link", "set", name, "addrgenmode", "random"]))
                run(r.argv(["ip", "link", "set", name, "address", mac]))
                if family == "ipv4":
                    for vip in vr.vips4:
                        run(r.argv(["ip", "addr", "add", f"{vip}/24", "dev", name]))
                else:
                    for vip in vr.vips6:
                        run(r.argv(["ip", "addr", "add", f"{vip}/64", "dev", name, "nodad"]))
                run(r.argv(["ip", "link", "set", name, "up"]))
                self.macvlans.append(name)

    def macvlan_info(self) -> list[dict[str, str]]:
        """Name, MAC and IPv6 link-local (random: the source of IPv6 adverts) per macvlan."""
        out = []
        for name in self.macvlans:
            text = run(self.router.argv(["ip", "-j", "addr", "show", "dev", name]))
            link = json.loads(text)[0]
            lls = [a["local"] for a in link.get("addr_info", []) if a.get("scope") == "link"]
            out.append({"name": name, "mac": link.get("address", ""), "ipv6_link_local": lls[0] if lls else ""})
        return out

    def _popen(self, daemon: str) -> subprocess.Popen[bytes]:
        log = (self.dir / f"{daemon}.out").open("ab")
        try:
            return self.lab.popen(self.router.ns, frr_argv(self.dir, daemon), stdout=log, stderr=log)
        finally:
            log.close()

    def start(self) -> None:
        if self.zebra is None or self.zebra.poll() is not None:
            self.zebra = self._popen("zebra")
            self._wait_file(self.dir / "zserv.api", self.zebra)
        self.vrrpd = self._popen("vrrpd")
        self.starts += 1
        if self.tail is None:
            self.tail = threading.Thread(target=self._follow, name=f"frr-{self.router.name}", daemon=True)
            self.tail.start()

    def _wait_file(self, path: Path, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not path.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise LabError(f"FRR on {self.router.name}: {path.name} never appeared; see {self.dir}")
            time.sleep(0.05)

    def wait_ready(self, timeout: float = 10.0) -> None:
        assert self.vrrpd is not None
        self._wait_file(self.dir / "vrrpd.pid", self.vrrpd, timeout)

    def running(self) -> bool:
        return self.vrrpd is not None and self.vrrpd.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM vrrpd: a master sends a priority-0 advert per virtual router."""
        if self.vrrpd is None or self.vrrpd.poll() is not None:
            return
        self.vrrpd.send_signal(signal.SIGTERM)
        self.vrrpd.wait(timeout=timeout)
        (self.dir / "vrrpd.pid").unlink(missing_ok=True)

    def kill(self) -> None:
        """SIGKILL vrrpd (it leaves its macvlans up, VIPs configured)."""
        if self.vrrpd is None:
            return
        if self.vrrpd.poll() is None:
            os.killpg(self.vrrpd.pid, signal.SIGKILL)
        self.vrrpd.wait(timeout=10)
        (self.dir / "vrrpd.pid").unlink(missing_ok=True)

    def _follow(self) -> None:
        priorities = {name: vr.priority for vr in self.vrs for name, _ in vr.names()}
        offset = 0
        pending = ""
        while not self.stopping.is_set():
            try:
                with self.vrrpd_log.open(encoding="utf-8", errors="replace") as fh:
                    fh.seek(offset)
                    chunk = fh.read()
                    offset = fh.tell()
            except FileNotFoundError:
                chunk = ""
            pending += chunk
            *lines, pending = pending.split("\n")
            events = []
            for line in lines:
                match = STATE_LINE.match(line)
                if not match:
                    continue
                stamp, vrid, fam, _, new = match.groups()
                fmt = "%Y/%m/%d %H:%M:%S.%f" if "." in stamp else "%Y/%m/%d %H:%M:%S"
                when = dt.datetime.strptime(stamp, fmt).timestamp()  # vrrpd logs local time
                name = f"VRID{vrid}-{'ipv4' if fam == 'IPv4' else 'ipv6'}"
                events.append(Event(when, self.router.name, "INSTANCE", name, STATES[new], priorities.get(name, 0)))
            if events:
                with self.lock:
                    self.sink.extend(events)
            time.sleep(0.05)

    def close(self) -> None:
        self.stopping.set()
        if self.tail is not None:
            self.tail.join(timeout=2)
