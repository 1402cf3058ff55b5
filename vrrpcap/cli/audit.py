"""`vrrpcap audit`: virtual routers, masters, failovers and findings; with --fail-on, a CI gate."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vrrpcap.cli.lint import ConfigIdOption, read_configs
from vrrpcap.cli.options import (
    AuditFiles,
    FailOn,
    FlapOption,
    IgnoreOption,
    JobsOption,
    MissedOption,
    OutputOption,
    PartitionOption,
    ProgressOption,
    ReaderOption,
    SensorOption,
    SettleOption,
    TzOption,
    VantageOption,
    VerboseOption,
    VridOption,
    analyzer_options,
    fail_on_option,
    parquet_options,
    vantage_inputs,
)
from vrrpcap.cli.options import Reader as ReaderName
from vrrpcap.cli.outputs import Target, output_file, refuse_inputs
from vrrpcap.cli.run import analyze_files, measure_files, verdict

if TYPE_CHECKING:
    from vrrpcap.config import AnyConfig
    from vrrpcap.findings import Severity
    from vrrpcap.report import Report
    from vrrpcap.times import Zone


@dataclass(frozen=True, slots=True)
class Rendering:
    """How the audit is written, besides its format."""

    zone: Zone
    verbose: bool
    sarif_root: Path
    sarif_docs: str | None


class AuditFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    sarif = "sarif"
    markdown = "markdown"
    openmetrics = "openmetrics"
    prometheus = "prometheus"  # the text format node_exporter's textfile collector reads
    parquet = "parquet"


def audit(
    files: AuditFiles = None,
    fmt: Annotated[
        AuditFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="text for people; json, junit, sarif, markdown for machines; parquet (tables in the --output "
            "directory); openmetrics, or prometheus for node_exporter's textfile collector (docs/metrics.md).",
        ),
    ] = AuditFormat.text,
    output: OutputOption = None,
    fail_on: Annotated[FailOn, fail_on_option("remains")] = FailOn.error,
    ignore: IgnoreOption = None,
    vrid: VridOption = None,
    settle: SettleOption = 3.0,
    missed_factor: MissedOption = 1.5,
    flap_window: FlapOption = 60.0,
    tz: TzOption = "UTC",
    verbose: VerboseOption = False,
    sarif_root: Annotated[
        Path | None,
        typer.Option(
            "--sarif-root",
            metavar="DIR",
            help="SARIF: capture paths relative to this directory, the repository checkout [default: .].",
            show_default=False,
        ),
    ] = None,
    sarif_docs: Annotated[
        str | None,
        typer.Option(
            "--sarif-docs",
            metavar="URL",
            help="SARIF: the rules' help links point into this copy of docs/findings.md.",
            show_default=False,
        ),
    ] = None,
    jobs: JobsOption = None,
    reader: ReaderOption = ReaderName.auto,
    sensor: SensorOption = None,
    partition_by: PartitionOption = None,
    progress: ProgressOption = None,
    config: Annotated[
        list[str] | None,
        typer.Option(
            "--config",
            metavar="PATH[=ADDRESS]",
            help="keepalived/FRR config (file or directory) held against the wire; FILE=ADDRESS pins a file "
            "to the router address that runs it (repeat for several; docs/config.md).",
            show_default=False,
        ),
    ] = None,
    config_id: ConfigIdOption = None,
    vantage: VantageOption = None,
) -> None:
    """Virtual routers, masters, failovers and findings.

    The exit code makes it a CI gate: 1 when a finding at or above --fail-on remains after --ignore,
    5 when a capture is damaged (what came before the damage is still audited), 6 when the output
    cannot be written, 0 otherwise.
    """
    files, vantages = vantage_inputs(files, vantage)
    by = parquet_options(fmt.value, output, sensor, partition_by)
    refuse_inputs(files, [("--output", output)])
    options = analyzer_options(settle, missed_factor, flap_window)
    ignored, vrids = frozenset(ignore or ()), frozenset(vrid or ())
    gate = fail_on.severity
    if vantages:  # the copies of one advert are matched across all captures at once: one stream, no shards
        _vantage_alone(fmt, jobs)
    if fmt in (AuditFormat.openmetrics, AuditFormat.prometheus):
        text, analysis = measure_files(files, options, progress, fmt is AuditFormat.openmetrics, ignored, vrids)
        report = analysis.report.filtered(ignored, vrids)
        with output_file(output) as target:  # a temporary file renamed over the target: never half a file
            target.stream.write(text)
        raise typer.Exit(int(verdict(report, analysis.damaged, gate)))
    held = _configs(config, config_id) if config else None
    analysis = analyze_files(files, options, progress, jobs, reader.value, vantages)
    report = analysis.report
    if held is not None:
        from vrrpcap.config.wire import held_against

        report = held_against(report, *held)
    report = report.filtered(ignored, vrids)
    from vrrpcap.times import parse_zone

    if fmt is AuditFormat.parquet:
        assert output is not None  # parquet_options made it a usage error
        _tables(report, output, analysis.resolution, sensor, by, files)
    else:
        how = Rendering(parse_zone(tz), verbose, sarif_root or Path.cwd(), sarif_docs)
        with output_file(output) as target:
            render(report, fmt, target, gate, how)
    raise typer.Exit(int(verdict(report, analysis.damaged, gate)))


def _vantage_alone(fmt: AuditFormat, jobs: int | None) -> None:
    if (jobs or 1) > 1:
        raise typer.BadParameter("--vantage captures are aligned in one process: no -j, or -j 1", param_hint="'-j'")
    if fmt in (AuditFormat.openmetrics, AuditFormat.prometheus):
        raise typer.BadParameter(f"{fmt.value} is not made from --vantage captures", param_hint="'--format'")


def _configs(paths: list[str], config_id: str | None) -> tuple[list[AnyConfig], dict[str, list[str]]]:
    """The configs and the addresses pinned to files (``FILE=ADDRESS``), read before any capture."""
    import ipaddress

    names: list[str] = []
    pinned: dict[str, list[str]] = {}
    for value in paths:
        name, _, address = value.rpartition("=")
        try:
            ip = str(ipaddress.ip_address(address)) if name else None
        except ValueError:
            ip = None
        if ip is None:
            names.append(value)
        else:
            names.append(name)
            pinned.setdefault(name, []).append(ip)
    return read_configs(names, config_id), pinned


def _tables(
    report: Report, output: Path, resolution: float, sensor: str | None, by: tuple[str, ...], files: list[str]
) -> None:
    from vrrpcap.cli.tree import output_tree
    from vrrpcap.render.arrow_schema import time_unit
    from vrrpcap.render.parquet import run_name, write_report

    with output_tree(output) as tree:
        write_report(tree.open, report, time_unit(resolution), sensor, by, run_name(files, sensor))  # type: ignore[arg-type]


def render(report: Report, fmt: AuditFormat, target: Target, gate: Severity | None, how: Rendering) -> None:
    out = target.stream
    if fmt is AuditFormat.json:
        import json

        # One write: json.dump writes token by token (220,000 writes for the dual-master benchmark's report).
        out.write(json.dumps(report.as_dict(), indent=2) + "\n")
    elif fmt is AuditFormat.junit:
        from vrrpcap.render.junit import render_junit

        render_junit(report, out, gate)
    elif fmt is AuditFormat.sarif:
        from vrrpcap import DOCS_URL
        from vrrpcap.render.sarif import render_sarif

        render_sarif(report, out, str(how.sarif_root), how.sarif_docs or DOCS_URL)
    elif fmt is AuditFormat.markdown:
        from vrrpcap.render.markdown import render_markdown

        render_markdown(report, out, how.zone, how.verbose)
    else:
        from vrrpcap.render.text import render_audit

        render_audit(report, out, target.terminal, zone=how.zone, verbose=how.verbose)
