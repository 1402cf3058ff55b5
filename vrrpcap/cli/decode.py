"""`vrrpcap decode`: every VRRP/CARP record of the captures, as a table, json/jsonl/csv (render/records.py)
or Parquet (render/parquet.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vrrpcap.cli.options import (
    Files,
    OutputOption,
    PartitionOption,
    ProgressOption,
    ReaderOption,
    SensorOption,
    TzOption,
    VridOption,
    parquet_options,
)
from vrrpcap.cli.options import Reader as ReaderName
from vrrpcap.cli.outputs import output_file, refuse_inputs
from vrrpcap.cli.run import advert_stream, warn_problems
from vrrpcap.errors import ExitCode, Interrupted

if TYPE_CHECKING:
    from vrrpcap.pipeline import AdvertStream
    from vrrpcap.render.records import AdvertWriter
    from vrrpcap.times import Zone


class DecodeFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def decode(
    files: Files,
    fmt: Annotated[
        DecodeFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="table for people; json, jsonl, csv or parquet (needs --output) for machines.",
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
    sensor: SensorOption = None,
    partition_by: PartitionOption = None,
    reader: ReaderOption = ReaderName.auto,
    progress: ProgressOption = None,
) -> None:
    """Decode every VRRP and CARP message, one record each.

    VRRP v2 and v3, IPv4 and IPv6, and CARP. Malformed packets are records too, with the reason in
    'malformed'. jsonl, csv and parquet stream: memory stays flat whatever the capture's size.
    """
    from vrrpcap.times import parse_zone

    by = parquet_options(fmt.value, output, sensor, partition_by)
    refuse_inputs(files, [("--output", output)])
    wanted = frozenset(vrid or ())
    with advert_stream(files, progress, reader.value) as stream:
        adverts = iter(stream)
        try:
            # The first step reads every input's header: a file that is no capture ends the run here,
            # before the output is opened (an existing file stays as it was, stdout gets nothing).
            first = next(adverts, None)
            with _writer(fmt, output, show_secrets, sensor, by, files, stream, parse_zone(tz)) as writer:
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


@contextmanager
def _writer(
    fmt: DecodeFormat,
    output: Path | None,
    show_secrets: bool,
    sensor: str | None,
    by: Sequence[str],
    files: Sequence[str],
    stream: AdvertStream,
    zone: Zone,
) -> Iterator[AdvertWriter]:
    if fmt is not DecodeFormat.parquet:
        from vrrpcap.render.records import make_writer

        with output_file(output) as target:
            yield make_writer(fmt.value, target.stream, show_secrets, target.terminal, zone)
        return
    from vrrpcap.cli.tree import output_tree
    from vrrpcap.render.arrow_schema import time_unit
    from vrrpcap.render.parquet import ParquetAdvertWriter, run_name

    assert output is not None  # parquet_options made it a usage error
    unit = time_unit(stream.captures.resolution())
    root, name = (output, run_name(files, sensor)) if by else (output.parent, output.name)
    with output_tree(root) as tree:
        yield ParquetAdvertWriter(tree.open, unit, show_secrets, sensor, by, name)  # type: ignore[arg-type]
