"""`vrrpcap decode`: every VRRP/CARP record of the captures, as a table or json/jsonl/csv (render/records.py)."""

from __future__ import annotations

from enum import StrEnum
from itertools import chain
from typing import Annotated

import typer

from vrrpcap.cli.options import Files, OutputOption, ProgressOption, TzOption, VridOption
from vrrpcap.cli.outputs import output_file, refuse_inputs
from vrrpcap.cli.run import advert_stream, warn_problems
from vrrpcap.errors import ExitCode, Interrupted


class DecodeFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def decode(
    files: Files,
    fmt: Annotated[
        DecodeFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="table for people; json, jsonl or csv for machines.",
            case_sensitive=False,
        ),
    ] = DecodeFormat.table,
    output: OutputOption = None,
    vrid: VridOption = None,
    show_secrets: Annotated[
        bool,
        typer.Option("--show-secrets", help="Print VRRPv2 simple-auth passwords instead of redacting them."),
    ] = False,
    tz: TzOption = "UTC",
    progress: ProgressOption = None,
) -> None:
    """Decode every VRRP and CARP message, one record each.

    VRRP v2 and v3, IPv4 and IPv6, and CARP. Malformed packets are records too, with the reason in
    'malformed'. jsonl and csv stream: memory stays flat whatever the capture's size.
    """
    from vrrpcap.render.records import make_writer
    from vrrpcap.times import parse_zone

    refuse_inputs(files, [("--output", output)])
    wanted = frozenset(vrid or ())
    with advert_stream(files, progress) as stream:
        adverts = iter(stream)
        try:
            # The first step reads every input's header: a file that is no capture ends the run here,
            # before the output is opened (an existing file stays as it was, stdout gets nothing).
            first = next(adverts, None)
            with output_file(output) as target:
                writer = make_writer(fmt.value, target.stream, show_secrets, target.terminal, parse_zone(tz))
                for advert in chain(() if first is None else (first,), adverts):
                    if not wanted or advert.vrid in wanted:
                        writer.write(advert)
                writer.close(stream.inputs())
        except KeyboardInterrupt:
            raise Interrupted() from None
        warn_problems(stream)
        damaged = stream.captures.damaged
    if damaged:
        raise typer.Exit(int(ExitCode.DAMAGED_CAPTURE))
