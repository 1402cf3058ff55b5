"""Findings for people: grouped per code and virtual router, with the worst occurrences as examples.

A capture with hundreds of virtual routers can hold thousands of findings (every failover is one);
nobody reads thousands of lines. Text and markdown show one group per code and virtual router: how
many, from when to when, which routers, and the worst few; `--verbose` shows every finding. Machine
formats (JSON, SARIF, JUnit) keep every finding as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vrrpcap.findings import Evidence, Finding, Severity
from vrrpcap.report import InputSummary

EXAMPLES = 3  # occurrences shown per group without --verbose
EVIDENCE_SHOWN = 12  # frames shown per finding


@dataclass(frozen=True, slots=True)
class FindingGroup:
    code: str
    severity: Severity
    vr: str | None
    findings: tuple[Finding, ...]  # in the report's order

    @property
    def occurrences(self) -> int:
        return sum(f.count for f in self.findings)

    @property
    def first(self) -> float | None:
        return min((f.start for f in self.findings if f.start is not None), default=None)

    @property
    def last(self) -> float | None:
        ends = [f.end if f.end is not None else f.start for f in self.findings]
        return max((t for t in ends if t is not None), default=None)

    @property
    def routers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for f in self.findings:
            seen.update((r, None) for r in f.routers if r)
        return tuple(seen)

    @property
    def ranked(self) -> bool:
        """Whether `worst` tells the findings apart (by duration or count), not only by time."""
        spans = {(f.end or 0.0) - (f.start or 0.0) for f in self.findings}
        return len(spans) > 1 or len({f.count for f in self.findings}) > 1

    def worst(self, n: int = EXAMPLES) -> tuple[Finding, ...]:
        """The longest-lasting, then the most often seen, then the earliest: the ones to look at first."""

        def weight(f: Finding) -> tuple[float, int, float]:
            span = (f.end - f.start) if f.start is not None and f.end is not None else 0.0
            return (-span, -f.count, f.start if f.start is not None else float("inf"))

        return tuple(sorted(self.findings, key=weight)[:n])


def group_findings(findings: Iterable[Finding]) -> list[FindingGroup]:
    """One group per (code, virtual router), most severe first, then by first occurrence."""
    grouped: dict[tuple[str, str | None], list[Finding]] = {}
    for f in findings:
        grouped.setdefault((f.code, f.vr), []).append(f)
    groups = [FindingGroup(code, items[0].severity, vr, tuple(items)) for (code, vr), items in grouped.items()]
    return sorted(groups, key=lambda g: (-g.severity, g.first if g.first is not None else float("inf"), g.code))


class EvidenceNames:
    """How evidence is written for people: frame numbers alone for one input; with several, each
    frame with its file (its base name when those are unique, else the path as given): "a.pcap#4";
    captures of vantage points (`audit --vantage`) by the vantage's name: "bridge#4"."""

    def __init__(self, inputs: Sequence[InputSummary]) -> None:
        paths = [i.path for i in inputs]
        bases = [i.vantage or os.path.basename(i.path) or i.path for i in inputs]
        self._several = len(paths) > 1
        self._short = dict(zip(paths, bases, strict=True)) if len(set(bases)) == len(bases) else {}

    def one(self, e: Evidence) -> str:
        if not self._several:
            return str(e.frame)
        return f"{self._short.get(e.file, e.file)}#{e.frame}"

    def text(self, evidence: Sequence[Evidence], limit: int = EVIDENCE_SHOWN) -> str:
        shown = ", ".join(self.one(e) for e in evidence[:limit])
        return shown + (" ..." if len(evidence) > limit else "")
