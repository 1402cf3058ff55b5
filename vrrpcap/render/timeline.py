"""Timelines as a table (people) or CSV/JSON rows (machines): one row per mastership run.

The table fits the terminal without folding an address or a time (vrrpcap/render/table.py); when it
cannot, each run is a block of lines. CSV keeps epoch seconds and adds ISO 8601; cells that a
spreadsheet would run as formulas are neutralised.
"""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from vrrpcap.render.common import clock
from vrrpcap.render.escape import csv_cell, printable
from vrrpcap.render.runs import RunRow, run_rows
from vrrpcap.render.table import Cell, Column, console_for, emit, fit, packed, wrapped
from vrrpcap.report import Report
from vrrpcap.times import UTC_ZONE, Zone, day, iso8601


def timeline_rows(report: Report) -> list[dict[str, Any]]:
    """The machine rows (CSV): the run's facts, the failover that began it, whom it overlapped."""
    return [
        {
            "vr": r.vr.id,
            "protocol": r.vr.protocol,
            "router": r.run.router,
            "start": r.run.start,
            "end": r.run.end,
            "duration_s": r.run.duration,
            "start_observed": r.run.start_observed,
            "end_observed": r.run.end_observed,
            "end_cause": r.run.end_cause,
            "adverts": r.run.adverts,
            # CARP has no priority: its runs fill the advskew columns instead (rows stay one shape).
            "priority_min": None if carp else r.run.priority_min,
            "priority_max": None if carp else r.run.priority_max,
            "advskew_min": r.run.priority_min if carp else None,
            "advskew_max": r.run.priority_max if carp else None,
            "took_over_from": r.failover.from_router if r.failover else None,
            "failover_cause": r.failover.cause if r.failover else None,
            "takeover_s": r.failover.takeover_s if r.failover else None,
            "expected_takeover_s": r.failover.expected_takeover_s if r.failover else None,
            "takeover_explained_by": r.failover.explained_by if r.failover else None,
            "start_iso": iso8601(r.run.start),
            "end_iso": iso8601(r.run.end),
            "priorities": "" if carp else ";".join(map(str, r.run.priorities)),
            "advskews": ";".join(map(str, r.run.priorities)) if carp else "",
            "overlaps_with": ";".join(router for router, _ in r.overlaps),
            "split_brain": r.split_brain,
        }
        for r in run_rows(report)
        for carp in (r.vr.protocol == "carp",)
    ]


COLUMNS = (
    Column("master"),
    Column("from"),
    Column("to"),
    Column("for", right=True),
    Column("adverts", right=True),
    Column("priority", prose=True),
    Column("how it began", prose=True),
    Column("how it ended", prose=True),
)
OVERLAPS = Column("overlapped by", prose=True)


def render_table(report: Report, out: TextIO, color: bool, zone: Zone = UTC_ZONE) -> None:
    """``color``: ``out`` is a terminal (its width and colours are used); otherwise nothing is wrapped."""
    console = console_for(out, color)
    rows = run_rows(report)
    for vr in report.virtual_routers:
        mine = [r for r in rows if r.vr is vr]
        days = {d for r in mine for d in (day(r.run.start, zone), day(r.run.end, zone))}
        dated = len(days) > 1
        when = f"times in {zone.name}" + ("" if dated else f", {next((d for d in days if d), '')}")
        emit(console, Text.assemble((printable(vr.id), "bold"), (f"  {when}", "dim")))
        for number, line in enumerate(packed(list(vr.vips), console.width, 7)):
            emit(console, Text(printable(f"{'VIPs' if number == 0 else '':<6} {line}"), style="dim"))
        if vr.protocol == "carp":
            emit(console, Text(f"CARP vhid {vr.vrid}: CARP adverts carry no addresses", style="dim"))
        overlapping = any(r.overlaps for r in mine)
        columns = [*COLUMNS, OVERLAPS] if overlapping else list(COLUMNS)
        columns[5] = Column(vr.level_name, prose=True)
        cells: list[list[Cell]] = [
            [
                r.run.router,
                clock(r.run.start, dated, zone),
                clock(r.run.end, dated, zone),
                r.lasted,
                str(r.run.adverts),
                r.priorities,
                r.began,
                r.ended,
                *([r.overlap_text] if overlapping else []),
            ]
            for r in mine
        ]
        table = fit(console, columns, cells)
        if table is not None:
            console.print(table)
        else:
            _blocks(console, mine, zone, dated)


def _blocks(console: Console, rows: list[RunRow], zone: Zone, dated: bool) -> None:
    """The runs one after another when the table does not fit: nothing folded or cut."""
    for r in rows:
        head = f"  {r.run.router}  {clock(r.run.start, dated, zone)} to {clock(r.run.end, dated, zone)}"
        emit(console, Text(printable(head)))
        facts = f"{r.lasted}, {r.run.adverts} advert(s), {r.vr.level_name} {r.priorities}"
        lines = [facts, f"began: {r.began}", f"ended: {r.ended}"]
        if r.overlaps:
            lines.append(f"overlapped by {r.overlap_text}")
        for line in lines:
            for part in wrapped(line, console.width, 6):
                emit(console, Text(printable("      " + part)))


def render_csv(report: Report, out: TextIO) -> None:
    rows = timeline_rows(report)
    names = list(rows[0]) if rows else ["vr", "router", "start", "end"]
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else csv_cell(v) for k, v in row.items()})


def render_json(report: Report, out: TextIO) -> None:
    doc = {
        "virtual_routers": [
            {
                "id": vr.id,
                "protocol": vr.protocol,
                "vrid": vr.vrid,
                "family": vr.family,
                "masters": [m.as_dict(vr.protocol) for m in vr.masters],
                "failovers": [f.as_dict(vr.protocol) for f in vr.failovers],
            }
            for vr in report.virtual_routers
        ]
    }
    json.dump(doc, out, indent=2)
    out.write("\n")
