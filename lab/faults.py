"""Faults the lab puts on the path, with nftables in the bridge namespace (this kernel has no netem).

* :class:`PathLoss`: a ``bridge`` table whose forward chain drops VRRP (IP protocols 51 and 112) on
  its way from one port to another, all of it or a random share (``numgen random``). The bridge's
  forward hook runs once per output port, so a flood can be cut into one router only, and the
  capture on the bridge itself (local delivery) still sees every frame.
* :class:`LossyMonitor`: a monitor port fed by ``netdev`` ingress ``dup`` rules on every router
  port, skipping a random share of VRRP frames and, during an outage, all of them: a capture that
  loses adverts while the routers lose none.

Every table, chain and interface carries the run's prefix or lives in the run's own namespace;
the namespace's deletion removes them all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from lab.netns import Lab, LabError, in_ns, run

VRRP_PROTOCOLS = ("ip", "protocol", "{ 51, 112 }")  # VRRP and AH-wrapped VRRP, IPv4
HANDLE = re.compile(r"# handle (\d+)")


def _share(percent: int) -> list[str]:
    """The ``numgen`` match for ``percent`` % of packets (nothing for 100 %)."""
    if not 0 < percent <= 100:
        raise LabError(f"loss of {percent} % makes no sense")
    return [] if percent == 100 else ["numgen", "random", "mod", "100", "<", str(percent)]


def _counters(lab: Lab, family: str, table: str) -> dict[int, int]:
    """Packets counted per rule handle in ``table`` of the bridge namespace."""
    out = run(in_ns(lab.bridge_ns, ["nft", "-j", "list", "table", family, table]))
    counts: dict[int, int] = {}
    for item in json.loads(out)["nftables"]:
        rule = item.get("rule")
        if not rule:
            continue
        for expr in rule["expr"]:
            if "counter" in expr:
                counts[int(rule["handle"])] = int(expr["counter"]["packets"])
    return counts


@dataclass
class PathLoss:
    """Drop VRRP between bridge ports: ``drop(into="r2", percent=50)`` loses half of what is
    forwarded to r2's port, ``drop(into="r2", source="r1")`` everything r1 sends to r2."""

    lab: Lab
    table: str = "vrrpcap_lab_loss"
    ready: bool = field(default=False, init=False)

    def _nft(self, *args: str) -> str:
        return run(in_ns(self.lab.bridge_ns, ["nft", *args]))

    def _setup(self) -> None:
        if self.ready:
            return
        self._nft("add", "table", "bridge", self.table)
        self._nft(
            "add", "chain", "bridge", self.table, "forward",
            "{ type filter hook forward priority 0 ; policy accept ; }",
        )  # fmt: skip
        self.ready = True

    def drop(self, *, into: str, source: str | None = None, percent: int = 100) -> int:
        """Add a drop rule; returns its handle (to :meth:`remove` it and read its counter)."""
        self._setup()
        match = ["oifname", self.lab.routers[into].peer_ifname]
        if source is not None:
            match = ["iifname", self.lab.routers[source].peer_ifname, *match]
        comment = f"vrrp-into-{into}" + (f"-from-{source}" if source else "") + f"-{percent}pct"
        out = self._nft(
            "--echo", "--handle", "add", "rule", "bridge", self.table, "forward",
            *match, *VRRP_PROTOCOLS, *_share(percent), "counter", "drop", "comment", f'"{comment}"',
        )  # fmt: skip
        found = HANDLE.search(out)
        if not found:
            raise LabError(f"nft did not say the rule's handle: {out!r}")
        return int(found.group(1))

    def dropped(self, handle: int) -> int:
        """Packets rule ``handle`` has dropped so far."""
        return _counters(self.lab, "bridge", self.table).get(handle, 0)

    def remove(self, handle: int) -> int:
        """Delete rule ``handle``; returns how many packets it dropped."""
        count = self.dropped(handle)
        self._nft("delete", "rule", "bridge", self.table, "forward", "handle", str(handle))
        return count


@dataclass
class LossyMonitor:
    """A monitor port ``<prefix>-mon`` (a veth pair in the bridge namespace; the capture listens
    on ``<prefix>-monp``) fed with copies of the VRRP frames entering the bridge from every
    router port, except a random ``percent`` of them, and none during an outage."""

    lab: Lab
    table: str = "vrrpcap_lab_mon"
    percent: int = 0
    handles: dict[str, int] = field(default_factory=dict, init=False)
    outage_handles: dict[str, int] = field(default_factory=dict, init=False)

    @property
    def port(self) -> str:
        return f"{self.lab.prefix}-mon"

    @property
    def capture_interface(self) -> str:
        return f"{self.lab.prefix}-monp"

    def _nft(self, *args: str) -> str:
        return run(in_ns(self.lab.bridge_ns, ["nft", *args]))

    def build(self) -> None:
        ns = self.lab.bridge_ns
        run(["ip", "-n", ns, "link", "add", self.port, "type", "veth", "peer", "name", self.capture_interface])
        for name in (self.port, self.capture_interface):
            run(["ip", "-n", ns, "link", "set", name, "up"])
        self._nft("add", "table", "netdev", self.table)
        for router in self.lab.routers.values():
            chain = f"in_{router.name}"
            self._nft(
                "add", "chain", "netdev", self.table, chain,
                f"{{ type filter hook ingress device {router.peer_ifname} priority 0 ; }}",
            )  # fmt: skip
            self.handles[router.name] = self._dup_rule(chain)

    def _dup_rule(self, chain: str) -> int:
        keep = [] if self.percent == 0 else ["numgen", "random", "mod", "100", ">=", str(self.percent)]
        out = self._nft(
            "--echo", "--handle", "add", "rule", "netdev", self.table, chain,
            *VRRP_PROTOCOLS, *keep, "counter", "dup", "to", self.port,
        )  # fmt: skip
        found = HANDLE.search(out)
        if not found:
            raise LabError(f"nft did not say the rule's handle: {out!r}")
        return int(found.group(1))

    def set_loss(self, percent: int) -> None:
        """From now on, ``percent`` % of the VRRP frames are not copied to the monitor."""
        if not 0 <= percent < 100:
            raise LabError(f"monitor loss of {percent} % makes no sense")
        self.percent = percent
        for name, handle in list(self.handles.items()):
            chain = f"in_{name}"
            self._nft("delete", "rule", "netdev", self.table, chain, "handle", str(handle))
            self.handles[name] = self._dup_rule(chain)

    def outage(self, on: bool) -> None:
        """Start (``on``) or end a total outage of the monitor: an accept rule ahead of the dup."""
        for name in self.handles:
            chain = f"in_{name}"
            if on:
                out = self._nft(
                    "--echo", "--handle", "insert", "rule", "netdev", self.table, chain,
                    *VRRP_PROTOCOLS, "counter", "accept",
                )  # fmt: skip
                found = HANDLE.search(out)
                if not found:
                    raise LabError(f"nft did not say the rule's handle: {out!r}")
                self.outage_handles[name] = int(found.group(1))
            elif name in self.outage_handles:
                handle = self.outage_handles.pop(name)
                self._nft("delete", "rule", "netdev", self.table, chain, "handle", str(handle))

    def copied(self) -> int:
        """VRRP frames copied to the monitor so far by the current dup rules."""
        counts = _counters(self.lab, "netdev", self.table)
        return sum(counts.get(handle, 0) for handle in self.handles.values())
