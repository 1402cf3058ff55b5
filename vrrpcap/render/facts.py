"""What the picture renderers (plot, HTML) need from the report's input statistics and summary."""

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
            i.path,
            i.format,
            i.compression,
            i.packets,
            i.adverts,
            i.first_time,
            i.last_time,
            i.capture_drops,
            i.problems,
        )
        for i in report.inputs
    )
    s = report.summary
    summary = SummaryFacts(
        s.virtual_routers, s.adverts, s.multicast_adverts, s.unicast_adverts, s.carp_adverts, s.failovers
    )
    return ReportFacts(inputs, summary)
