"""Every recording's daemon configs, kept next to its capture: ``pcaps/<name>.configs/``.

Per router: ``<router>.conf``, the file the daemon read (keepalived.conf, or FRR's vrrpd.conf), and
``<router>.cmdline``, the command line(s) it ran with (ucarp has no config file: its command line
is its configuration). Everything follows from the scenario (lab/scenarios*.py) and the run's
prefix (the truth file's ``lab.prefix``): interface names carry the prefix, and the run dir is
``/run/vrrpcap-lab-<prefix>``. So the configs can be rendered again without recording, and a
test holds the committed ones against what the lab renders today.

``python -m lab.configs [--out pcaps] [--check]`` (re)writes them for every truth file in ``--out``,
or with ``--check`` only says which differ.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from lab.frr import frr_argv, frr_configs, frr_dir
from lab.keepalived import KeepalivedFiles, keepalived_config
from lab.netns import LabError, make_router, run_dir_path
from lab.runner import Scenario
from lab.ucarp import UcarpFiles

SUFFIXES = (".conf", ".cmdline")


def configs_dir(out: Path, scenario: str) -> Path:
    return out / f"{scenario}.configs"


def scenario_configs(sc: Scenario, prefix: str) -> dict[str, str]:
    """File name -> text of every router's config and command line in the run with ``prefix``."""
    rundir = run_dir_path(prefix)
    out: dict[str, str] = {}
    for index, name in enumerate(sc.routers, start=1):
        router = make_router(prefix, index, name)
        if name in sc.ucarp:
            out[f"{name}.cmdline"] = shlex.join(UcarpFiles(rundir, name).argv(router, sc.ucarp[name])) + "\n"
        elif name in sc.frr:
            out[f"{name}.conf"] = frr_configs(router, sc.frr[name], rundir)["vrrpd.conf"]
            directory = frr_dir(rundir, name)
            out[f"{name}.cmdline"] = "".join(shlex.join(frr_argv(directory, d)) + "\n" for d in ("zebra", "vrrpd"))
        elif sc.instances.get(name):
            files = KeepalivedFiles(rundir, name)
            out[f"{name}.conf"] = keepalived_config(router, sc.instances[name], sc.scripts.get(name, {}), files)
            out[f"{name}.cmdline"] = shlex.join(files.argv()) + "\n"
    return out


def check_configs(sc: Scenario, prefix: str, rundir: Path) -> None:
    """The config files the daemons of a run really read are the ones rendered here."""
    for file, text in scenario_configs(sc, prefix).items():
        if not file.endswith(".conf"):
            continue
        name = file.removesuffix(".conf")
        used = frr_dir(rundir, name) / "vrrpd.conf" if name in sc.frr else KeepalivedFiles(rundir, name).conf
        if used.read_text() != text:
            raise LabError(f"{sc.name}: {used} is not what lab.configs renders for {name}")


def write_configs(sc: Scenario, prefix: str, out: Path) -> Path:
    """Write ``out/<name>.configs/`` (and remove config files of routers no longer there)."""
    folder = configs_dir(out, sc.name)
    folder.mkdir(parents=True, exist_ok=True)
    wanted = scenario_configs(sc, prefix)
    for stale in folder.iterdir():
        if stale.name.endswith(SUFFIXES) and stale.name not in wanted:
            stale.unlink()
    for file, text in wanted.items():
        path = folder / file
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return folder


def differences(sc: Scenario, prefix: str, out: Path) -> list[str]:
    """Files in ``out/<name>.configs/`` that differ from what the lab renders (empty: none)."""
    folder = configs_dir(out, sc.name)
    wanted = scenario_configs(sc, prefix)
    have = {p.name for p in folder.iterdir() if p.name.endswith(SUFFIXES)} if folder.is_dir() else set()
    problems = [f"{sc.name}: {name} missing" for name in sorted(set(wanted) - have)]
    problems += [f"{sc.name}: {name} is not the lab's" for name in sorted(have - set(wanted))]
    same = sorted(have & set(wanted))
    problems += [f"{sc.name}: {name} differs" for name in same if (folder / name).read_text() != wanted[name]]
    return problems


def main(argv: list[str] | None = None) -> int:
    from lab.scenarios import SCENARIOS

    parser = argparse.ArgumentParser(prog="python -m lab.configs", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("pcaps"), help="default: pcaps/")
    parser.add_argument("--check", action="store_true", help="write nothing, list differences")
    args = parser.parse_args(argv)
    problems: list[str] = []
    for truth_path in sorted(args.out.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text())
        sc = SCENARIOS.get(truth["scenario"])
        if sc is None:
            problems.append(f"{truth_path.name}: scenario {truth['scenario']} is not in lab.scenarios")
            continue
        prefix = str(truth["lab"]["prefix"])
        if args.check:
            problems += differences(sc, prefix, args.out)
        else:
            print(write_configs(sc, prefix, args.out))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
