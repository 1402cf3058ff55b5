"""The command line's contract: bad option values are usage errors, `report` is a gate too, help shows real
metavars and whole summaries, and the package's structure keeps `--help` light and free of import cycles."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PCAPS, ROOT
from vrrpcap.errors import ExitCode

SPLIT_BRAIN = PCAPS / "v2-split-brain.pcap"
STEADY = PCAPS / "v2-multicast-steady.pcap"
FAILOVER = PCAPS / "v2-failover-kill.pcap"  # two failovers: VRRP-FAILOVER, an info finding
PACKAGE = ROOT / "vrrpcap"
COMMANDS = ("decode", "audit", "timeline", "report", "live")

needs_lab = pytest.mark.skipif(not SPLIT_BRAIN.exists(), reason="lab captures not in pcaps/")


def vrrpcap(*args: str, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args], capture_output=True, text=True, timeout=120, check=False, env=env
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


# -- option values ---------------------------------------------------------------------------------------

BAD_VALUES = [
    ("audit", "--vrid", "300"),
    ("audit", "--vrid", "-1"),
    ("decode", "--vrid", "256"),
    ("timeline", "--vrid", "300"),
    ("report", "--vrid", "1000"),
    ("audit", "--settle", "-1"),
    ("timeline", "--settle", "-0.5"),
    ("audit", "--settle", "nan"),
    ("audit", "--settle", "inf"),
    ("report", "--settle", "NaN"),
    ("audit", "--missed-factor", "0"),
    ("audit", "--missed-factor", "0.5"),
    ("timeline", "--missed-factor", "inf"),
    ("audit", "--flap-window", "0"),
    ("audit", "--flap-window", "-inf"),
    ("audit", "--ignore", "VRRP-NOPE"),
    ("report", "--ignore", "VRRP-NOPE"),
]


@needs_lab
@pytest.mark.parametrize("args", BAD_VALUES, ids=" ".join)
def test_bad_option_values_are_usage_errors(tmp_path: Path, args: tuple[str, ...]) -> None:
    command, option, value = args
    extra = ["-o", str(tmp_path / "page.html")] if command == "report" else []
    done = vrrpcap(command, option, value, *extra, str(SPLIT_BRAIN))
    assert done.returncode == ExitCode.USAGE, done.stdout
    assert f"Invalid value for '{option}'" in done.stderr and value.upper() in done.stderr.upper()
    assert done.stdout == "" and not (tmp_path / "page.html").exists()


@pytest.mark.parametrize(
    "args",
    [("--duration", "nan"), ("--duration", "0"), ("--notify-timeout", "inf"), ("--count", "0"), ("--vrid", "-1")],
    ids=" ".join,
)
def test_live_rejects_bad_values_before_it_captures(args: tuple[str, str]) -> None:
    done = vrrpcap("live", "lo", *args)
    assert done.returncode == ExitCode.USAGE and f"Invalid value for '{args[0]}'" in done.stderr


@needs_lab
def test_boundary_values_are_accepted() -> None:
    done = vrrpcap(
        "audit", "-f", "json", "--settle", "0", "--missed-factor", "1", "--vrid", "51", "--vrid", "0", str(SPLIT_BRAIN)
    )
    assert done.returncode == ExitCode.FINDINGS, done.stderr
    report = json.loads(done.stdout)  # strict JSON: no NaN anywhere
    assert report["options"]["settle_intervals"] == 0 and report["options"]["missed_factor"] == 1
    assert vrrpcap("decode", "--vrid", "255", str(SPLIT_BRAIN)).returncode == ExitCode.OK


@needs_lab
def test_lower_case_ignore_codes_still_work() -> None:
    assert vrrpcap("audit", "--ignore", "vrrp-split-brain", str(SPLIT_BRAIN)).returncode == ExitCode.OK


# -- report as a gate ------------------------------------------------------------------------------------


@needs_lab
def test_report_fails_on_a_split_brain_when_asked(tmp_path: Path) -> None:
    page = tmp_path / "audit.html"
    done = vrrpcap("report", "--fail-on", "error", "-o", str(page), str(SPLIT_BRAIN))
    assert done.returncode == ExitCode.FINDINGS, done.stderr
    assert "VRRP-SPLIT-BRAIN" in page.read_text(encoding="utf-8")  # the page is written all the same
    ignored = vrrpcap("report", "--fail-on", "error", "--ignore", "VRRP-SPLIT-BRAIN", "-o", str(page), str(SPLIT_BRAIN))
    assert ignored.returncode == ExitCode.OK
    assert vrrpcap("report", "--fail-on", "warning", "-o", str(page), str(FAILOVER)).returncode == ExitCode.OK
    assert vrrpcap("report", "--fail-on", "info", "-o", str(page), str(FAILOVER)).returncode == ExitCode.FINDINGS
    assert vrrpcap("report", "-o", str(page), str(FAILOVER)).returncode == ExitCode.OK  # no gate unless asked


# -- help --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [60, 80, 200])
def test_command_summaries_are_whole(columns: int) -> None:
    import typer

    from vrrpcap.cli import app

    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    done = vrrpcap("--help", columns=columns)
    listing = done.stdout.split("Commands:", 1)[1]
    assert "..." not in listing and "\u2026" not in listing
    flat = " ".join(listing.split())
    for name in COMMANDS:
        summary = group.commands[name].short_help
        assert summary and f"{name} {summary}" in flat, (name, done.stdout)
        # The summary is the first line of the command's own help, so both read the same.
        assert (group.commands[name].help or "").splitlines()[0] == summary


METAVARS = {
    "decode": ["-f, --format FORMAT", "-o, --output OUT", "--vrid VRID"],
    "audit": [
        "-f, --format FORMAT",
        "-o, --output OUT",
        "--fail-on LEVEL",
        "--ignore CODE",
        "--vrid VRID",
        "--settle INTERVALS",
        "--missed-factor FACTOR",
        "--flap-window SECONDS",
    ],
    "timeline": ["--plot IMAGE", "--vrid VRID", "--settle INTERVALS"],
    "report": ["-o, --output HTML", "--fail-on LEVEL", "--ignore CODE"],
    "live": [
        *("--backend BACKEND", "--notify SCRIPT", "--notify-timeout SECONDS", "-w, --write PCAPNG", "-c, --count N"),
        *("--metrics [HOST:]PORT", "--metrics-max-series N", "--metrics-expiry SECONDS"),
    ],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_real_metavars(command: str) -> None:
    done = vrrpcap(command, "--help", columns=100)
    assert done.returncode == 0
    # audit's captures may come as --vantage NAME=CAPTURE instead
    argument = {"live": "IFACE...", "audit": "[FILE...]"}.get(command, "FILE...")
    assert done.stdout.splitlines()[0] == f"Usage: vrrpcap {command} [OPTIONS] {argument}"
    assert "<" not in done.stdout and "{" not in done.stdout, done.stdout  # no <list[str]>, <float>, {FILE...}
    assert f"\n  {argument}  " in done.stdout
    for shown in METAVARS[command]:
        assert shown in done.stdout, (shown, done.stdout)


def test_usage_errors_show_the_same_usage_line() -> None:
    done = vrrpcap("audit")
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.splitlines()[0] == "Usage: vrrpcap audit [OPTIONS] [FILE...]"


ALONE = [[command, *rest] for command in (*COMMANDS, "lint", "vrids") for rest in (["--help"], ["--nope"])]


@pytest.mark.parametrize("args", ALONE, ids=" ".join)
def test_a_command_run_alone_says_what_the_whole_app_says(args: list[str]) -> None:
    # run() builds only the command it is given (start-up); help and usage errors must not notice
    from typer.testing import CliRunner

    from vrrpcap.cli.app import _for, app

    alone, whole = _for(args), app
    assert alone is not whole and [c.name for c in alone.registered_commands] == [args[0]]
    said = [CliRunner().invoke(which, args, prog_name="vrrpcap", env={"COLUMNS": "100"}) for which in (alone, whole)]
    assert said[0].exit_code == said[1].exit_code != 1
    assert said[0].output == said[1].output and said[0].output.startswith("Usage: vrrpcap " + args[0])


@pytest.mark.parametrize("args", [["--help"], *([c, "--help"] for c in COMMANDS)], ids=" ".join)
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom vrrpcap.cli import app\n"
        f"r = CliRunner().invoke(app, {args!r})\nassert r.exit_code == 0, r.output\n"
        "heavy = {m.split('.')[0] for m in sys.modules} & {'matplotlib', 'pandas', 'scapy', 'rich', 'numpy'}\n"
        "ours = {m for m in sys.modules if m.startswith('vrrpcap.') and not m.startswith('vrrpcap.cli')}\n"
        "print(sorted(heavy | ours))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['vrrpcap.errors']"


# -- structure ---------------------------------------------------------------------------------------------


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_imports(tree: ast.AST) -> set[str]:
    """Modules imported when the code runs: at module level and inside functions, not under TYPE_CHECKING."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for other in node.orelse:
                visit(other)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {_module_of(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in _runtime_imports(ast.parse(path.read_text())) if m in files and m != name}
        for name, path in files.items()
    }


def test_the_command_line_is_in_no_import_cycle() -> None:
    graph = import_graph()
    assert "vrrpcap.cli.app" in graph and "vrrpcap.cli.run" in graph

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            for nxt in graph[node]:
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    cyclic = sorted(m for m in graph if m.startswith("vrrpcap.cli") and reaches(m, m))
    assert cyclic == []
    users = sorted(
        m
        for m, deps in graph.items()
        if not m.startswith("vrrpcap.cli") and any(d.startswith("vrrpcap.cli") for d in deps)
    )
    assert users == ["vrrpcap.__main__"]


def test_one_module_wires_captures_to_the_engine() -> None:
    graph = import_graph()
    wiring = {"vrrpcap.frames", "vrrpcap.pipeline", "vrrpcap.analysis.engine", "vrrpcap.analysis.Engine"}
    graph_with_names = {
        name: _runtime_imports(ast.parse((ROOT / Path(*name.split("."))).with_suffix(".py").read_text()))
        for name in graph
        if name.startswith("vrrpcap.cli.")
    }
    assert sorted(m for m, deps in graph_with_names.items() if deps & wiring) == ["vrrpcap.cli.run"]
