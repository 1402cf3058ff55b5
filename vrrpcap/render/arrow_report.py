"""The audit report as Arrow tables: inputs, virtual_routers, routers, masterships, failovers, findings.

Built from the report's typed values only (docs/parquet.md describes every column).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa

from vrrpcap.render.arrow_schema import TimeUnit, report_schemas, times
from vrrpcap.report import Report

Row = dict[str, Any]


def _table(schema: pa.Schema, rows: Sequence[Row], unit: TimeUnit) -> pa.Table:
    arrays = []
    for name in schema.names:
        values = [row.get(name) for row in rows]
        kind = schema.field(name).type
        arrays.append(times(values, unit) if pa.types.is_timestamp(kind) else pa.array(values, type=kind))
    return pa.Table.from_arrays(arrays, schema=schema)


def _inputs(report: Report) -> list[Row]:
    return [{**i.as_dict(), "problems": list(i.problems)} for i in report.inputs]


def _virtual_routers(report: Report) -> list[Row]:
    rows = []
    for v in report.virtual_routers:
        row = {k: val for k, val in v.as_dict().items() if k not in ("routers", "masters", "failovers")}
        row.update(
            vr=v.id, routers=len(v.routers), masterships=len(v.masters), failovers=len(v.failovers), vlan=list(v.vlan)
        )
        rows.append(row)
    return rows


def _routers(report: Report) -> list[Row]:
    return [
        {**r.as_dict(), "vr": v.id, "segment": v.segment, "vrid": v.vrid}
        for v in report.virtual_routers
        for r in v.routers
    ]


def _masterships(report: Report) -> list[Row]:
    return [
        {**m.as_dict(v.protocol), "vr": v.id, "segment": v.segment, "vrid": v.vrid, "duration_s": m.duration}
        for v in report.virtual_routers
        for m in v.masters
    ]


def _failovers(report: Report) -> list[Row]:
    rows = []
    for v in report.virtual_routers:
        for f in v.failovers:
            row = f.as_dict(v.protocol)
            row.update(vr=v.id, segment=v.segment, vrid=v.vrid, from_router=f.from_router, to_router=f.to_router)
            rows.append(row)
    return rows


def _findings(report: Report) -> list[Row]:
    return [f.as_dict() for f in report.findings]


TABLES: dict[str, Callable[[Report], list[Row]]] = {
    "inputs": _inputs,
    "virtual_routers": _virtual_routers,
    "routers": _routers,
    "masterships": _masterships,
    "failovers": _failovers,
    "findings": _findings,
}


def report_tables(report: Report, unit: TimeUnit, sensor: str | None = None) -> dict[str, pa.Table]:
    """Every table of the report, each with its documented schema; ``sensor`` stamps every row."""
    schemas = report_schemas(unit)
    out = {}
    for name, rows_of in TABLES.items():
        rows = [{**row, "sensor": sensor} for row in rows_of(report)]
        out[name] = _table(schemas[name], rows, unit)
    return out
