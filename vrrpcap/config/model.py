"""What a keepalived.conf or FRR vrrpd configuration says, as the daemon reads it.

Every value is the one the daemon ends up using (keepalived's defaults and silent adjustments
applied); every adjustment and everything the parser did not understand is a
:class:`ConfigProblem` with the file and line it came from. Passwords are :class:`Secret`: they
never appear in ``repr``/``str``, so a model can be logged or put in an exception safely.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass, field
from typing import Literal

Family = Literal["ipv4", "ipv6"]
Delivery = Literal["multicast", "unicast"]
InitialState = Literal["MASTER", "BACKUP"]
AuthType = Literal["PASS", "AH"]
ProblemKind = Literal[
    "unreadable",  # a file or include that cannot be read
    "syntax",  # quotes, braces, a definition or sequence keepalived rejects
    "unknown-keyword",  # keepalived 2.2 has no such keyword here
    "invalid-value",  # a value keepalived rejects (it keeps its default or ignores the line)
    "adjusted",  # keepalived silently changes what was written (rounds, truncates, clears)
    "ignored",  # keepalived drops the statement (duplicate, conflicting, not applicable)
    "fatal",  # keepalived refuses to load the configuration
    "warning",  # keepalived accepts it and warns (a sync group of one, no VIP...)
    "unsupported",  # valid keepalived, but vrrpcap does not model it (the value is not known)
]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A line in a configuration file (the file as it was named when read)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """Something the parser could not take as written."""

    location: Location
    message: str
    kind: ProblemKind = "invalid-value"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class Secret:
    """A password: compared in constant time, never shown."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The password itself; only for comparing with what the wire carries."""
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", len(self._value)))

    def __repr__(self) -> str:
        return "Secret('<redacted>')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Script:
    """A command keepalived runs (notify or vrrp_script): the command as written and its words
    as keepalived splits them (quotes and escapes resolved). Words after the command, unquoted,
    are the user and group to run it as (a classic trap: ``notify /x.sh arg`` runs /x.sh as user
    "arg")."""

    text: str
    args: tuple[str, ...]
    location: Location
    user: str | None = None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class VirtualAddress:
    """One ``virtual_ipaddress`` (or ``_excluded``) line."""

    address: str  # normalised (ipaddress module)
    prefix: int  # /32 or /128 when none is written
    location: Location
    dev: str | None = None  # None: the instance's interface
    scope: str | None = None
    label: str | None = None
    broadcast: str | None = None
    peer: str | None = None
    no_track: bool = False
    use_vmac: bool = False

    @property
    def family(self) -> Family:
        return "ipv6" if ":" in self.address else "ipv4"

    @property
    def ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        return ipaddress.ip_address(self.address)


@dataclass(frozen=True, slots=True)
class UnicastPeer:
    address: str
    location: Location
    min_ttl: int = 0
    max_ttl: int = 255


@dataclass(frozen=True, slots=True)
class TrackedScript:
    """A ``track_script`` entry: its weight is the vrrp_script's unless overridden here."""

    name: str
    weight: int
    location: Location
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class TrackedInterface:
    name: str
    weight: int
    location: Location
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class Authentication:
    """VRRPv2 authentication. ``auth_pass`` is what keepalived sends: at most 8 characters."""

    auth_type: AuthType
    location: Location
    auth_pass: Secret | None = None


@dataclass(frozen=True, slots=True)
class KeywordLine:
    """Where a keyword of a block was written (for findings that point at one line)."""

    keyword: str
    location: Location


@dataclass(frozen=True, slots=True)
class VrrpScript:
    """A ``vrrp_script`` block (keepalived's defaults: interval 1 s, weight 0, rise 1, fall 1)."""

    name: str
    location: Location
    script: Script | None = None
    interval: int = 1
    timeout: int = 0
    weight: int = 0
    weight_reverse: bool = False
    rise: int = 1
    fall: int = 1
    user: str | None = None
    init_fail: bool = False


@dataclass(frozen=True, slots=True)
class Notify:
    """The notify scripts of an instance or sync group (``notify`` gets INSTANCE|GROUP, name,
    state, priority)."""

    notify: Script | None = None
    master: Script | None = None
    backup: Script | None = None
    fault: Script | None = None
    stop: Script | None = None


@dataclass(frozen=True, slots=True)
class SyncGroup:
    name: str
    location: Location
    members: tuple[str, ...] = ()
    notify: Notify = field(default_factory=Notify)
    track_scripts: tuple[TrackedScript, ...] = ()
    track_interfaces: tuple[TrackedInterface, ...] = ()
    tracking_weight: bool = False  # sync_group_tracking_weight: members keep their weights


