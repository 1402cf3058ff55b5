from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PCAPS = ROOT / "pcaps"
SHARED_PCAPS = ROOT.parent / "shared" / "pcaps-public"

CAPTURE_SUFFIXES = (".pcap", ".cap", ".pcapng", ".pcap.gz", ".pcapng.gz")


def captures_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(CAPTURE_SUFFIXES))


def lab_captures() -> list[Path]:
    return captures_in(PCAPS)


def public_captures() -> list[Path]:
    return captures_in(SHARED_PCAPS)


@pytest.fixture(scope="session")
def tshark() -> str:
    path = shutil.which("tshark")
    if path is None:
        pytest.skip("tshark is not installed (make test installs it as root: apt-get install tshark)")
    return path
