"""The audit report: inputs, virtual routers with their timelines, findings. A value renderers read.

`as_dict()` is the JSON contract documented by docs/report.schema.json. The DataFrame views import
pandas only when called.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from vrrpcap.findings import Finding, Severity
from vrrpcap.model import VirtualRouter

if TYPE_CHECKING:
    import pandas as pd

    from vrrpcap.analyzer import Options

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Report:
    inputs: list[dict[str, Any]]
    virtual_routers: list[VirtualRouter]
    findings: list[Finding]
    options: Options
    carp_adverts: int = 0

    # -- selection ----------------------------------------------------------------------------------
    def filtered(self, ignore: frozenset[str] = frozenset(), vrids: frozenset[int] = frozenset()) -> Report:
        """Drop ignored codes; keep only the given VRIDs (and capture-wide findings)."""
        vrs = [v for v in self.virtual_routers if not vrids or v.vrid in vrids]
        kept = {v.id for v in vrs}
        findings = [
            f
            for f in self.findings
            if f.code not in ignore and (not vrids or f.vr is None or f.vr in kept or _vrid_of(f.vr) in vrids)
        ]
        return replace(self, virtual_routers=vrs, findings=findings)

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def failovers(self) -> int:
        return sum(len(v.failovers) for v in self.virtual_routers)

    # -- machine forms ------------------------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "inputs": self.inputs,
            "summary": {
                "virtual_routers": len(self.virtual_routers),
                "adverts": sum(v.adverts for v in self.virtual_routers),
                "multicast_adverts": sum(v.multicast_adverts for v in self.virtual_routers),
                "unicast_adverts": sum(v.unicast_adverts for v in self.virtual_routers),
                "carp_adverts": self.carp_adverts,
                "failovers": self.failovers,
                "findings": {s.label: self.count(s) for s in sorted(Severity, reverse=True)},
            },
            "options": {
                "settle_intervals": self.options.settle_intervals,
                "missed_factor": self.options.missed_factor,
                "flap_window": self.options.flap_window,
            },
            "virtual_routers": [v.as_dict() for v in self.virtual_routers],
            "findings": [f.as_dict() for f in self.findings],
        }

    # -- notebooks ----------------------------------------------------------------------------------
    def virtual_routers_df(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            {k: v for k, v in vr.as_dict().items() if k not in ("routers", "masters", "failovers")}
            for vr in self.virtual_routers
        ]
        return pd.DataFrame(rows)

    def masters_df(self) -> pd.DataFrame:
        import pandas as pd

        rows = [{"vr": m.vr, **m.as_dict()} for vr in self.virtual_routers for m in vr.masters]
        return pd.DataFrame(rows)

    def failovers_df(self) -> pd.DataFrame:
        import pandas as pd

        rows = [{"vr": f.vr, **f.as_dict()} for vr in self.virtual_routers for f in vr.failovers]
        return pd.DataFrame(rows)

    def findings_df(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([f.as_dict() for f in self.findings])


def _vrid_of(vr_id: str) -> int | None:
    for part in vr_id.split("/"):
        if part.startswith("vrid") and part[4:].isdigit():
            return int(part[4:])
    return None
