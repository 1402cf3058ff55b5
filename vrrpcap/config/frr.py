"""FRR vrrpd configuration (vrrpd.conf or the vrrpd lines of frr.conf), as vrrpd 8.4 reads it.

The commands are vrrpd's (vrrpd/vrrp_vty.c): inside ``interface IFNAME``, ``[no] vrrp VRID
[version 2|3]``, ``vrrp VRID priority 1-254``, ``vrrp VRID advertisement-interval 10-40950`` (ms,
kept in centiseconds), ``[no] vrrp VRID ip A.B.C.D``, ``[no] vrrp VRID ipv6 X:X::X:X``, ``[no] vrrp
VRID preempt``, ``[no] vrrp VRID shutdown``; and at the top level ``[no] vrrp default
priority|advertisement-interval|preempt|shutdown``, which set the values of virtual routers
created afterwards. Any ``vrrp VRID ...`` command creates the virtual router if it does not exist.
Other daemons' commands are skipped; a vrrp command vrrpd would reject is a problem.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field, replace

from vrrpcap.config.model import ConfigProblem, FrrConfig, FrrVrrpInstance, KeywordLine, Location, ProblemKind

# Unindented commands that enter another node of FRR's command tree, ending an interface block.
NODE_COMMANDS = re.compile(
    r"^(interface|router|vrf|line|key|route-map|bfd|segment-routing|mpls|nexthop-group|pbr-map|rpki|"
    r"affinity-map|srv6|end|exit|exit-vrf)\b"
)


@dataclass
class _Defaults:
    priority: int = 100
    advertisement_interval_ms: int = 1000
    preempt: bool = True
    shutdown: bool = False


@dataclass
class _Reader:
    path: str
    problems: list[ConfigProblem] = field(default_factory=list)
    routers: dict[tuple[str, int], FrrVrrpInstance] = field(default_factory=dict)
    defaults: _Defaults = field(default_factory=_Defaults)
    interface: str | None = None

    def problem(self, where: Location, message: str, kind: ProblemKind = "invalid-value") -> None:
        self.problems.append(ConfigProblem(where, message, kind))

    def line(self, text: str, where: Location) -> None:
        words = text.split()
        if not words or words[0].startswith(("!", "#")):
            return
        negate = words[0] == "no"
        body = words[1:] if negate else words
        if self.interface is not None and body[:1] == ["vrrp"] and len(body) > 1 and body[1].isdigit():
            self._vrrp(body[1:], negate, where)
            return
        if body[:2] == ["vrrp", "default"]:
            self._default(body[2:], negate, where)
            return
        if body[:2] == ["vrrp", "autoconfigure"]:
            self.problem(where, "vrrp autoconfigure: the virtual routers it creates are not in the file", "unsupported")
            return
        if words[0] == "interface" and not negate:
            if len(words) < 2:
                self.problem(where, "interface without a name", "syntax")
            self.interface = words[1] if len(words) > 1 else None
            return
        if words[0] in ("exit", "end") or (text[:1] not in " \t" and NODE_COMMANDS.match(text)):
            self.interface = None
            return
        if body[:1] == ["vrrp"]:
            self.problem(where, f"'{text.strip()}' is not a vrrpd command here", "unknown-keyword")

    def _default(self, words: list[str], negate: bool, where: Location) -> None:
        d = self.defaults
        if words[:1] == ["priority"] and (negate or len(words) == 2):
            value = 100 if negate else _number(words[1], 1, 254)
            if value is None:
                self.problem(where, f"vrrp default priority {words[1]}: must be 1-254")
            else:
                d.priority = value
        elif words[:1] == ["advertisement-interval"] and (negate or len(words) == 2):
            value = 1000 if negate else _number(words[1], 10, 40950)
            if value is None or value % 10:
                self.problem(where, f"vrrp default advertisement-interval {words[1]}: 10-40950 ms, a multiple of 10")
            else:
                d.advertisement_interval_ms = value
        elif words == ["preempt"]:
            d.preempt = not negate
        elif words == ["shutdown"]:
            d.shutdown = not negate
        else:
            self.problem(where, f"unknown vrrp default command {' '.join(words)}", "unknown-keyword")

    def _vrrp(self, words: list[str], negate: bool, where: Location) -> None:
        assert self.interface is not None
        vrid = _number(words[0], 1, 255)
        if vrid is None:
            self.problem(where, f"VRID {words[0]} out of range 1-255")
            return
        key = (self.interface, vrid)
        rest = words[1:]
        if not rest or rest[0] == "version":
            self._create(key, rest, negate, where)
            return
        vr = self.routers.get(key) or self._new(key, 3, where)
        command = rest[0]
        keyword = f"vrrp {vrid} {command}"
        updated = self._set(vr, command, rest[1:], negate, where)
        if updated is not None:
            self.routers[key] = replace(updated, keywords=(*updated.keywords, KeywordLine(keyword, where)))

    def _new(self, key: tuple[str, int], version: int, where: Location) -> FrrVrrpInstance:
        d = self.defaults
        vr = FrrVrrpInstance(
            interface=key[0],
            vrid=key[1],
            location=where,
            version=2 if version == 2 else 3,
            priority=d.priority,
            advertisement_interval_ms=d.advertisement_interval_ms,
            preempt=d.preempt,
            shutdown=d.shutdown,
        )
        self.routers[key] = vr
        return vr

    def _create(self, key: tuple[str, int], rest: list[str], negate: bool, where: Location) -> None:
        if negate:
            if self.routers.pop(key, None) is None:
                self.problem(where, f"no vrrp {key[1]}: there is no such virtual router", "ignored")
            return
        version = 3
        if rest:
            chosen = _number(rest[1], 2, 3) if len(rest) == 2 else None
            if chosen is None:
                self.problem(where, f"vrrp {key[1]} {' '.join(rest)}: version must be 2 or 3")
                return
            version = chosen
        vr = self.routers.get(key) or self._new(key, version, where)
        line = KeywordLine(f"vrrp {key[1]}", where)
        self.routers[key] = replace(vr, version=2 if version == 2 else 3, keywords=(*vr.keywords, line))

    def _set(
        self, vr: FrrVrrpInstance, command: str, args: list[str], negate: bool, where: Location
    ) -> FrrVrrpInstance | None:
        if command == "priority" and (negate or len(args) == 1):
            value = 100 if negate else _number(args[0], 1, 254)
            if value is None:
                self.problem(where, f"vrrp {vr.vrid} priority {args[0]}: must be 1-254")
                return None
            return replace(vr, priority=value)
        if command == "advertisement-interval" and (negate or len(args) == 1):
            value = 1000 if negate else _number(args[0], 10, 40950)
            if value is None:
                self.problem(where, f"vrrp {vr.vrid} advertisement-interval {args[0]}: must be 10-40950 ms")
                return None
            if value % 10:
                self.problem(where, f"advertisement-interval {value} ms: vrrpd keeps {value // 10 * 10} ms", "adjusted")
            return replace(vr, advertisement_interval_ms=value // 10 * 10)
        if command in ("ip", "ipv6") and len(args) == 1:
            return self._address(vr, command, args[0], negate, where)
        if command in ("preempt", "shutdown") and not args:
            return replace(vr, preempt=not negate) if command == "preempt" else replace(vr, shutdown=not negate)
        self.problem(where, f"unknown vrrp command '{command} {' '.join(args)}'".rstrip("' ") + "'", "unknown-keyword")
        return None

    def _address(
        self, vr: FrrVrrpInstance, family: str, text: str, negate: bool, where: Location
    ) -> FrrVrrpInstance | None:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            address = None
        if address is None or (address.version == 6) != (family == "ipv6"):
            self.problem(where, f"vrrp {vr.vrid} {family} {text}: not an {family.upper()} address")
            return None
        current = vr.ipv6 if family == "ipv6" else vr.ipv4
        value = str(address)
        if negate:
            updated = tuple(a for a in current if a != value)
        elif value in current:
            return vr
        else:
            if family == "ipv6" and vr.version == 2:
                self.problem(where, f"vrrp {vr.vrid}: VRRPv2 does not support IPv6 - vrrpd rejects {text}")
                return None
            updated = (*current, value)
        return replace(vr, ipv6=updated) if family == "ipv6" else replace(vr, ipv4=updated)


def _number(text: str, low: int, high: int) -> int | None:
    if not text.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_frr(path: str | os.PathLike[str]) -> FrrConfig:
    """Read the vrrpd part of an FRR configuration file. Never raises for the content."""
    name = os.fspath(path)
    reader = _Reader(name)
    try:
        text = open(name, "rb").read().decode("utf-8", errors="replace")  # noqa: SIM115
    except OSError as exc:
        reader.problem(Location(name, 0), f"cannot read {name}: {exc.strerror}", "unreadable")
        return FrrConfig(name, (), tuple(reader.problems))
    for number, line in enumerate(text.split("\n"), start=1):
        reader.line(line.rstrip("\r"), Location(name, number))
    return FrrConfig(name, tuple(reader.routers.values()), tuple(reader.problems))
