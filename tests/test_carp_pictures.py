"""CARP virtual routers in the pictures: the HTML report and the timeline plot draw them, name the
vhid and show advskew/advbase where VRRP shows priority (pcaps/carp-vrrp-coexist: ucarp c1/c2 beside
keepalived r1/r2; the routers' advskews are ucarp's command lines in its truth file)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from matplotlib.text import Text
from PIL import Image

from tests.conftest import PCAPS
from vrrpcap.api import audit
from vrrpcap.render.html import render_html
from vrrpcap.render.layout import lane_findings
from vrrpcap.render.plot import artist_kind, draw_pages, render_plot
from vrrpcap.report import Report

NAME = "carp-vrrp-coexist"


@pytest.fixture(scope="module")
def coexist() -> tuple[dict[str, Any], Report]:
    truth = json.loads((PCAPS / f"{NAME}.truth.json").read_text())
    return truth, audit([str(PCAPS / f"{NAME}.pcap")])


def texts_of(report: Report, kind: str) -> list[str]:
    out = []
    for page in draw_pages(report):
        page.figure.canvas.draw()
        out += [a.get_text() for a in page.figure.findobj() if artist_kind(a.get_gid()) == kind and isinstance(a, Text)]
    return out


def test_the_plot_draws_the_carp_lane_with_its_vhid_and_advskews(
    coexist: tuple[dict[str, Any], Report], tmp_path: Path
) -> None:
    truth, report = coexist
    (carp,) = [v for v in report.virtual_routers if v.protocol == "carp"]
    info = render_plot(report, tmp_path / "coexist.png")
    assert carp.id in [lane.vr for lane in info.lanes] and len(info.lanes) == 2
    with Image.open(info.files[0]) as image:
        assert image.format == "PNG"
    titles = texts_of(report, "lane-label")
    vhid = truth["expect_v2"]["coexistence"][0]["vhid"]
    assert any(carp.id in t and f"CARP vhid {vhid}" in t for t in titles), titles
    # A bar long enough for its whole label names the router and its advskew (a short one, the router).
    advskew = {c["srcip"]: c["advskew"] for c in truth["carp_instances"]}
    labels = [t for t in texts_of(report, "bar-label") if t.split()[0] in advskew]
    full = [t for t in labels if len(t.split()) > 1]
    assert full and all(t.split()[1:] == ["advskew", str(advskew[t.split()[0]])] for t in full), labels
    # The coexistence is marked in red on both lanes, the CARP one and the VRRP one.
    marked = lane_findings(report)
    assert all(any(f.code == "VRRP-CARP-COEXIST" for f in marked[v.id]) for v in report.virtual_routers)
    spans = []
    for page in draw_pages(report):
        spans += [a for a in page.figure.findobj() if artist_kind(a.get_gid()) == "red-VRRP-CARP-COEXIST"]
    assert len(spans) >= 2


def test_the_html_report_shows_the_carp_virtual_router(coexist: tuple[dict[str, Any], Report], tmp_path: Path) -> None:
    truth, report = coexist
    path = tmp_path / "coexist.html"
    with open(path, "w", encoding="utf-8") as out:
        render_html(report, out)
    page = path.read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)))
    text = " ".join(text.split())
    vhid = truth["expect_v2"]["coexistence"][0]["vhid"]
    assert f"ipv4/carp{vhid}/multicast {vhid} (CARP vhid)" in text  # the summary table's row
    assert f"CARP vhid {vhid} · ipv4" in text  # its article
    for instance in truth["carp_instances"]:
        assert f"{instance['srcip']} (advskew {instance['advskew']}, advbase {instance['advbase_s']})" in text
    assert page.count('<svg class="tl"') == len(report.virtual_routers) == 2
    assert page.count('class="bar"') == sum(len(vr.masters) for vr in report.virtual_routers)
    assert "VRRP-CARP-COEXIST" in text and f"{report.carp_adverts} CARP adverts" in text
    # Each CARP bar's tip gives its advskew (the short ones too).
    (carp,) = [v for v in report.virtual_routers if v.protocol == "carp"]
    advskew = {c["srcip"]: c["advskew"] for c in truth["carp_instances"]}
    for m in carp.masters:
        assert re.search(rf"{re.escape(m.router)} master [^<]*, advskew {advskew[m.router]};", page), m
