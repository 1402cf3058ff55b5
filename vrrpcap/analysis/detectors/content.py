"""Per-advert checks: what one advert alone shows (TTL, checksum, cleartext password, virtual MAC).

Pure functions of the advert's content, so the engine caches their verdicts by content: a router
repeating its advert costs a dictionary lookup, not the checks.
"""

from __future__ import annotations

from collections.abc import Callable

from vrrpcap.analysis.book import Entry
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.state import VirtualRouter
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, Finding

Verdict = tuple[str, str]  # code, message


def check(a: Advert) -> tuple[Verdict, ...]:
    verdicts: list[Verdict] = []
    if a.ttl != 255:
        how = "unicast " if a.delivery == "unicast" else ""
        verdicts.append(
            (
                "VRRP-BAD-TTL",
                f"{a.src} sends {how}adverts with TTL/hop limit {a.ttl}, not 255: receivers "
                "discard them (crossed a router, forged, or keepalived unicast_ttl)",
            )
        )
    if a.checksum == "bad":
        verdicts.append(("VRRP-BAD-CHECKSUM", f"{a.src} sends adverts whose checksum matches no variant"))
    elif a.checksum in ("v2-style", "old-unicast"):
        how = (
            "without the pseudo-header (Cisco, keepalived v3_checksum_as_v2)"
            if a.checksum == "v2-style"
            else "with 224.0.0.18 in the pseudo-header (keepalived <= 1.3.6)"
        )
        verdicts.append(("VRRP-CHECKSUM-VARIANT", f"{a.src} computes the VRRPv3 checksum {how}"))
    if a.auth_type == 1:
        verdicts.append(
            ("VRRP-CLEARTEXT-PASSWORD", f"{a.src} sends a simple-text password (<redacted>) in every advert")
        )
    mac = a.src_mac or ""
    vmac_prefix = "00:00:5e:00:01:" if a.family == "ipv4" else "00:00:5e:00:02:"
    if mac.startswith(vmac_prefix) and int(mac[-2:], 16) != a.vrid:
        verdicts.append(
            (
                "VRRP-VMAC-MISMATCH",
                f"{a.src} sends from virtual MAC {mac} (VRID {int(mac[-2:], 16)}) adverts for VRID {a.vrid}",
            )
        )
    return tuple(verdicts)


class ContentChecks(Detector):
    def sight(self, vr: VirtualRouter, a: Advert, verdicts: tuple[Verdict, ...]) -> None:
        for code, message in verdicts:
            entry, new = self.book.sight((code, vr.id, a.src), vr.vrid, a, constant(message), describe_message)
            if new:
                self.book.announce(entry)


def constant(message: str) -> Callable[[], str]:
    return lambda: message


def describe_message(entry: Entry[str]) -> Finding:
    """A finding about one router whose message was worded at its first sighting."""
    return Finding(
        entry.code,
        CODES[entry.code].severity,
        entry.vr,
        entry.first,
        entry.last,
        (entry.subject,) if entry.subject else (),
        entry.detail,
        tuple(entry.evidence),
        entry.count,
        entry.vrid,
    )
