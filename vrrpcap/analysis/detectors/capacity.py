"""VRRP-TOO-MANY-ROUTERS: adverts of routers beyond the engine's bounds, counted instead of analysed."""

from __future__ import annotations

from dataclasses import dataclass, field

from vrrpcap.analysis.book import Entry
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.identity import Segment
from vrrpcap.analysis.placement import MAX_ROUTERS_PER_SEGMENT, MAX_ROUTERS_PER_VIRTUAL_ROUTER
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, Finding

CODE = "VRRP-TOO-MANY-ROUTERS"
MAX_NAMED = 16  # sources named in the finding; the rest are counted


@dataclass(slots=True)
class _Refused:
    sources: set[str] = field(default_factory=set)
    more: int = 0  # adverts from sources beyond the named ones: an upper bound on how many more


class Capacity(Detector):
    def refused(self, segment: Segment, a: Advert) -> None:
        entry, new = self.book.sight((CODE, segment.label(), ""), segment.vrid, a, _Refused, _describe)
        refused = entry.detail
        if len(refused.sources) < MAX_NAMED:
            refused.sources.add(a.src)
        elif a.src not in refused.sources:
            refused.more += 1
        if new:
            self.book.announce(entry)


def _describe(entry: Entry[_Refused]) -> Finding:
    r = entry.detail
    named = sorted(r.sources)
    return Finding(
        CODE,
        CODES[CODE].severity,
        entry.vr,
        entry.first,
        entry.last,
        tuple(named),
        f"{entry.count} advert(s) from routers beyond the limit ({MAX_ROUTERS_PER_VIRTUAL_ROUTER} per virtual "
        f"router, {MAX_ROUTERS_PER_SEGMENT} per VRID on a link) were counted, not analysed: spoofed sources or "
        f"a flood on {entry.vr} (first sources: {', '.join(named)}{f' and up to {r.more} more' if r.more else ''})",
        tuple(entry.evidence),
        entry.count,
        entry.vrid,
    )
