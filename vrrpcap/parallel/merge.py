"""The shards' results as one report, built as the single engine builds its own (assemble_report)."""

from __future__ import annotations

from collections.abc import Sequence

from vrrpcap.analysis import Engine, Options
from vrrpcap.analysis.engine import assemble_report
from vrrpcap.analysis.summary import report_order
from vrrpcap.parallel.shard import ShardResult
from vrrpcap.report import InputSummary, Report


def merge_shards(results: Sequence[ShardResult], inputs: Sequence[InputSummary], options: Options) -> Report:
    """Virtual routers in the report's order; the book's findings shard by shard (a finding's virtual
    router lives in one shard, capture-wide ones all in shard 0, so ties keep the serial order), then
    the report-time detectors over the merged summaries, on fresh detectors."""
    ordered = sorted(results, key=lambda r: r.shard)
    virtual_routers = sorted((v for r in ordered for v in r.virtual_routers), key=report_order)
    findings = [f for r in ordered for f in r.findings]
    detectors = Engine(options).detectors
    carp = sum(r.carp_adverts for r in ordered)
    return assemble_report(virtual_routers, findings, detectors, inputs, options, carp)
