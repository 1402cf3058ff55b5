"""`vrrpcap lint CONFIG...`: the static checks of keepalived / FRR configurations, without a capture.

For CI on a repository of configs: each file (or each ``*.conf`` under a directory) is one router,
every finding points at its file and line, and the exit code and --fail-on work as for `audit`.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from vrrpcap.cli.options import FailOn, IgnoreOption, OutputOption, fail_on_option
from vrrpcap.cli.outputs import output_file
from vrrpcap.errors import ExitCode, InputUnavailable

if TYPE_CHECKING:
    from vrrpcap.config import AnyConfig
    from vrrpcap.findings import Finding, Severity

ConfigIdOption = Annotated[
    str | None,
    typer.Option(
        "--config-id",
        metavar="NAME",
        help="keepalived's -i: read `@NAME` lines, skip `@^NAME` ones [default: no id].",
        show_default=False,
    ),
]


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"


def read_configs(paths: list[str], config_id: str | None) -> list[AnyConfig]:
    """Parse the configs named on the command line; one that cannot be opened at all is exit 3 (an
    include that cannot be read is a finding of the file that includes it)."""
    for path in paths:
        if not os.path.exists(path):
            raise InputUnavailable(f"{path}: no such file or directory")
        if not os.path.isdir(path) and not os.access(path, os.R_OK):
            raise InputUnavailable(f"{path}: cannot read (permission denied)")
    from vrrpcap.config import load_configs

    configs = load_configs(paths, config_id=config_id)
    if not configs:
        raise InputUnavailable(f"{', '.join(paths)}: no configuration file (*.conf) found")
    return configs


def lint(
    configs: Annotated[
        list[str],
        typer.Argument(
            help="keepalived.conf or FRR files, or directories searched for *.conf; each file is one router.",
            metavar="CONFIG",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        LintFormat,
        typer.Option("--format", "-f", metavar="FORMAT", help="text for people; json, sarif, junit for machines."),
    ] = LintFormat.text,
    output: OutputOption = None,
    fail_on: Annotated[FailOn, fail_on_option("remains")] = FailOn.error,
    ignore: IgnoreOption = None,
    config_id: ConfigIdOption = None,
    sarif_root: Annotated[
        Path | None,
        typer.Option(
            "--sarif-root",
            metavar="DIR",
            help="SARIF: config paths relative to this directory, the repository checkout [default: .].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """The static checks of configurations: peers that disagree, VRID collisions, track weights...

    Each finding is VRRP-CONFIG-LINT (with its reason) or VRRP-CONFIG-PROBLEM (a line keepalived
    rejects or changes) at its file and line. Exit 1 when a finding at or above --fail-on remains
    after --ignore, 3 when a config cannot be read, 6 when the output cannot be written, 0 otherwise.
    """
    from vrrpcap.config.findings import static_findings

    parsed = read_configs(configs, config_id)
    ignored = frozenset(ignore or ())
    findings = [f for f in static_findings(parsed) if f.code not in ignored]
    gate = fail_on.severity
    with output_file(output) as target:
        write_findings(findings, [c.path for c in parsed], fmt, target.stream, gate, sarif_root or Path.cwd())
    worst = max((f.severity for f in findings), default=None)
    failed = gate is not None and worst is not None and worst >= gate
    raise typer.Exit(int(ExitCode.FINDINGS if failed else ExitCode.OK))


def write_findings(
    findings: list[Finding], paths: list[str], fmt: LintFormat, out: TextIO, gate: Severity | None, root: Path
) -> None:
    if fmt is LintFormat.json:
        import json

        from vrrpcap.report.report import SCHEMA_VERSION

        document = {"schema_version": SCHEMA_VERSION, "configs": paths, "findings": [f.as_dict() for f in findings]}
        json.dump(document, out, indent=2)
        out.write("\n")
    elif fmt is LintFormat.sarif:
        from vrrpcap import DOCS_URL
        from vrrpcap.render.sarif import render_findings_sarif

        render_findings_sarif(findings, paths, out, str(root), DOCS_URL)
    elif fmt is LintFormat.junit:
        from vrrpcap.analysis import Options
        from vrrpcap.render.junit import render_junit
        from vrrpcap.report import Report

        render_junit(Report((), [], findings, Options()), out, gate)
    else:
        render_text(findings, paths, out)


def render_text(findings: list[Finding], paths: list[str], out: TextIO) -> None:
    from vrrpcap.render.escape import printable

    for f in findings:
        where = str(f.locations[0]) if f.locations else "-"
        reason = f" ({f.reason})" if f.reason else ""
        out.write(printable(f"{where}: {f.severity.label} {f.code}{reason}: {f.message}") + "\n")
        for loc in f.locations[1:]:
            out.write(printable(f"    also {loc}") + "\n")
    counts = {s: sum(1 for f in findings if f.severity.label == s) for s in ("error", "warning", "info")}
    summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())
    out.write(f"{len(paths)} config{'s' if len(paths) != 1 else ''}: {summary}\n")
