"""The fuzz harness (fuzz/, docs/reliability.md): its seeds are generated from pcaps/ and keep the
contract, and each atheris target runs a few seconds under libFuzzer without a crash."""

from __future__ import annotations

import importlib.util
import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.corpus import captures, write
from fuzz.targets import TARGETS, analyzer_steps

ROOT = Path(__file__).resolve().parents[1]
SECONDS = 4  # per target: three targets stay near the 10-20 s the suite can spend here


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not captures():
        pytest.skip("pcaps/ holds no capture to make seeds from")
    out = tmp_path_factory.mktemp("seeds")
    write(out)
    return out


def test_seeds_cover_every_format_and_capture(seeds: Path) -> None:
    names = {p.name for p in (seeds / "reader").iterdir()}
    for path in captures():
        assert path.name in names
    for suffix in (".gz", ".bz2", ".xz", ".le.pcapng", ".be-ns.pcapng", ".bin20.pcapng"):
        assert any(n.endswith(suffix) for n in names), suffix
    assert len(list((seeds / "decoder").iterdir())) > 100
    # the analyzer's seeds decode back to the captures' frames, times in order
    (split,) = [p for p in (seeds / "analyzer").iterdir() if p.name == "v2-split-brain.pcap"]
    steps = list(analyzer_steps(split.read_bytes()))
    assert len(steps) > 20 and all(a.time <= b.time for a, b in itertools.pairwise(steps))


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_seed_keeps_the_contract(seeds: Path, target: str) -> None:
    for seed in sorted((seeds / target).iterdir()):
        TARGETS[target](seed.read_bytes())


@pytest.mark.skipif(
    importlib.util.find_spec("atheris") is None, reason="atheris is not installed (pip install '.[fuzz]')"
)
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_short_atheris_run_finds_no_crash(seeds: Path, target: str, tmp_path: Path) -> None:
    crashes, corpus = tmp_path / "crashes", tmp_path / "corpus"
    crashes.mkdir()
    corpus.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "fuzz.run", target, str(corpus), str(seeds / target),
         f"-max_total_time={SECONDS}", "-print_final_stats=1", f"-artifact_prefix={crashes}/"],
        capture_output=True, text=True, cwd=ROOT, timeout=SECONDS + 60, check=False,
    )  # fmt: skip
    tail = done.stderr[-3000:]
    assert done.returncode == 0, tail
    assert not list(crashes.iterdir()), tail
    executed = re.search(r"stat::number_of_executed_units: (\d+)", done.stderr)
    assert executed is not None and int(executed.group(1)) > len(list((seeds / target).iterdir())), tail
