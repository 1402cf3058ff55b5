"""Network namespaces for the lab: one bridge namespace, one namespace per router.

Every namespace and interface this module creates carries the run's prefix (``vl`` + 4 hex
digits), so labs running at once never collide, and teardown deletes only what this run made.
Commands are always argument lists (never a shell).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

IFNAMSIZ = 15  # Linux interface names: at most 15 characters
PREFIX_RE = re.compile(r"^vl[0-9a-f]{4}$")
ROUTER_NAME_RE = re.compile(r"^[a-z][a-z0-9]{0,5}$")

# Documentation ranges only (RFC 5737 TEST-NET-1, RFC 3849).
IPV4_NET = ipaddress.IPv4Network("192.0.2.0/24")
IPV6_NET = ipaddress.IPv6Network("2001:db8::/64")


# Root's tools live in sbin, which a non-login PATH may lack.
LAB_PATH = os.pathsep.join([*os.environ.get("PATH", "").split(os.pathsep), "/usr/local/sbin", "/usr/sbin", "/sbin"])
LAB_ENV = {**os.environ, "PATH": LAB_PATH}


def which(tool: str) -> str | None:
    """``tool``'s path, looking in the sbin directories too."""
    return shutil.which(tool, path=LAB_PATH)


class LabError(RuntimeError):
    """A lab command failed or the lab is in an unexpected state."""


def run_dir_path(prefix: str) -> Path:
    """The run dir of the run with ``prefix``: ``/run/vrrpcap-lab-<prefix>``."""
    return Path("/run") / f"vrrpcap-lab-{prefix}"


def new_prefix() -> str:
    """A fresh per-run prefix: ``vl`` and 4 random hex digits."""
    return "vl" + secrets.token_hex(2)


def router_ipv4(index: int) -> str:
    """The IPv4 address of router number ``index`` (1-based): 192.0.2.<index>."""
    return str(IPV4_NET.network_address + index)


def router_ipv6(index: int) -> str:
    """The global IPv6 address of router number ``index``: 2001:db8::<index hex>."""
    return str(IPV6_NET.network_address + index)


def router_mac(index: int) -> str:
    """A locally administered, deterministic MAC for router number ``index``."""
    return f"02:00:5e:10:00:{index:02x}"


def run(argv: Sequence[str], *, check: bool = True, timeout: float = 30.0) -> str:
    """Run a command (no shell) and return its stdout; raise LabError when it fails."""
    proc = subprocess.run(
        list(argv), capture_output=True, text=True, timeout=timeout, check=False, shell=False, env=LAB_ENV
    )
    if check and proc.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def in_ns(ns: str, argv: Sequence[str]) -> list[str]:
    """Prefix ``argv`` so it runs inside network namespace ``ns``."""
    return ["ip", "netns", "exec", ns, *argv]


def list_netns() -> list[str]:
    """Names of all named network namespaces."""
    out = run(["ip", "-j", "netns", "list"], check=False)
    if not out.strip():
        return []
    return [str(entry["name"]) for entry in json.loads(out)]


def leftovers(prefix: str) -> list[str]:
    """Namespaces or root-namespace links whose name starts with ``prefix`` (should be none)."""
    found = [f"netns {name}" for name in list_netns() if name.startswith(prefix)]
    out = run(["ip", "-j", "link", "show"], check=False)
    if out.strip():
        found += [
            f"link {link['ifname']}" for link in json.loads(out) if str(link.get("ifname", "")).startswith(prefix)
        ]
    return found


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Ignore SIGINT/SIGTERM while cleaning up (main thread only), so Ctrl-C can't cut teardown."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    old_term = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)


@dataclass
class Router:
    """One router namespace with one interface on the lab bridge."""

    name: str
    index: int
    ns: str
    ifname: str
    peer_ifname: str
    ipv4: str
    ipv6: str
    mac: str
    ipv6_link_local: str = ""

    def argv(self, argv: Sequence[str]) -> list[str]:
        """``argv`` run inside this router's namespace."""
        return in_ns(self.ns, argv)

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "namespace": self.ns,
            "interface": self.ifname,
            "ipv4": self.ipv4,
            "ipv6": self.ipv6,
            "ipv6_link_local": self.ipv6_link_local,
            "mac": self.mac,
        }


def make_router(prefix: str, index: int, name: str) -> Router:
    """Router number ``index`` (1-based) of the run with ``prefix``: its names and addresses
    follow from these alone, so a recording's configs can be rendered again later."""
    ns = f"{prefix}-{name}"
    peer = f"{prefix}-{name}p"
    if max(len(ns), len(peer)) > IFNAMSIZ:
        raise LabError(f"interface name {peer} too long")
    return Router(
        name=name,
        index=index,
        ns=ns,
        ifname=ns,
        peer_ifname=peer,
        ipv4=router_ipv4(index),
        ipv6=router_ipv6(index),
        mac=router_mac(index),
    )


