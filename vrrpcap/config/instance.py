"""A ``vrrp_instance`` block as keepalived reads it: its keyword handlers (vrrp_parser.c).

The handlers fill an :class:`InstanceDraft` in the order the lines come; completion.py then
applies keepalived's defaults and corrections (vrrp_complete_instance).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from vrrpcap.config.addresses import Report, parse_ip, parse_peer, parse_script, parse_vip
from vrrpcap.config.blocks import Statement
from vrrpcap.config.model import (
    Authentication,
    InitialState,
    KeywordLine,
    Location,
    Script,
    Secret,
    TrackedInterface,
    TrackedScript,
    UnicastPeer,
    VirtualAddress,
    VrrpScript,
)
from vrrpcap.config.numbers import read_decimal, read_int, read_unsigned
from vrrpcap.config.tracking import track_entry, track_interface_entry

TIMER_HZ = 1_000_000  # keepalived keeps times in microseconds
IFNAMSIZ = 16
TRUE_WORDS = {"on": True, "true": True, "yes": True, "off": False, "false": False, "no": False}


@dataclass
class InstanceDraft:
    name: str
    location: Location
    vrid: int = 0
    wantstate: InitialState | None = None
    priority: int = 0  # 0: not set
    advert_us: int = 0  # 0: not set
    version: int = 0  # 0: not set
    family: str | None = None
    interface: str | None = None
    nopreempt: bool = False
    preempt_delay_us: int = 0
    saddr: str | None = None
    unicast_configured: bool = False
    unicast_fault_no_peer: bool = False
    peers: list[UnicastPeer] = field(default_factory=list)
    ttl: int | None = None
    use_vmac: bool = False
    vmac_name: str | None = None
    vips: list[VirtualAddress] = field(default_factory=list)
    evips: list[VirtualAddress] = field(default_factory=list)
    auth_type: str | None = None
    auth_pass: str | None = None
    auth_location: Location | None = None
    track_scripts: list[TrackedScript] = field(default_factory=list)
    track_interfaces: list[TrackedInterface] = field(default_factory=list)
    notify: dict[str, Script] = field(default_factory=dict)
    strict_mode: bool | None = None
    keywords: list[KeywordLine] = field(default_factory=list)

    def where(self, keyword: str) -> Location:
        return next((line.location for line in self.keywords if line.keyword == keyword), self.location)


def first_arg(st: Statement, report: Report) -> str | None:
    """keepalived reads word 1 without checking it exists, and exits when it does not."""
    if len(st.words) < 2:
        report(st.location, f"'{st.keyword}' is missing its parameter: keepalived exits", "fatal")
        return None
    return st.words[1]


def true_false(st: Statement, report: Report) -> bool | None:
    if len(st.words) < 2:
        return True
    value = TRUE_WORDS.get(st.words[1].lower())
    if value is None:
        report(st.location, f"invalid {st.keyword} value '{st.words[1]}' - ignored", "invalid-value")
    return value


class InstanceReader:
    """Reads one vrrp_instance block into a draft."""

    def __init__(self, report: Report, scripts: Mapping[str, VrrpScript]) -> None:
        self.report = report
        self.scripts = scripts
        self._handlers: dict[str, Callable[[InstanceDraft, Statement], None]] = {
            "state": self._state,
            "interface": self._interface,
            "virtual_router_id": self._vrid,
            "priority": self._priority,
            "advert_int": self._advert_int,
            "version": self._version,
            "nopreempt": self._nopreempt,
            "preempt": self._preempt,
            "preempt_delay": self._preempt_delay,
            "unicast_src_ip": self._unicast_src,
            "mcast_src_ip": self._src,
            "unicast_peer": self._peers,
            "unicast_fault_no_peer": self._fault_no_peer,
            "check_unicast_src": self._unicast_flag,
            "old_unicast_checksum": self._unicast_flag,
            "unicast_ttl": self._ttl,
            "use_vmac": self._vmac,
            "native_ipv6": self._native_ipv6,
            "virtual_ipaddress": self._vips,
            "virtual_ipaddress_excluded": self._evips,
            "authentication": self._authentication,
            "track_script": self._track_script,
            "track_interface": self._track_interface,
            "strict_mode": self._strict,
            **{
                key: self._notify for key in ("notify", "notify_master", "notify_backup", "notify_fault", "notify_stop")
            },
        }

    def read(self, block: Statement) -> InstanceDraft:
        draft = InstanceDraft(block.args[0], block.location)
        for st in block.children:
            draft.keywords.append(KeywordLine(st.keyword, st.location))
            handler = self._handlers.get(st.keyword)
            if handler is not None:
                handler(draft, st)
        return draft

    def _family(self, draft: InstanceDraft, address: str, where: Location, what: str) -> bool:
        family = "ipv6" if ":" in address else "ipv4"
        if draft.family is None:
            draft.family = family
        elif draft.family != family:
            self.report(where, f"({draft.name}) {what} {address} is not of the instance's family - ignored", "ignored")
            return False
        return True

    def _state(self, d: InstanceDraft, st: Statement) -> None:
        value = first_arg(st, self.report)
        if value == "MASTER":
            d.wantstate = "MASTER"
        elif value == "BACKUP":
            if d.wantstate == "MASTER":
                self.report(st.location, f"({d.name}) state already MASTER - BACKUP ignored", "ignored")
            else:
                d.wantstate = "BACKUP"
        elif value is not None:
            self.report(st.location, f"({d.name}) unknown state '{value}' - BACKUP used", "invalid-value")
            d.wantstate = "BACKUP"

    def _interface(self, d: InstanceDraft, st: Statement) -> None:
        name = first_arg(st, self.report)
        if name is not None and len(name) >= IFNAMSIZ:
            self.report(st.location, f"interface name '{name}' too long - ignored", "invalid-value")
        elif name is not None:
            d.interface = name

    def _vrid(self, d: InstanceDraft, st: Statement) -> None:
        text = first_arg(st, self.report)
        if text is None:
            return
        number = read_unsigned(text, 1, 255, lenient=False)
        if number.ok:
            d.vrid = number.value
        else:
            self.report(st.location, f"({d.name}) VRID '{text}' not valid - must be 1-255", "invalid-value")

    def _priority(self, d: InstanceDraft, st: Statement) -> None:
        text = first_arg(st, self.report)
        if text is None:
            return
        number = read_unsigned(text, 1, 255, lenient=False)
        if number.ok:
            d.priority = number.value
        else:
            self.report(
                st.location, f"({d.name}) priority '{text}' not valid (1-255) - default 100 used", "invalid-value"
            )
            d.priority = 100

    def _advert_int(self, d: InstanceDraft, st: Statement) -> None:
        text = first_arg(st, self.report)
        if text is None:
            return
        number = read_decimal(text, 6, TIMER_HZ // 100, 255 * TIMER_HZ, lenient=True)
        if number.ok and number.value > 0:
            d.advert_us = number.value
            if number.problem:
                self.report(st.location, f"({d.name}) advert_int: {number.problem}", "adjusted")
        else:
            self.report(st.location, f"({d.name}) advert_int '{text}' not valid - ignored", "invalid-value")

    def _version(self, d: InstanceDraft, st: Statement) -> None:
        text = first_arg(st, self.report)
        if text is None:
            return
        number = read_int(text, 2, 3, lenient=True)
        if not number.ok:
            self.report(st.location, f"({d.name}) version must be 2 or 3 - ignored", "invalid-value")
        elif (d.version and d.version != number.value) or (number.value == 2 and d.family == "ipv6"):
            self.report(
                st.location, f"({d.name}) version {number.value} conflicts with the instance - ignored", "ignored"
            )
        else:
            d.version = number.value

    def _nopreempt(self, d: InstanceDraft, st: Statement) -> None:
        d.nopreempt = True

    def _preempt(self, d: InstanceDraft, st: Statement) -> None:
        d.nopreempt = False

    def _preempt_delay(self, d: InstanceDraft, st: Statement) -> None:
        text = first_arg(st, self.report)
        if text is None:
            return
        number = read_decimal(text, 6, 0, 1000 * TIMER_HZ, lenient=True)
        if number.ok:
            d.preempt_delay_us = number.value
        else:
            self.report(st.location, f"({d.name}) preempt_delay '{text}' not valid (0-1000) - 0 used", "invalid-value")
            d.preempt_delay_us = 0

    def _src(self, d: InstanceDraft, st: Statement) -> None:
        text = first_arg(st, self.report)
        if text is None:
            return
        address = parse_ip(text)
        if address is None:
            self.report(st.location, f"({d.name}) malformed source address {text} - ignored", "invalid-value")
        elif self._family(d, address, st.location, "source address"):
            d.saddr = address

    def _unicast_src(self, d: InstanceDraft, st: Statement) -> None:
        d.unicast_configured = True
        self._src(d, st)

    def _unicast_flag(self, d: InstanceDraft, st: Statement) -> None:
        d.unicast_configured = True

    def _fault_no_peer(self, d: InstanceDraft, st: Statement) -> None:
        d.unicast_configured = True
        d.unicast_fault_no_peer = True

    def _peers(self, d: InstanceDraft, st: Statement) -> None:
        d.unicast_configured = True
        for item in st.items:
            peer = parse_peer(item.words, item.location, self.report)
            if peer is not None and self._family(d, peer.address, item.location, "unicast peer"):
                d.peers.append(peer)

    def _ttl(self, d: InstanceDraft, st: Statement) -> None:
        text = first_arg(st, self.report)
        if text is None:
            return
        number = read_unsigned(text, 0, 255, lenient=False)
        if number.ok:
            d.ttl = number.value
        else:
            self.report(st.location, f"({d.name}) unicast_ttl '{text}' not valid (0-255) - ignored", "invalid-value")

    def _vmac(self, d: InstanceDraft, st: Statement) -> None:
        d.use_vmac = True
        for word in st.args[:2]:
            if ":" not in word and d.vmac_name is None:
                d.vmac_name = word

    def _native_ipv6(self, d: InstanceDraft, st: Statement) -> None:
        if d.family == "ipv4":
            self.report(st.location, f"({d.name}) native_ipv6 with IPv4 addresses - ignored", "ignored")
            return
        d.family, d.version = "ipv6", 3

    def _vips(self, d: InstanceDraft, st: Statement) -> None:
        for item in st.items:
            vip = parse_vip(item.words, item.location, self.report)
            if vip is not None and self._family(d, vip.address, item.location, "VIP"):
                d.vips.append(vip)

    def _evips(self, d: InstanceDraft, st: Statement) -> None:
        for item in st.items:
            vip = parse_vip(item.words, item.location, self.report)
            if vip is not None:
                d.evips.append(vip)

    def _authentication(self, d: InstanceDraft, st: Statement) -> None:
        d.auth_location = st.location
        for child in st.children:
            value = first_arg(child, self.report)
            if value is None:
                continue
            if child.keyword == "auth_type":
                if value in ("PASS", "AH"):
                    d.auth_type = value
                else:
                    self.report(child.location, f"({d.name}) unknown authentication type '{value}'", "invalid-value")
            else:
                if len(value) > 8:
                    self.report(child.location, "auth_pass truncated to 8 characters", "adjusted")
                d.auth_pass = value[:8]

    def _track_script(self, d: InstanceDraft, st: Statement) -> None:
        for item in st.items:
            tracked = track_entry(item.words, item.location, d.name, self.scripts, self.report)
            if tracked is None:
                continue
            if any(t.name == tracked.name for t in d.track_scripts):
                self.report(item.location, f"({d.name}) duplicate track_script {tracked.name} - ignored", "ignored")
                continue
            d.track_scripts.append(tracked)

    def _track_interface(self, d: InstanceDraft, st: Statement) -> None:
        for item in st.items:
            tracked = track_interface_entry(item.words, item.location, d.name, self.report)
            if tracked is None:
                continue
            if any(t.name == tracked.name for t in d.track_interfaces):
                self.report(item.location, f"({d.name}) duplicate track_interface {tracked.name} - ignored", "ignored")
                continue
            d.track_interfaces.append(tracked)

    def _strict(self, d: InstanceDraft, st: Statement) -> None:
        value = true_false(st, self.report)
        if value is not None:
            d.strict_mode = value

    def _notify(self, d: InstanceDraft, st: Statement) -> None:
        if st.keyword in d.notify:
            self.report(st.location, f"({d.name}) {st.keyword} already specified - ignored", "ignored")
            return
        script = parse_script(st.text, st.location, self.report)
        if script is not None:
            d.notify[st.keyword] = script


def authentication(draft: InstanceDraft) -> Authentication | None:
    if draft.auth_type not in ("PASS", "AH") or draft.auth_location is None:
        return None
    secret = Secret(draft.auth_pass) if draft.auth_pass else None
    return Authentication("PASS" if draft.auth_type == "PASS" else "AH", draft.auth_location, secret)
