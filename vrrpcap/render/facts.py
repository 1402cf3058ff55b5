"""What the picture renderers (plot, HTML) need from the report's input statistics and summary, typed.

`facts_of` is the only place in the plot and HTML renderers that reads the report's untyped parts
(`report.inputs`, a list of dicts, and `report.as_dict()["summary"]`). When the report carries typed
input statistics and a typed summary, only this function changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrrpcap.report import Report


@dataclass(frozen=True, slots=True)
class InputFacts:
    path: str
    format: str
    compression: str | None
    packets: int
    adverts: int
    first_time: float | None
    last_time: float | None
    capture_drops: int | None
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SummaryFacts:
    virtual_routers: int
    adverts: int
    multicast_adverts: int
    unicast_adverts: int
    carp_adverts: int
    failovers: int


@dataclass(frozen=True, slots=True)
class ReportFacts:
    inputs: tuple[InputFacts, ...]
    summary: SummaryFacts

    def window(self) -> tuple[float, float] | None:
        """The capture's first and last frame over all inputs (None: no frames)."""
        firsts = [i.first_time for i in self.inputs if i.first_time is not None]
        lasts = [i.last_time for i in self.inputs if i.last_time is not None]
        return (min(firsts), max(lasts)) if firsts and lasts else None

    def times(self) -> list[float]:
        return [t for i in self.inputs for t in (i.first_time, i.last_time) if t is not None]


def facts_of(report: Report) -> ReportFacts:
    inputs = tuple(
        InputFacts(
            path=str(item.get("path", "?")),
            format=str(item.get("format") or ""),
            compression=item.get("compression") or None,
            packets=int(item.get("packets") or 0),
            adverts=int(item.get("adverts") or 0),
            first_time=item.get("first_time"),
            last_time=item.get("last_time"),
            capture_drops=item.get("capture_drops"),
            problems=tuple(str(p) for p in item.get("problems") or ()),
        )
        for item in report.inputs
    )
    summary = report.as_dict()["summary"]
    return ReportFacts(
        inputs,
        SummaryFacts(
            virtual_routers=summary["virtual_routers"],
            adverts=summary["adverts"],
            multicast_adverts=summary["multicast_adverts"],
            unicast_adverts=summary["unicast_adverts"],
            carp_adverts=summary["carp_adverts"],
            failovers=summary["failovers"],
        ),
    )
