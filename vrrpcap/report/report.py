"""The audit report: inputs, virtual routers with their timelines, findings. A value renderers read.

`as_dict()` is the JSON contract documented by docs/report.schema.json; `summary` is its typed head.
The DataFrame views (vrrpcap/report/tables.py) import pandas only when called.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from vrrpcap.findings import Finding, Severity
from vrrpcap.report.model import InputSummary, VirtualRouter

if TYPE_CHECKING:
    import pandas as pd

    from vrrpcap.analysis.options import Options

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Summary:
    virtual_routers: int
    adverts: int
    multicast_adverts: int
    unicast_adverts: int
    carp_adverts: int
    failovers: int
    errors: int
    warnings: int
    infos: int

    def findings(self) -> dict[str, int]:
        return {"error": self.errors, "warning": self.warnings, "info": self.infos}

    def as_dict(self) -> dict[str, Any]:
        return {
            "virtual_routers": self.virtual_routers,
            "adverts": self.adverts,
            "multicast_adverts": self.multicast_adverts,
            "unicast_adverts": self.unicast_adverts,
            "carp_adverts": self.carp_adverts,
            "failovers": self.failovers,
            "findings": self.findings(),
        }


@dataclass(frozen=True)
class Report:
    inputs: tuple[InputSummary, ...]
    virtual_routers: list[VirtualRouter]
    findings: list[Finding]
    options: Options
    carp_adverts: int = 0

    # -- selection ----------------------------------------------------------------------------------
    def filtered(self, ignore: frozenset[str] = frozenset(), vrids: frozenset[int] = frozenset()) -> Report:
        """Drop ignored codes; keep only the given VRIDs (and capture-wide findings)."""
        vrs = [v for v in self.virtual_routers if not vrids or v.vrid in vrids]
        findings = [
            f for f in self.findings if f.code not in ignore and (not vrids or f.vrid is None or f.vrid in vrids)
        ]
        return replace(self, virtual_routers=vrs, findings=findings)

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def failovers(self) -> int:
        return sum(len(v.failovers) for v in self.virtual_routers)

    @property
    def summary(self) -> Summary:
        vrs = self.virtual_routers
        vrrp = [v for v in vrs if v.protocol == "vrrp"]  # CARP's adverts are counted in carp_adverts
        return Summary(
            virtual_routers=len(vrs),
            adverts=sum(v.adverts for v in vrrp),
            multicast_adverts=sum(v.multicast_adverts for v in vrrp),
            unicast_adverts=sum(v.unicast_adverts for v in vrrp),
            carp_adverts=self.carp_adverts,
            failovers=self.failovers,
            errors=self.count(Severity.ERROR),
            warnings=self.count(Severity.WARNING),
            infos=self.count(Severity.INFO),
        )

    def capture_window(self) -> tuple[float, float] | None:
        """From the earliest first frame to the latest last frame of the inputs."""
        firsts = [i.first_time for i in self.inputs if i.first_time is not None]
        lasts = [i.last_time for i in self.inputs if i.last_time is not None]
        return (min(firsts), max(lasts)) if firsts and lasts else None

    # -- machine forms ------------------------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "inputs": [i.as_dict() for i in self.inputs],
            "summary": self.summary.as_dict(),
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
        from vrrpcap.report.tables import virtual_routers_df

        return virtual_routers_df(self)

    def masters_df(self) -> pd.DataFrame:
        from vrrpcap.report.tables import masters_df

        return masters_df(self)

    def failovers_df(self) -> pd.DataFrame:
        from vrrpcap.report.tables import failovers_df

        return failovers_df(self)

    def findings_df(self) -> pd.DataFrame:
        from vrrpcap.report.tables import findings_df

        return findings_df(self)
