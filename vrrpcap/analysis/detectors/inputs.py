"""VRRP-NO-ADVERTS: an input without a single VRRP record, or a run whose inputs hold no VRRP advert.

A CI gate that reads a capture taken with the wrong filter or on the wrong interface must not pass
because there was nothing to find: `--fail-on warning` catches this one. Live inputs are left out: a
session that has not heard its first advert yet is not a wrong capture.
"""

from __future__ import annotations

from vrrpcap.analysis.detectors.base import Detector, ReportView
from vrrpcap.findings import CODES, Finding

CODE = "VRRP-NO-ADVERTS"


class NoAdverts(Detector):
    def report_findings(self, view: ReportView) -> list[Finding]:
        files = [i for i in view.inputs if i.format != "live"]
        out = [
            Finding(
                CODE,
                CODES[CODE].severity,
                None,
                item.first_time,
                item.last_time,
                (),
                f"{item.path}: {item.packets} frame(s) and no VRRP or CARP record among them: a capture "
                "filter without 'vrrp' (protocol 112), the wrong interface or the wrong file?",
            )
            for item in files
            if item.adverts == 0
        ]
        if files and not out and not view.virtual_routers:
            records = sum(i.adverts for i in files)
            out.append(
                Finding(
                    CODE,
                    CODES[CODE].severity,
                    None,
                    min((i.first_time for i in files if i.first_time is not None), default=None),
                    max((i.last_time for i in files if i.last_time is not None), default=None),
                    (),
                    f"no usable VRRP advert in any input ({records} record(s), all CARP, malformed or "
                    "ICMP quotes): there is no virtual router to audit",
                )
            )
        return out