@dataclass(frozen=True, slots=True)
class GlobalDefs:
    location: Location | None = None
    router_id: str | None = None
    vrrp_strict: bool = False
    script_user: str | None = None
    enable_script_security: bool = False
    vrrp_version: int = 2  # keepalived's default for instances that set none


@dataclass(frozen=True, slots=True)
class VrrpInstance:
    """A ``vrrp_instance`` with keepalived's effective values.

    ``interface`` is the configured interface; with ``use_vmac`` keepalived runs the instance on
    the macvlan ``vmac_interface`` on top of it (and puts the VIPs there).
    """

    name: str
    location: Location
    virtual_router_id: int | None
    state: InitialState  # initial state (keepalived's "wantstate")
    priority: int  # base priority
    advert_int: float  # seconds, after keepalived's rounding (v2: whole seconds, v3: 10 ms)
    version: Literal[2, 3]
    family: Family
    interface: str | None = None
    nopreempt: bool = False  # effective: keepalived clears it with state MASTER or priority 255
    nopreempt_configured: bool = False  # as written
    preempt_delay: float = 0.0  # seconds, effective
    unicast_src_ip: str | None = None
    unicast_peers: tuple[UnicastPeer, ...] = ()
    unicast_ttl: int | None = None  # effective: 255 for IPv4 unicast, None (kernel's) for IPv6
    use_vmac: bool = False
    vmac_interface: str | None = None
    virtual_ipaddress: tuple[VirtualAddress, ...] = ()
    virtual_ipaddress_excluded: tuple[VirtualAddress, ...] = ()
    authentication: Authentication | None = None
    track_scripts: tuple[TrackedScript, ...] = ()
    track_interfaces: tuple[TrackedInterface, ...] = ()
    notify: Notify = field(default_factory=Notify)
    strict_mode: bool = False
    sync_group: str | None = None
    keywords: tuple[KeywordLine, ...] = ()

    @property
    def delivery(self) -> Delivery:
        return "unicast" if self.unicast_peers else "multicast"

    @property
    def vips(self) -> tuple[str, ...]:
        """The addresses keepalived puts in its adverts (never the excluded ones)."""
        return tuple(vip.address for vip in self.virtual_ipaddress)

    @property
    def peer_addresses(self) -> tuple[str, ...]:
        return tuple(peer.address for peer in self.unicast_peers)

    def where(self, keyword: str) -> Location:
        """The line of ``keyword`` in this instance (the instance's line when not written)."""
        for line in self.keywords:
            if line.keyword == keyword:
                return line.location
        return self.location


@dataclass(frozen=True, slots=True)
class KeepalivedConfig:
    """One keepalived configuration (its main file and everything it includes)."""

    path: str
    files: tuple[str, ...]  # every file read, in order
    config_id: str | None
    global_defs: GlobalDefs
    instances: tuple[VrrpInstance, ...]
    scripts: tuple[VrrpScript, ...]
    sync_groups: tuple[SyncGroup, ...]
    problems: tuple[ConfigProblem, ...]

    def instance(self, name: str) -> VrrpInstance | None:
        return next((inst for inst in self.instances if inst.name == name), None)

    def script(self, name: str) -> VrrpScript | None:
        return next((scr for scr in self.scripts if scr.name == name), None)

    def sync_group(self, name: str) -> SyncGroup | None:
        return next((grp for grp in self.sync_groups if grp.name == name), None)


@dataclass(frozen=True, slots=True)
class FrrVrrpInstance:
    """One ``vrrp VRID`` of FRR vrrpd on one interface (a virtual router per address family)."""

    interface: str
    vrid: int
    location: Location
    version: Literal[2, 3] = 3
    priority: int = 100
    advertisement_interval_ms: int = 1000
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()
    preempt: bool = True
    shutdown: bool = False
    keywords: tuple[KeywordLine, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.interface}/vrrp {self.vrid}"

    def where(self, keyword: str) -> Location:
        for line in self.keywords:
            if line.keyword == keyword:
                return line.location
        return self.location


@dataclass(frozen=True, slots=True)
class FrrConfig:
    path: str
    instances: tuple[FrrVrrpInstance, ...]
    problems: tuple[ConfigProblem, ...]


AnyConfig = KeepalivedConfig | FrrConfig
