"""Command-line options shared by the commands (typer Annotated aliases), and their checks.

Light at import (typer, pathlib, typing): every command module uses these, and `vrrpcap --help`
must stay fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

FILES_HELP = (
    "Capture files: pcap or pcapng, optionally gzip/bzip2/xz compressed; '-' reads stdin."
    " Several files are merged by timestamp."
)


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


Files = Annotated[list[str], typer.Argument(help=FILES_HELP, metavar="FILE...")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")]
VridOption = Annotated[
    list[int] | None, typer.Option("--vrid", help="Only these VRIDs (repeat the option for several).")
]
IgnoreOption = Annotated[
    list[str] | None, typer.Option("--ignore", help="Leave out this finding code (repeat for several).")
]
SettleOption = Annotated[
    float, typer.Option("--settle", help="Overlap of masters longer than this many advert intervals is a split brain.")
]
MissedOption = Annotated[
    float, typer.Option("--missed-factor", help="A gap longer than this many intervals counts as missed adverts.")
]
FlapOption = Annotated[
    float, typer.Option("--flap-window", help="Seconds in which more than 3 master changes count as flapping.")
]
ProgressOption = Annotated[
    bool | None,
    typer.Option("--progress/--no-progress", help="Progress bar on stderr [default: when it is a terminal]."),
]


def finding_codes(codes: list[str] | None) -> frozenset[str]:
    """The --ignore codes, upper-cased; an unknown code is a usage error."""
    from vrrpcap.errors import ExitCode, VrrpcapError
    from vrrpcap.findings import CODES

    wanted = frozenset(c.upper() for c in codes or ())
    unknown = sorted(wanted - set(CODES))
    if unknown:
        raise VrrpcapError(f"unknown finding code(s): {', '.join(unknown)} (see docs/findings.md)", ExitCode.USAGE)
    return wanted
