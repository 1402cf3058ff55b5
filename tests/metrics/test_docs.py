"""docs/metrics.md describes every exported metric as the catalogue has it (type, labels); README shows
the live exporter on the documented port; docs/fleet.md is there for the fleet set-up."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from vrrpcap.metrics import DEFAULT_PORT
from vrrpcap.metrics.catalogue import FAMILIES

DOC = (ROOT / "docs" / "metrics.md").read_text()


def rows() -> dict[str, list[str]]:
    found = {}
    for line in DOC.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        match = re.fullmatch(r"`(vrrpcap_\w+)`", cells[0]) if len(cells) == 5 else None
        if match:
            found[match.group(1)] = cells
    return found


def test_every_metric_is_documented_with_its_type_and_labels() -> None:
    documented = rows()
    assert set(documented) == {f.exposed for f in FAMILIES}
    for family in FAMILIES:
        _, kind, labels, meaning, keepalived = documented[family.exposed]
        assert kind == family.kind, family.name
        for label in family.labels:
            assert f"`{label}`" in labels, (family.name, label)
        assert meaning == family.help and keepalived == (family.keepalived or "—")


def test_readme_shows_the_exporter_on_the_documented_port() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"vrrpcap live eth0 --metrics :{DEFAULT_PORT}" in readme
    assert DEFAULT_PORT not in range(9100, 10000) and DEFAULT_PORT not in (9165, 9650)  # keepalived's exporters
    assert f"**{DEFAULT_PORT}**" in DOC


def test_fleet_doc_covers_the_set_up() -> None:
    fleet = (ROOT / "docs" / "fleet.md").read_text()
    topics = ("One sensor per L2 segment", "`sensor` label", "remote_write", "federate", "Two sensors on one segment")
    for topic in topics:
        assert topic in fleet, topic
