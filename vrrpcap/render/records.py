"""Advert records as decode prints them: table (people), json, jsonl, csv (machines).

Each writer takes adverts one at a time and holds none of them, so output of any size streams. Strings
from the capture are data: the table shows control characters as escapes, CSV cells that would start a
spreadsheet formula are neutralised, JSON escapes what it must by itself.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Sequence
from typing import Protocol, TextIO

from vrrpcap.decode import FIELD_NAMES, Advert, advert_to_dict, auth_data_text
from vrrpcap.render.escape import csv_cell, printable
from vrrpcap.report.model import InputSummary
from vrrpcap.times import UTC_ZONE, Zone, wall


class AdvertWriter(Protocol):
    def write(self, advert: Advert) -> None: ...

    def close(self, inputs: Sequence[InputSummary]) -> None: ...


def clock(epoch: float, zone: Zone = UTC_ZONE) -> str:
    """Wall-clock time with microseconds, as people read capture timestamps (raw epoch seconds when a
    corrupt timestamp lies outside the calendar)."""
    return wall(epoch, zone, digits=6)


def _is_pipe_or_terminal(out: TextIO) -> bool:
    try:
        return not stat.S_ISREG(os.fstat(out.fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):
        return False


class JsonLinesWriter:
    def __init__(self, out: TextIO, show_secrets: bool) -> None:
        self.out = out
        self.show_secrets = show_secrets
        # Into a pipe, each record goes out at once (live use); into a file, buffering is faster.
        self.flush_each = _is_pipe_or_terminal(out)

    def write(self, advert: Advert) -> None:
        self.out.write(json.dumps(advert_to_dict(advert, self.show_secrets)) + "\n")
        if self.flush_each:
            self.out.flush()

    def close(self, inputs: Sequence[InputSummary]) -> None:
        self.out.flush()


class JsonWriter:
    """One JSON document, ``{"adverts": [...], "inputs": [...]}``, written as the adverts arrive."""

    def __init__(self, out: TextIO, show_secrets: bool) -> None:
        self.out = out
        self.show_secrets = show_secrets
        self.count = 0
        out.write('{"adverts": [')

    def write(self, advert: Advert) -> None:
        self.out.write(("\n  " if self.count == 0 else ",\n  ") + json.dumps(advert_to_dict(advert, self.show_secrets)))
        self.count += 1

    def close(self, inputs: Sequence[InputSummary]) -> None:
        self.out.write('\n], "inputs": ' + json.dumps([i.as_dict() for i in inputs], indent=2) + "}\n")
        self.out.flush()


def _csv_value(value: object) -> object:
    if isinstance(value, tuple | list):
        return csv_cell(";".join(str(v) for v in value))
    return "" if value is None else csv_cell(value)


class CsvWriter:
    """RFC 4180 CSV; list fields (VLANs, addresses, notes) are joined with ';'."""

    def __init__(self, out: TextIO, show_secrets: bool) -> None:
        self.out = out
        self.show_secrets = show_secrets
        self.writer = csv.writer(out, lineterminator="\n")
        self.writer.writerow(FIELD_NAMES)

    def write(self, advert: Advert) -> None:
        row = advert_to_dict(advert, self.show_secrets)
        self.writer.writerow([_csv_value(row[name]) for name in FIELD_NAMES])

    def close(self, inputs: Sequence[InputSummary]) -> None:
        self.out.flush()


TABLE_COLUMNS = (
    ("frame", 6),
    ("time", 26),
    ("source", 26),
    ("source MAC", 17),
    ("destination", 18),
    ("ttl", 3),
    ("v", 2),
    ("vrid", 4),
    ("prio", 4),
    ("int", 6),
    ("auth", 9),
    ("cksum", 11),
    ("addresses / problems", 0),
)


class TableWriter:
    """Fixed-width rows, printed as they come (a capture can hold millions of adverts, so no
    table is built in memory); malformed rows in red on a terminal."""

    def __init__(self, out: TextIO, show_secrets: bool, color: bool, zone: Zone = UTC_ZONE) -> None:
        from rich.console import Console

        # soft_wrap: rich never folds a line (a terminal may wrap it; nothing is cut).
        self.console = Console(
            file=out, highlight=False, soft_wrap=True, force_terminal=color or None, no_color=not color
        )
        self.show_secrets = show_secrets
        self.zone = zone
        self.count = 0
        names = [(f"time ({zone.name})" if name == "time" else name, width) for name, width in TABLE_COLUMNS]
        header = "  ".join(name.ljust(width) if width else name for name, width in names)
        self.console.print(header, style="bold", markup=False)

    def _cells(self, a: Advert) -> list[str]:
        source = f"{a.src} (quoted by {a.icmp_from})" if a.kind == "icmp-quote" else a.src
        if a.vlan:
            source = f"{source} vlan {'.'.join(map(str, a.vlan))}"
        auth = a.auth or ""
        detail = " ".join(a.addresses)
        secret = auth_data_text(a, self.show_secrets)
        if secret and a.auth_type == 1:
            detail += f"  password {secret}"
        if a.kind == "carp":
            detail = f"CARP advskew {a.advskew} demotion {a.demotion}"
        if a.malformed:
            detail = f"MALFORMED: {a.malformed}" + (f" | {detail}" if detail else "")
        if a.notes:
            detail += "  (" + "; ".join(a.notes) + ")"
        interval = "" if a.interval is None else f"{a.interval:g}s"
        return [
            str(a.frame),
            clock(a.time, self.zone),
            source,
            a.src_mac or "",
            f"{a.dst} {a.delivery[0]}",
            str(a.ttl),
            "" if a.version is None else str(a.version),
            _blank(a.vrid),
            _blank(a.priority),
            interval,
            auth,
            a.checksum,
            detail,
        ]

    def write(self, advert: Advert) -> None:
        cells = self._cells(advert)
        line = "  ".join(
            cell.ljust(width) if width else cell for cell, (_, width) in zip(cells, TABLE_COLUMNS, strict=True)
        )
        # A password (--show-secrets), an interface in a note: data, never terminal controls.
        self.console.print(printable(line), style="red" if advert.malformed else None, markup=False)
        self.count += 1

    def close(self, inputs: Sequence[InputSummary]) -> None:
        for item in inputs:
            span = ""
            if item.first_time is not None:
                last = item.last_time or item.first_time
                span = f", {clock(item.first_time, self.zone)} to {clock(last, self.zone)}"
            drops = f", capture dropped {item.capture_drops}" if item.capture_drops else ""
            self.console.print(
                printable(f"{item.path}: {item.packets} frames, {item.adverts} VRRP/CARP records{span}{drops}"),
                style="dim",
                markup=False,
            )


def _blank(value: int | None) -> str:
    return "" if value is None else str(value)


def make_writer(fmt: str, out: TextIO, show_secrets: bool, color: bool, zone: Zone = UTC_ZONE) -> AdvertWriter:
    if fmt == "json":
        return JsonWriter(out, show_secrets)
    if fmt == "jsonl":
        return JsonLinesWriter(out, show_secrets)
    if fmt == "csv":
        return CsvWriter(out, show_secrets)
    return TableWriter(out, show_secrets, color, zone)
