"""Timelines as a table (people) or CSV/JSON rows (machines): one row per mastership run."""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from vrrpcap.render.common import clock, duration
from vrrpcap.report import Report


def timeline_rows(report: Report) -> list[dict[str, Any]]:
    rows = []
    for vr in report.virtual_routers:
        changes = {(f.to_router, round(f.time, 6)): f for f in vr.failovers}
        for m in vr.masters:
            f = changes.get((m.router, round(m.start, 6)))
            rows.append(
                {
                    "vr": vr.id,
                    "router": m.router,
                    "start": m.start,
                    "end": m.end,
                    "duration_s": m.end - m.start,
                    "start_observed": m.start_observed,
                    "end_observed": m.end_observed,
                    "end_cause": m.end_cause,
                    "adverts": m.adverts,
                    "priority_min": m.priority_min,
                    "priority_max": m.priority_max,
                    "took_over_from": f.from_router if f else None,
                    "failover_cause": f.cause if f else None,
                    "takeover_s": f.takeover_s if f else None,
                }
            )
    return rows


def render_table(report: Report, out: TextIO, color: bool) -> None:
    console = Console(file=out, force_terminal=color or None, no_color=not color, width=160, highlight=False)
    for vr in report.virtual_routers:
        table = Table(title=f"{vr.id}  [{' '.join(vr.vips)}]", title_justify="left")
        for column in ("master", "from", "to", "for", "adverts", "priority", "how it began", "how it ended"):
            table.add_column(column)
        for row in timeline_rows(report):
            if row["vr"] != vr.id:
                continue
            began = "before the capture" if not row["start_observed"] else "first advert"
            if row["failover_cause"]:
                began = f"{row['failover_cause']} from {row['took_over_from']} in {row['takeover_s']:.2f} s"
            ended = row["end_cause"] if row["end_observed"] else "still master at the end"
            prio = (
                str(row["priority_max"])
                if row["priority_min"] == row["priority_max"]
                else f"{row['priority_min']}-{row['priority_max']}"
            )
            table.add_row(
                row["router"],
                clock(row["start"]),
                clock(row["end"]),
                duration(row["duration_s"]),
                str(row["adverts"]),
                prio,
                began,
                ended,
            )
        console.print(table)


def render_csv(report: Report, out: TextIO) -> None:
    rows = timeline_rows(report)
    names = list(rows[0]) if rows else ["vr", "router", "start", "end"]
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def render_json(report: Report, out: TextIO) -> None:
    doc = {
        "virtual_routers": [
            {
                "id": vr.id,
                "vrid": vr.vrid,
                "family": vr.family,
                "masters": [m.as_dict() for m in vr.masters],
                "failovers": [f.as_dict() for f in vr.failovers],
            }
            for vr in report.virtual_routers
        ]
    }
    json.dump(doc, out, indent=2)
    out.write("\n")
