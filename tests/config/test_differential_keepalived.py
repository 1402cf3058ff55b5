"""The parser against keepalived itself: every configuration the lab generates and every crafted
one, run by keepalived 2.2 in a network namespace; keepalived's JSON and DATA dumps must agree
with vrrpcap.config on every field it extracts (root only; keepalived installed in set-up)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lab.scenarios import SCENARIOS
from tests.config.compare_keepalived import Comparison, compare
from tests.config.crafted import CRAFTED, probes
from tests.config.daemon_view import complaints
from tests.config.keepalived_runner import (
    NO_CONFIG_ID,
    Probe,
    ProbeResult,
    keepalived_available,
    lab_renderer,
    private_dir,
    run_probes,
)
from vrrpcap.config import parse_keepalived

SKIP = keepalived_available()
pytestmark = pytest.mark.skipif(SKIP is not None, reason=f"keepalived differential: {SKIP}")

LAB_SCENARIOS = [name for name, sc in SCENARIOS.items() if any(sc.instances.values())]
FATAL = {c.label for c in CRAFTED if c.fatal}


def _scenario_probes(name: str) -> list[Probe]:
    sc = SCENARIOS[name]
    return [
        Probe(f"{name}/{router}", lab_renderer(sc.instances[router], sc.scripts.get(router, {})), router=router)
        for router in sc.routers
        if sc.instances.get(router)
    ]


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    base = private_dir()
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def lab_results(workdir: Path) -> dict[str, list[tuple[ProbeResult, Comparison]]]:
    def one(name: str) -> list[tuple[ProbeResult, Comparison]]:
        results = run_probes(_scenario_probes(name), workdir, routers=SCENARIOS[name].routers)
        return [(r, compare(parse_keepalived(r.conf), r)) for r in results]

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(LAB_SCENARIOS, pool.map(one, LAB_SCENARIOS), strict=True))


@pytest.fixture(scope="module")
def crafted_results(workdir: Path) -> list[tuple[ProbeResult, Comparison]]:
    results = run_probes(probes(CRAFTED), workdir)
    out = []
    for r in results:
        config = parse_keepalived(r.conf, config_id=r.probe.config_id)
        out.append((r, compare(config, r)))
    return out


def _explain(result: ProbeResult, cmp: Comparison) -> str:
    log = "\n".join(line for line in result.log.splitlines() if "Line" in line or "rror" in line)
    return "\n".join([*cmp.mismatches, f"-- keepalived log ({result.conf}):", log])


@pytest.mark.parametrize("scenario", LAB_SCENARIOS)
def test_lab_configs_read_as_keepalived_reads_them(
    scenario: str, lab_results: dict[str, list[tuple[ProbeResult, Comparison]]]
) -> None:
    for result, cmp in lab_results[scenario]:
        assert result.json_text, f"{result.probe.label}: keepalived wrote no JSON\n{result.log}"
        assert not cmp.mismatches, _explain(result, cmp)
        assert cmp.checked >= 30
        assert complaints(result.log, str(result.conf)) == [], "the lab's own configurations are clean"


@pytest.mark.parametrize("label", [p.label for p in probes(CRAFTED)])
def test_crafted_configs_read_as_keepalived_reads_them(
    label: str, crafted_results: list[tuple[ProbeResult, Comparison]]
) -> None:
    result, cmp = next((r, c) for r, c in crafted_results if r.probe.label == label)
    config = parse_keepalived(result.conf, config_id=result.probe.config_id)
    fatal = [p for p in config.problems if p.kind == "fatal"]
    if label in FATAL:
        assert fatal, "keepalived refuses this configuration; the parser must say so"
        assert not result.json_text, f"keepalived accepted a configuration the parser calls fatal: {fatal}"
        return
    assert not fatal, fatal
    assert result.json_text, f"{label}: keepalived wrote no JSON\n{result.log}"
    assert not cmp.mismatches, _explain(result, cmp)
    # Every line keepalived complains about is a line vrrpcap reports a problem on.
    ours = {(p.location.file, p.location.line) for p in config.problems}
    missed = [c for c in complaints(result.log, str(result.conf)) if (c[0], c[1]) not in ours]
    assert not missed, missed


def test_differential_totals(
    lab_results: dict[str, list[tuple[ProbeResult, Comparison]]], crafted_results: list[tuple[ProbeResult, Comparison]]
) -> None:
    pairs = [pair for results in lab_results.values() for pair in results] + crafted_results
    configs = len(pairs)
    fields = sum(cmp.checked for _, cmp in pairs)
    print(f"\nkeepalived differential: {configs} configurations, {fields} fields compared (-i default {NO_CONFIG_ID})")
    assert configs >= 40
