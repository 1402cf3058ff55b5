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
