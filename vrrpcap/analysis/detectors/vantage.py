"""Vantage points (VRRP-VANTAGE-MISSED): where on the segment a router's adverts did not arrive.

Raised only by `audit --vantage` (analysis/vantage.py aligns the captures): one finding per vantage,
sender and virtual router, counting the adverts that vantage lacks while another vantage has them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vrrpcap.analysis.book import Entry
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.analysis.vantage import VantageMiss
from vrrpcap.findings import CODES, Finding

CODE = "VRRP-VANTAGE-MISSED"


@dataclass(slots=True)
class _Missed:
    vantage: str
    sender: str
    seen_by: dict[str, None] = field(default_factory=dict)  # in order of first sighting; at most the vantages


class VantageMisses(Detector):
    def missed(self, vr: VirtualRouter, router: Router, miss: VantageMiss) -> None:
        # An address has no space in it: the subject cannot be forged by a vantage's name.
        subject = f"{router.address} {miss.vantage}"
        entry, new = self.book.sight(
            (CODE, vr.id, subject), vr.vrid, miss.advert, lambda: _Missed(miss.vantage, router.address), _describe
        )
        entry.detail.seen_by.update(dict.fromkeys(miss.seen_by))
        if new:
            self.book.announce(entry)


def _describe(entry: Entry[_Missed]) -> Finding:
    m = entry.detail
    seen = ", ".join(m.seen_by)
    return Finding(
        CODE,
        CODES[CODE].severity,
        entry.vr,
        entry.first,
        entry.last,
        (m.sender,),
        f"{m.vantage} never saw {entry.count} of {m.sender}'s adverts ({seen} saw them): "
        f"loss on the path into {m.vantage}",
        tuple(entry.evidence),
        entry.count,
        entry.vrid,
        vantage=m.vantage,
    )
