"""The configs committed next to each recording (pcaps/<name>.configs/) are what the lab renders.

No root needed: the lab renders every router's keepalived.conf, FRR vrrpd.conf and command lines
from lab/scenarios*.py and the recording's prefix alone, byte for byte. A scenario edited after its
recording (a priority, a VIP, a new option) fails here until it is re-recorded or its configs are
regenerated (``python -m lab.configs``) on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.configs import SUFFIXES, configs_dir, scenario_configs
from lab.netns import make_router
from lab.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[2]
PCAPS = ROOT / "pcaps"
TRUTHS = sorted(PCAPS.glob("*.truth.json"))
IDS = [p.name.removesuffix(".truth.json") for p in TRUTHS]


def _truth(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.skipif(not TRUTHS, reason="no lab recordings in pcaps/")
@pytest.mark.parametrize("path", TRUTHS, ids=IDS)
def test_committed_configs_are_byte_identical(path: Path) -> None:
    truth = _truth(path)
    scenario = SCENARIOS[str(truth["scenario"])]
    lab = truth["lab"]
    assert isinstance(lab, dict)
    wanted = scenario_configs(scenario, str(lab["prefix"]))
    folder = configs_dir(PCAPS, scenario.name)
    committed = {p.name: p.read_text() for p in folder.iterdir() if p.name.endswith(SUFFIXES)}
    assert sorted(committed) == sorted(wanted)
    for name, text in wanted.items():
        assert committed[name] == text, f"{folder.name}/{name} is not what lab.configs renders"
    # One config per router that ran a daemon with a config file; a command line for every one.
    routers = {str(r["name"]) for r in truth["routers"]}  # type: ignore[attr-defined]
    assert {n.removesuffix(".cmdline") for n in committed if n.endswith(".cmdline")} == routers


@pytest.mark.skipif(not TRUTHS, reason="no lab recordings in pcaps/")
@pytest.mark.parametrize("path", TRUTHS, ids=IDS)
def test_scenario_still_describes_the_recording(path: Path) -> None:
    """The instances the truth file recorded are the ones the scenario configures today (keys a
    newer lab added, e.g. preempt_delay_s, are compared only where the recording has them)."""
    truth = _truth(path)
    scenario = SCENARIOS[str(truth["scenario"])]
    lab = truth["lab"]
    assert isinstance(lab, dict)
    routers = {name: make_router(str(lab["prefix"]), i, name) for i, name in enumerate(scenario.routers, 1)}
    rendered = [
        inst.to_json(routers[name], scenario.scripts.get(name, {}))
        for name in scenario.routers
        for inst in scenario.instances.get(name, [])
    ]
    rendered += [entry for name, vrs in scenario.frr.items() for vr in vrs for entry in vr.to_json(name)]
    recorded = truth["instances"]
    assert isinstance(recorded, list)
    assert len(recorded) == len(rendered)
    for old, new in zip(recorded, rendered, strict=True):
        assert {k: new[k] for k in old} == old
        assert all(new[k] in (None, False) for k in set(new) - set(old)), "a new key with a non-default value"
    carp = [v.to_json(routers[name]) for name, v in scenario.ucarp.items()]
    assert truth.get("carp_instances", []) == carp
