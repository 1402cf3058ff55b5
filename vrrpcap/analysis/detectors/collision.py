"""VRRP-VRID-COLLISION as it happens: a second VIP cluster appears on a segment's multicast VRID.

The report's collision finding is worded from the summaries (detectors/consistency.py); this one
tells `live` the moment the second cluster is seen, under the same identifier.
"""

from __future__ import annotations

from vrrpcap.analysis.book import FindingBook
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.identity import Segment
from vrrpcap.analysis.options import Options
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, Evidence, Finding

CODE = "VRRP-VRID-COLLISION"


class Collision(Detector):
    def __init__(self, book: FindingBook, options: Options) -> None:
        super().__init__(book, options)
        self._clusters: dict[Segment, set[VirtualRouter]] = {}

    def joined(self, vr: VirtualRouter, router: Router, a: Advert) -> None:
        if vr.roots[1] is None:
            return
        segment = vr.key.segment
        clusters = self._clusters.setdefault(segment, set())
        clusters.add(vr)
        live = {c.current() for c in clusters}
        if len(live) < 2:
            return
        label = segment.label()
        finding = Finding(
            CODE,
            CODES[CODE].severity,
            label,
            a.time,
            a.time,
            (a.src,),
            f"VRID {segment.vrid} on {label} carries adverts with disjoint VIP sets",
            (Evidence(a.file, a.frame),),
            1,
            segment.vrid,
        )
        self.book.announce_finding((CODE, label, ""), finding)
