"""The options the commands share (typer Annotated aliases) and the checks that make bad values usage errors.

Light at import (typer, math, typing): every command module uses these, and `vrrpcap --help` must stay
fast. A bad value (`--vrid 300`, `--settle nan`, `--ignore VRRP-NOPE`) is rejected while the command line
is parsed, with click's usage message and exit code 2, before any capture is opened.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from vrrpcap.analysis import Options
    from vrrpcap.findings import Severity

FILES_HELP = (
    "Capture files: pcap or pcapng, optionally gzip/bzip2/xz compressed; '-' reads stdin."
    " Several files are merged by timestamp."
)


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"

    @property
    def severity(self) -> Severity | None:
        """The least severity that fails the run; None: nothing does."""
        from vrrpcap.findings import Severity

        return None if self is FailOn.never else Severity.parse(self.value)


def check_vrids(values: list[int] | None) -> list[int] | None:
    # VRID 0 is not valid on the wire, but the decoder keeps such adverts as malformed records: they
    # can be selected. Anything outside a byte can never match and is a typo.
    for value in values or ():
        if not 0 <= value <= 255:
            raise typer.BadParameter(f"{value} is not a VRID (0-255)")
    return values


def check_codes(values: list[str] | None) -> list[str] | None:
    """The --ignore codes, upper-cased; an unknown one is a usage error (a typo must not pass a gate)."""
    if values is None:
        return None
    from vrrpcap.findings import CODES

    wanted = [value.upper() for value in values]
    unknown = sorted(set(wanted) - set(CODES))
    if unknown:
        raise typer.BadParameter(f"unknown finding code(s) {', '.join(unknown)} (see docs/findings.md)")
    return wanted


def finite(minimum: float, *, above: bool = False) -> Callable[[float | None], float | None]:
    """A check for a number option: finite and >= minimum (> minimum when ``above``)."""
    relation = ">" if above else ">="

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        if not math.isfinite(value) or value < minimum or (above and value == minimum):
            raise typer.BadParameter(f"{value:g} is not a finite number {relation} {minimum:g}")
        return value

    return check


def check_zone(value: str) -> str:
    """--tz: UTC, local or an IANA zone name (Europe/Berlin); anything else is a usage error."""
    from vrrpcap.times import parse_zone

    try:
        parse_zone(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


Files = Annotated[list[str], typer.Argument(help=FILES_HELP, metavar="FILE", show_default=False)]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="OUT", help="Write here instead of stdout ('-': stdout).")
]
VridOption = Annotated[
    list[int] | None,
    typer.Option(
        "--vrid", metavar="VRID", callback=check_vrids, help="Only this VRID, 0-255 (repeat the option for several)."
    ),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore",
        metavar="CODE",
        callback=check_codes,
        help="Leave out this finding code, e.g. VRRP-CLEARTEXT-PASSWORD (repeat for several).",
    ),
]
SettleOption = Annotated[
    float,
    typer.Option(
        "--settle",
        metavar="INTERVALS",
        callback=finite(0.0),
        help="Overlap of masters longer than this many advert intervals is a split brain.",
    ),
]
MissedOption = Annotated[
    float,
    typer.Option(
        "--missed-factor",
        metavar="FACTOR",
        callback=finite(1.0),
        help="A gap longer than this many intervals counts as missed adverts (at least 1).",
    ),
]
FlapOption = Annotated[
    float,
    typer.Option(
        "--flap-window",
        metavar="SECONDS",
        callback=finite(0.0, above=True),
        help="Seconds in which more than 3 master changes count as flapping.",
    ),
]


def check_jobs(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} is not a number of processes >= 1")
    return value


class Reader(StrEnum):
    auto = "auto"
    native = "native"
    tshark = "tshark"


JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        callback=check_jobs,
        help="Processes: decode files and analyze shards of virtual routers in parallel; 1: one process"
        " [default: the cores, for two or more files of 64 MB or more together, mostly other traffic].",
        show_default=False,
    ),
]
ReaderOption = Annotated[
    Reader,
    typer.Option(
        "--reader",
        metavar="READER",
        help="auto: pcap/pcapng read by vrrpcap, any other format through tshark (pyshark); "
        "tshark: every file through tshark; native: vrrpcap's reader only.",
        case_sensitive=False,
    ),
]


class PartitionBy(StrEnum):
    date = "date"
    sensor = "sensor"


SensorOption = Annotated[
    str | None,
    typer.Option("--sensor", metavar="NAME", help="With -f parquet: this name in every row (the capture point)."),
]
PartitionOption = Annotated[
    list[PartitionBy] | None,
    typer.Option(
        "--partition-by",
        metavar="KEY",
        help="With -f parquet: a hive-style dataset under --output, by date (UTC day) or sensor (repeat"
        " for both, outermost first).",
        case_sensitive=False,
    ),
]


def parquet_options(
    fmt: str, output: Path | None, sensor: str | None, partition: list[PartitionBy] | None
) -> tuple[str, ...]:
    """The partition keys, after the checks that make misuse a usage error (exit 2)."""
    by = tuple(dict.fromkeys(p.value for p in partition or ()))
    if fmt != "parquet":
        if sensor is not None or by:
            raise typer.BadParameter("needs -f parquet", param_hint="'--sensor' / '--partition-by'")
        return by
    if output is None or str(output) == "-":
        raise typer.BadParameter("Parquet is written to files: give --output", param_hint="'-f parquet'")
    if "sensor" in by and not sensor:
        raise typer.BadParameter("partitioning by sensor needs --sensor NAME", param_hint="'--partition-by'")
    return by


ProgressOption = Annotated[
    bool | None,
    typer.Option("--progress/--no-progress", help="Progress bar on stderr [default: when it is a terminal]."),
]


def fail_on_option(what: str) -> object:
    """The --fail-on option; ``what`` ends its help ("remains", "was seen")."""
    return typer.Option(
        "--fail-on",
        metavar="LEVEL",
        help=f"error, warning, info or never: exit 1 when a finding of this severity or worse {what}.",
    )


def analyzer_options(settle: float, missed_factor: float, flap_window: float) -> Options:
    from vrrpcap.analysis import Options

    return Options(settle_intervals=settle, missed_factor=missed_factor, flap_window=flap_window)


TzOption = Annotated[
    str,
    typer.Option(
        "--tz",
        metavar="ZONE",
        callback=check_zone,
        help="Show times in UTC, local (this machine's zone) or a zone such as Europe/Berlin.",
    ),
]
VerboseOption = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="List every finding (text and markdown group them per code and router)."),
]


def check_vantages(values: list[str] | None) -> list[str] | None:
    """--vantage NAME=CAPTURE: a name and a capture each, no name twice, no capture twice."""
    import os

    names: set[str] = set()
    paths: set[str] = set()
    for value in values or ():
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise typer.BadParameter(f"{value!r} is not NAME=CAPTURE (e.g. bridge=switch.pcap)")
        if name in names:
            raise typer.BadParameter(f"the vantage name {name!r} is given twice")
        real = path if path == "-" else os.path.realpath(path)
        if real in paths:
            raise typer.BadParameter(f"{path!r} is given for two vantage points")
        names.add(name)
        paths.add(real)
    return values


VantageOption = Annotated[
    list[str] | None,
    typer.Option(
        "--vantage",
        metavar="NAME=CAPTURE",
        callback=check_vantages,
        help="A capture of the segment taken at the point NAME (repeat for each point, instead of FILE...): "
        "each advert is analysed once, and the adverts a point missed are reported (docs/usage.md).",
        show_default=False,
    ),
]
AuditFiles = Annotated[list[str] | None, typer.Argument(help=FILES_HELP, metavar="FILE", show_default=False)]


def vantage_inputs(files: list[str] | None, vantages: list[str] | None) -> tuple[list[str], tuple[str, ...]]:
    """The captures to read and their vantage names (none without --vantage); FILE... or --vantage."""
    if files and vantages:
        raise typer.BadParameter("give capture files or --vantage NAME=CAPTURE, not both", param_hint="'FILE...'")
    if vantages:
        pairs = [value.partition("=") for value in vantages]
        return [path for _, _, path in pairs], tuple(name for name, _, _ in pairs)
    if not files:
        raise typer.BadParameter("give capture files (or --vantage NAME=CAPTURE)", param_hint="'FILE...'")
    return files, ()
