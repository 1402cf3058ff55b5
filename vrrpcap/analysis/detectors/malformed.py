"""Packets that are not usable adverts: malformed VRRP, and ICMP errors quoting a unicast advert."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from vrrpcap.analysis.book import Entry
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.identity import Segment
from vrrpcap.analysis.state import Router
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, Finding


class Malformed(Detector):
    """VRRP-MALFORMED, per source: how many, and the commonest reasons."""

    def malformed(self, a: Advert) -> None:
        entry, new = self.book.sight(("VRRP-MALFORMED", None, a.src), None, a, Counter[str], _describe)
        entry.detail[a.malformed or "incomplete header"] += 1
        if new:
            self.book.announce(entry)


def _describe(entry: Entry[Counter[str]]) -> Finding:
    reasons = sorted(entry.detail.items(), key=lambda kv: -kv[1])[:3]
    text = "; ".join(f"{why} (x{n})" for why, n in reasons)
    return Finding(
        "VRRP-MALFORMED",
        CODES["VRRP-MALFORMED"].severity,
        None,
        entry.first,
        entry.last,
        (entry.subject,),
        f"{entry.count} malformed VRRP packet(s) from {entry.subject}: {text}",
        tuple(entry.evidence),
        entry.count,
    )


@dataclass(slots=True)
class _Quotes:
    src: str
    peer: str
    router: Router | None  # the quoted advert's sender, once it has advertised: its virtual router is named
    icmp: tuple[int | None, int | None] = (None, None)


class PeerUnreachable(Detector):
    """VRRP-PEER-UNREACHABLE: a unicast peer's kernel answers adverts with ICMP errors."""

    def quote(self, segment: Segment, a: Advert, router: Router | None) -> None:
        peer = a.icmp_from or a.dst
        entry, new = self.book.sight(
            ("VRRP-PEER-UNREACHABLE", segment.label(), f"{a.src}>{peer}"),
            segment.vrid,
            a,
            lambda: _Quotes(a.src, peer, router),
            _describe_quotes,
        )
        entry.detail.icmp = (a.icmp_type, a.icmp_code)
        if router is not None:
            entry.detail.router = router
        if new:
            self.book.announce(entry)


def _describe_quotes(entry: Entry[_Quotes]) -> Finding:
    q = entry.detail
    icmp_type, icmp_code = q.icmp
    home = q.router.home if q.router is not None else None
    return Finding(
        "VRRP-PEER-UNREACHABLE",
        CODES["VRRP-PEER-UNREACHABLE"].severity,
        home.id if home is not None else entry.vr,
        entry.first,
        entry.last,
        (q.src, q.peer),
        f"{q.peer} answered {entry.count} unicast advert(s) of {q.src} with ICMP type {icmp_type} "
        f"code {icmp_code}: no VRRP listener there (keepalived down?)",
        tuple(entry.evidence),
        entry.count,
        entry.vrid,
    )
