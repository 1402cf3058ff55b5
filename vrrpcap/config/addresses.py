"""Addresses in a keepalived configuration: VIP lines, unicast peers, source addresses.

A VIP line is keepalived's alloc_ipaddress: ``ADDRESS[/PREFIX] [dev IF] [scope S] [brd B]
[label L] [peer P] [flags...]``. An address keepalived cannot read drops the line; an option it
does not know is ignored with a warning (both become problems).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from vrrpcap.config.lexer import script_words
from vrrpcap.config.model import Location, ProblemKind, Script, UnicastPeer, VirtualAddress
from vrrpcap.config.numbers import read_unsigned

Report = Callable[[Location, str, ProblemKind], None]

SCOPES = {
    "global": "global",
    "universe": "global",
    "site": "site",
    "link": "link",
    "host": "host",
    "nowhere": "nowhere",
}
SCOPE_NUMBERS = {0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}
FLAGS = {"home", "-nodad", "mngtmpaddr", "noprefixroute", "autojoin"}
WITH_VALUE = {"dev", "scope", "broadcast", "brd", "label", "peer", "preferred_lft"}


def parse_ip(text: str) -> str | None:
    """``text`` as inet_pton reads it (normalised), or None."""
    if "%" in text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def parse_vip(words: tuple[str, ...], where: Location, report: Report) -> VirtualAddress | None:
    """One ``virtual_ipaddress`` line, or None when keepalived drops it."""
    first = words[0]
    family_max = 128 if ":" in first else 32
    text, _, prefix_text = first.partition("/")
    prefix = family_max
    if "/" in first:
        number = read_unsigned(prefix_text, 0, family_max, lenient=True)
        if number.ok:
            prefix = number.value
        else:
            report(where, f"invalid prefix length {prefix_text} for {text} - using {family_max}", "invalid-value")
    address = parse_ip(text)
    if address is None or (":" in address) != (family_max == 128):
        report(where, f"invalid IP address {first} - keepalived skips it", "invalid-value")
        return None
    options: dict[str, str] = {}
    flags: set[str] = set()
    i = 1
    while i < len(words):
        word = words[i]
        if word in WITH_VALUE:
            if i + 1 >= len(words):
                report(where, f"no {word} value for {first} - keepalived skips the address", "invalid-value")
                return None
            if word == "dev" and "dev" in options:
                report(where, f"dev given twice for {first} - keepalived skips the address", "invalid-value")
                return None
            options["broadcast" if word == "brd" else word] = words[i + 1]
            i += 2
            continue
        if word in FLAGS or word in ("no_track", "use_vmac"):
            flags.add(word)
        else:
            report(where, f"unknown option '{word}' for address {first} - ignored", "ignored")
        i += 1
    ipv6 = family_max == 128
    scope = options.get("scope")
    if scope is not None:
        known = SCOPES.get(scope) or (SCOPE_NUMBERS.get(int(scope)) if scope.isdigit() else None)
        if known is None:
            report(where, f"invalid scope '{scope}' for {first} - ignored", "invalid-value")
        elif ipv6:
            report(where, f"scope is not used for IPv6 addresses ({first}) - ignored", "ignored")
            known = None
        scope = known
    label = options.get("label")
    if label is not None and ipv6:
        report(where, f"label is not used for IPv6 addresses ({first}) - ignored", "ignored")
        label = None
    elif label is not None and len(label) >= 16:
        report(where, f"label {label} longer than 15 characters - keepalived skips the address", "invalid-value")
        return None
    if "broadcast" in options and ipv6:
        report(where, f"broadcast given for IPv6 address {first} - keepalived skips the address", "invalid-value")
        return None
    peer = options.get("peer")
    if peer is not None:
        peer_ip = parse_ip(peer.partition("/")[0])
        if peer_ip is None or (":" in peer_ip) != ipv6:
            report(where, f"invalid peer address {peer} - ignored", "invalid-value")
            peer = None
    return VirtualAddress(
        address=address,
        prefix=prefix,
        location=where,
        dev=options.get("dev"),
        scope=scope,
        label=label,
        broadcast=options.get("broadcast"),
        peer=peer,
        no_track="no_track" in flags,
        use_vmac="use_vmac" in flags,
    )


def parse_peer(words: tuple[str, ...], where: Location, report: Report) -> UnicastPeer | None:
    address = parse_ip(words[0])
    if address is None:
        report(where, f"malformed unicast peer address {words[0]} - skipped", "invalid-value")
        return None
    ttl = {"min_ttl": 0, "max_ttl": 255}
    i = 1
    while i < len(words):
        if i + 1 >= len(words):
            report(where, f"{words[i]} is missing a value", "invalid-value")
            break
        number = read_unsigned(words[i + 1], 0, 255, lenient=False)
        if number.ok:
            if words[i] not in ttl:
                report(where, f"unknown unicast_peer option {words[i]}", "invalid-value")
                break
            ttl[words[i]] = number.value
        i += 2
    return UnicastPeer(address, where, min_ttl=ttl["min_ttl"], max_ttl=ttl["max_ttl"])


def parse_script(text: str, where: Location, report: Report) -> Script | None:
    """A notify or vrrp_script command from its whole line (keyword first)."""
    line = script_words(text)
    if line is None:
        report(where, "unterminated quote or escape in script - keepalived ignores it", "invalid-value")
        return None
    if len(line) < 2:
        report(where, f"{line[0] if line else 'script'} without a command - keepalived ignores it", "invalid-value")
        return None
    args = script_words(line[1])
    if not args:
        report(where, f"cannot split script '{line[1]}' - keepalived ignores it", "invalid-value")
        return None
    user = line[2] if len(line) > 2 else None
    group = line[3] if len(line) > 3 else None
    return Script(line[1], args, where, user=user, group=group)