@dataclass
class Lab:
    """A bridge namespace plus router namespaces; use as a context manager.

    ``with Lab(["r1", "r2"]) as lab:`` builds everything on entry and tears down, on exit, only
    the namespaces and processes this object created (also on Ctrl-C or an exception).
    """

    router_names: Sequence[str]
    prefix: str = field(default_factory=new_prefix)
    routers: dict[str, Router] = field(default_factory=dict, init=False)
    created_ns: list[str] = field(default_factory=list, init=False)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if not PREFIX_RE.match(self.prefix):
            raise LabError(f"bad lab prefix {self.prefix!r}: want vl + 4 hex digits")
        if len(set(self.router_names)) != len(self.router_names):
            raise LabError("router names must be unique")
        for name in self.router_names:
            if not ROUTER_NAME_RE.match(name):
                raise LabError(f"bad router name {name!r}: want [a-z][a-z0-9]{{0,5}}")
        if len(self.router_names) > 99:
            raise LabError("at most 99 routers")

    @property
    def bridge_ns(self) -> str:
        return f"{self.prefix}-br"

    @property
    def bridge_if(self) -> str:
        return f"{self.prefix}-br"

    # -- building -----------------------------------------------------------------------------

    def __enter__(self) -> Lab:
        try:
            self.build()
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.teardown()

    def _add_ns(self, ns: str) -> None:
        if ns in list_netns():
            raise LabError(f"namespace {ns} already exists: prefix collision, not touching it")
        run(["ip", "netns", "add", ns])
        self.created_ns.append(ns)
        run(in_ns(ns, ["ip", "link", "set", "lo", "up"]))

    def build(self) -> None:
        brns, br = self.bridge_ns, self.bridge_if
        self._add_ns(brns)
        # The bridge namespace has no addresses and sends nothing of its own.
        for key in ("all", "default"):
            run(in_ns(brns, ["sysctl", "-q", "-w", f"net.ipv6.conf.{key}.disable_ipv6=1"]))
        # No multicast snooping: every VRRP multicast advert floods to every port.
        run(["ip", "-n", brns, "link", "add", br, "type", "bridge", "mcast_snooping", "0"])
        run(["ip", "-n", brns, "link", "set", br, "up"])
        for index, name in enumerate(self.router_names, start=1):
            self._add_router(index, name)
        for router in self.routers.values():
            router.ipv6_link_local = self._link_local(router)

    def _add_router(self, index: int, name: str) -> None:
        router = make_router(self.prefix, index, name)
        ns, ifname, peer = router.ns, router.ifname, router.peer_ifname
        self._add_ns(ns)
        # Set before the interface exists, so it inherits them: no DAD delay, no RS/RA noise.
        for key, value in (
            ("accept_dad", "0"),
            ("dad_transmits", "0"),
            ("accept_ra", "0"),
            ("router_solicitations", "0"),
        ):
            for scope in ("all", "default"):
                run(in_ns(ns, ["sysctl", "-q", "-w", f"net.ipv6.conf.{scope}.{key}={value}"]))
        run(
            [
                "ip", "-n", ns, "link", "add", ifname, "address", router.mac,
                "type", "veth", "peer", "name", peer, "netns", self.bridge_ns,
            ]
        )  # fmt: skip
        run(["ip", "-n", self.bridge_ns, "link", "set", peer, "master", self.bridge_if])
        run(["ip", "-n", self.bridge_ns, "link", "set", peer, "up"])
        run(["ip", "-n", ns, "addr", "add", f"{router.ipv4}/24", "dev", ifname])
        run(["ip", "-n", ns, "addr", "add", f"{router.ipv6}/64", "dev", ifname, "nodad"])
        run(["ip", "-n", ns, "link", "set", ifname, "up"])
        self.routers[name] = router

    def _link_local(self, router: Router, timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            out = run(["ip", "-j", "-n", router.ns, "-6", "addr", "show", "dev", router.ifname])
            for link in json.loads(out or "[]"):
                for addr in link.get("addr_info", []):
                    if addr.get("scope") == "link" and "tentative" not in addr:
                        return str(addr["local"])
            if time.monotonic() > deadline:
                raise LabError(f"no IPv6 link-local address on {router.ifname}")
            time.sleep(0.05)

    # -- processes ----------------------------------------------------------------------------

    def popen(
        self,
        ns: str,
        argv: Sequence[str],
        *,
        stdout: IO[bytes] | int | None = None,
        stderr: IO[bytes] | int | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` in namespace ``ns`` in its own session (Ctrl-C reaches only us)."""
        if ns not in self.created_ns:
            raise LabError(f"{ns} is not a namespace of this lab")
        proc = subprocess.Popen(
            in_ns(ns, argv),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            shell=False,
            env=LAB_ENV,
        )
        self.processes.append(proc)
        return proc

    def _ns_pids(self, ns: str) -> list[int]:
        out = run(["ip", "netns", "pids", ns], check=False)
        return [int(tok) for tok in out.split() if tok.isdigit()]

    # -- teardown -----------------------------------------------------------------------------

    def teardown(self) -> None:
        """Stop our processes, delete our namespaces (which deletes their interfaces)."""
        with sigint_deferred():
            for proc in self.processes:
                if proc.poll() is None:
                    with suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + 5.0
            for proc in self.processes:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    with suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)
            # Anything still living in one of our namespaces (a notify script, a respawned
            # child) was started by this lab: kill it so the namespace really goes away.
            for ns in self.created_ns:
                for pid in self._ns_pids(ns):
                    with suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            for ns in reversed(self.created_ns):
                run(["ip", "netns", "delete", ns], check=False)
            self.created_ns = [ns for ns in self.created_ns if ns in list_netns()]
            if self.created_ns:
                raise LabError(f"could not delete namespaces {self.created_ns}")
