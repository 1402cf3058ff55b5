"""Pictures (issue 7): timeline plots (matplotlib) and the self-contained HTML report (headless Chromium).

The plots are checked through what render_plot says it drew (PlotInfo) and through the figure's own
artists (each artist we draw carries a gid naming what it shows), and the PNG/SVG files are opened.
The HTML report is opened in Debian's chromium: the page must run its script without a single console
message or uncaught error, sort its findings table when a header is clicked, zoom its timelines, and
show the findings; a screenshot must show the red split-brain marking.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import matplotlib.dates as mdates
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image

from tests.conftest import PCAPS
from vrrpcap.analysis import Options
from vrrpcap.errors import VrrpcapError
from vrrpcap.findings import Finding, Severity
from vrrpcap.render.html import render_html
from vrrpcap.render.plot import (
    LANES_PER_PAGE,
    RED,
    RED_CODES,
    PlotInfo,
    artist_kind,
    draw_pages,
    failover_text,
    render_plot,
)
from vrrpcap.report import Report
from vrrpcap.report.model import Failover, InputSummary, Mastership, RouterSummary, VirtualRouter

FAILOVER = "v2-failover-kill.pcap"
SPLIT_BRAIN = "v2-split-brain.pcap"
COLLISION = "v2-vrid-collision.pcap"
MANY = "v3-ipv6-unicast-many.pcap"
SCENARIOS = (FAILOVER, SPLIT_BRAIN, COLLISION)


def needs(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not (PCAPS / name).exists(), reason=f"pcaps/{name} is absent (make pcaps)")


@cache
def audit(name: str) -> Report:
    """The report of a lab capture, as the CLI builds it."""
    path = str(PCAPS / name)
    try:
        from vrrpcap.api import audit as api_audit  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        pass
    else:
        report: Report = api_audit([path])
        return report
    from vrrpcap.frames import CaptureSet
    from vrrpcap.pipeline import AdvertStream, Pipeline

    with CaptureSet([path]) as captures:
        return Pipeline().run(AdvertStream(captures))


# -- a synthetic report: many virtual routers, each story in known places -------------------------------

T0 = 1_795_569_000.0


def _router(address: str, priority: int, span: float) -> RouterSummary:
    return RouterSummary(
        address=address,
        macs=("02:00:5e:10:00:01",),
        priorities=(priority,),
        intervals=(1.0,),
        versions=(2,),
        deliveries=("multicast",),
        unicast_peers=(),
        vips=("10.9.9.9",),
        vip_sets=(("10.9.9.9",),),
        auth=("none",),
        adverts=int(span),
        first_seen=T0,
        last_seen=T0 + span,
        first_frame=1,
    )


def synthetic(count: int = 200, span: float = 600.0, interface: str = "eth0") -> Report:
    """Every 10th virtual router (i % 10 == 3) has a split brain, i % 7 == 1 fails over and back,
    i % 13 == 5 misses adverts; the rest have one master for the whole capture."""
    vrs, findings = [], []
    for i in range(count):
        vid = f"{interface}/vlan{100 + i // 50}/ipv4/vrid{i % 255 + 1}/multicast"
        a, b = f"10.{i // 250}.{i % 250}.2", f"10.{i // 250}.{i % 250}.3"
        failovers: list[Failover] = []
        if i % 10 == 3:
            masters = [
                Mastership(vid, a, T0, T0 + span, False, False, "capture-end", 600, 150, 150, 1, 2),
                Mastership(vid, b, T0 + 200, T0 + 320, True, True, "yielded", 120, 100, 100, 3, 4),
            ]
            findings.append(Finding("VRRP-SPLIT-BRAIN", Severity.ERROR, vid, T0 + 201, T0 + 320, (a, b), "both"))
        elif i % 7 == 1:
            t = T0 + 100 + i
            masters = [
                Mastership(vid, a, T0, t, False, True, "silence", 50, 150, 150, 1, 2),
                Mastership(vid, b, t + 3.61, t + 200, True, True, "yielded", 200, 100, 100, 3, 4),
                Mastership(vid, a, t + 200.4, T0 + span, True, False, "capture-end", 50, 150, 150, 5, 6),
            ]
            failovers = [
                Failover(vid, t + 3.61, a, b, "silence", 3.61, 150, 100, 3),
                Failover(vid, t + 200.4, b, a, "preempted", 0.4, 100, 150, 5),
            ]
            findings += [Finding("VRRP-FAILOVER", Severity.INFO, vid, f.time, f.time, (a, b), "fo") for f in failovers]
        else:
            masters = [Mastership(vid, a, T0, T0 + span, False, False, "capture-end", 600, 150, 150, 1, 2)]
        if i % 13 == 5:
            findings.append(
                Finding("VRRP-MISSED-ADVERTS", Severity.WARNING, vid, T0 + 50, T0 + 410, (a,), "gaps", count=4)
            )
        vrs.append(
            VirtualRouter(
                id=vid,
                label=vid,
                segment=vid.rsplit("/", 1)[0],
                interface=interface,
                vlan=(100 + i // 50,),
                family="ipv4",
                vrid=i % 255 + 1,
                delivery="multicast",
                versions=(2,),
                vips=(f"10.{i}.0.254",),
                routers=(_router(a, 150, span), _router(b, 100, span)),
                masters=tuple(masters),
                failovers=tuple(failovers),
                adverts=600,
                multicast_adverts=600,
                unicast_adverts=0,
                first_seen=T0,
                last_seen=T0 + span,
            )
        )
    inputs = (InputSummary("synthetic.pcap", "pcap", None, 600 * count, 600 * count, T0, T0 + span, 0),)
    return Report(inputs, vrs, findings, Options())


# -- plot helpers ------------------------------------------------------------------------------------


def kinds(fig: Figure, kind: str) -> list[object]:
    """The artists of a figure that show `kind` (bar, failover, red-VRRP-SPLIT-BRAIN, ...)."""
    return [a for a in fig.findobj() if artist_kind(a.get_gid()) == kind]


def rects(fig: Figure, kind: str) -> list[Rectangle]:
    return [a for a in kinds(fig, kind) if isinstance(a, Rectangle)]


def num(epoch: float) -> float:
    return float(mdates.date2num(datetime.fromtimestamp(epoch, UTC)))  # type: ignore[no-untyped-call,unused-ignore]


def pages(report: Report, lanes_per_page: int = LANES_PER_PAGE) -> Iterator[Figure]:
    for page in draw_pages(report, lanes_per_page):
        page.figure.canvas.draw()
        yield page.figure


def check_png(info: PlotInfo) -> None:
    for path, (width, height) in zip(info.files, info.sizes, strict=True):
        assert path.exists() and path.stat().st_size > 10_000, path
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == (width, height)
            assert 1200 <= width <= 2000 and 300 <= height <= 3000, image.size
            colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is not None and len(colours) > 20, "a blank picture"


def red_count(report: Report) -> dict[str, int]:
    """Red markers the report calls for: per lane, its own red-coded findings."""
    counts: dict[str, int] = {}
    for f in report.findings:
        if f.code in RED_CODES and f.start is not None and f.vr is not None:
            counts[f.vr] = counts.get(f.vr, 0) + 1
    return counts


# -- plots of the lab's scenarios ----------------------------------------------------------------------


@needs(FAILOVER)
def test_failover_plot_has_the_story(tmp_path: Path) -> None:
    report = audit(FAILOVER)
    (vr,) = report.virtual_routers
    assert len(vr.failovers) >= 1 and len(vr.masters) >= 2
    info = render_plot(report, tmp_path / "failover.png")
    assert info.files == (tmp_path / "failover.png",) and info.pages == 1
    check_png(info)
    assert [lane.vr for lane in info.lanes] == [vr.id]
    assert info.bars == len(vr.masters)
    assert info.failover_markers == len(vr.failovers)
    assert info.open_bars == sum(1 for m in vr.masters if not (m.start_observed and m.end_observed))
    assert info.red_markers == 0 and not any(f.code in RED_CODES for f in report.findings)

    (fig,) = pages(report)
    bars = rects(fig, "bar")
    assert len(bars) == len(vr.masters)
    for bar, m in zip(bars, vr.masters, strict=True):
        assert bar.get_x() == pytest.approx(num(m.start), abs=1e-8)  # x is clock time, exactly
    by_router: dict[str, set[tuple[float, ...]]] = {}
    for bar, m in zip(bars, vr.masters, strict=True):
        by_router.setdefault(m.router, set()).add(to_rgba(bar.get_facecolor()))
    assert all(len(c) == 1 for c in by_router.values()), "one colour per router"
    assert len({next(iter(c)) for c in by_router.values()}) == len(by_router), "routers differ in colour"
    hexes = {"#" + "".join(f"{round(v * 255):02x}" for v in next(iter(c))[:3]) for c in by_router.values()}
    assert RED not in hexes, "red is kept for trouble"

    edges = sum((not m.start_observed) + (not m.end_observed) for m in vr.masters)
    assert edges >= 1, "the capture starts or ends while a router is master"
    assert len(kinds(fig, "open-arrow")) == edges
    assert len(rects(fig, "open-edge")) == 10 * edges  # the fade: ten veils an edge
    labels = [t.get_text() for t in kinds(fig, "bar-label") if isinstance(t, Text)]
    for m in vr.masters:
        assert any(m.router in label and f"prio {m.priority_max}" in label for label in labels), (m, labels)
    markers = [a for a in kinds(fig, "failover") if isinstance(a, Line2D)]
    assert len(markers) == len(vr.failovers)
    for line, f in zip(markers, vr.failovers, strict=True):
        assert line.get_xdata()[0] == pytest.approx(num(f.time), abs=1e-8)  # type: ignore[index]
    texts = [t.get_text() for t in kinds(fig, "failover-label") if isinstance(t, Text)]
    for f in vr.failovers:
        assert failover_text(f) in texts
        assert f.takeover_s is not None and f"{f.takeover_s:.2f} s" in failover_text(f)
    assert any("silence" in t for t in texts), texts  # the lab killed the master: a silence failover
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(ticks) >= 3 and all(re.fullmatch(r"\d\d:\d\d:\d\d", t) for t in ticks), ticks
    assert "UTC" in fig.axes[0].get_xlabel()
    lane_labels = [t.get_text() for t in kinds(fig, "lane-label") if isinstance(t, Text)]
    assert lane_labels == [f"{vr.id}\n{', '.join(vr.vips)}"]


@needs(SPLIT_BRAIN)
def test_split_brain_is_red_and_both_masters_are_drawn(tmp_path: Path) -> None:
    report = audit(SPLIT_BRAIN)
    (vr,) = report.virtual_routers
    (split,) = [f for f in report.findings if f.code == "VRRP-SPLIT-BRAIN"]
    assert split.start is not None and split.end is not None
    info = render_plot(report, tmp_path / "split.png")
    check_png(info)
    (lane,) = info.lanes
    assert lane.red == ("VRRP-SPLIT-BRAIN",)
    assert lane.rows == 2, "two masters at once sit on two rows"
    assert info.bars == len(vr.masters) == 2

    (fig,) = pages(report)
    (span,) = rects(fig, "red-VRRP-SPLIT-BRAIN")
    assert span.get_x() == pytest.approx(num(split.start), abs=1e-8)
    assert span.get_x() + span.get_width() == pytest.approx(num(split.end), abs=1e-8)
    red = to_rgba(span.get_facecolor())
    assert red[0] > 0.8 and red[1] < 0.2 and red[2] < 0.2
    bars = rects(fig, "bar")
    assert len({b.get_y() for b in bars}) == 2
    overlap = [
        b for b in bars if b.get_x() < span.get_x() + span.get_width() and b.get_x() + b.get_width() > span.get_x()
    ]
    assert len(overlap) == 2, "the red span covers both masters"
    titles = [t.get_text() for t in fig.findobj(Text)]
    assert any(t.startswith("SPLIT BRAIN") for t in titles), titles


@needs(COLLISION)
def test_collision_marks_every_virtual_router_sharing_the_vrid(tmp_path: Path) -> None:
    report = audit(COLLISION)
    assert len(report.virtual_routers) == 2
    assert any(f.code == "VRRP-VRID-COLLISION" for f in report.findings)
    assert not any(f.code == "VRRP-SPLIT-BRAIN" for f in report.findings)
    info = render_plot(report, tmp_path / "collision.png")
    check_png(info)
    assert len(info.lanes) == 2
    for lane in info.lanes:
        assert "VRRP-VRID-COLLISION" in lane.red
        missed = [f for f in report.findings if f.code == "VRRP-MISSED-ADVERTS" and f.vr == lane.vr]
        assert lane.red.count("VRRP-MISSED-ADVERTS") == len(missed)
    (fig,) = pages(report)
    assert len(rects(fig, "red-VRRP-VRID-COLLISION")) == 2
    rules = [a for a in kinds(fig, "red-VRRP-MISSED-ADVERTS") if isinstance(a, Line2D)]
    assert len(rules) == sum(1 for f in report.findings if f.code == "VRRP-MISSED-ADVERTS")
    assert all(r.get_color() == RED for r in rules)


@needs(SPLIT_BRAIN)
def test_svg_output_holds_the_same_marks(tmp_path: Path) -> None:
    report = audit(SPLIT_BRAIN)
    info = render_plot(report, tmp_path / "split.svg")
    (path,) = info.files
    tree = ET.parse(path)
    ids = [el.get("id") or "" for el in tree.iter()]
    assert sum(1 for i in ids if artist_kind(i) == "bar") == info.bars == 2
    assert sum(1 for i in ids if artist_kind(i) == "red-VRRP-SPLIT-BRAIN") == 1
    assert len(ids) == len(set(i for i in ids if i)) + ids.count(""), "element ids are unique"


def test_a_plot_is_png_or_svg(tmp_path: Path) -> None:
    with pytest.raises(VrrpcapError, match=r"\.png or \.svg"):
        render_plot(synthetic(1), tmp_path / "out.pdf")


# -- many virtual routers --------------------------------------------------------------------------------


def test_two_hundred_virtual_routers_paginate_and_stay_readable(tmp_path: Path) -> None:
    report = synthetic(200)
    info = render_plot(report, tmp_path / "many.png")
    assert info.pages == 8  # 25 lanes a page
    assert info.files[0] == tmp_path / "many.png"
    assert info.files[1:] == tuple(tmp_path / f"many-{n}.png" for n in range(2, 9))
    check_png(info)
    assert [lane.vr for lane in info.lanes] == [vr.id for vr in report.virtual_routers]
    per_page = [sum(1 for lane in info.lanes if lane.page == p) for p in range(1, 9)]
    assert per_page == [25] * 8
    assert info.bars == sum(len(vr.masters) for vr in report.virtual_routers)
    assert (
        info.failover_markers == sum(len(vr.failovers) for vr in report.virtual_routers) == 2 * 26
    )  # i % 7 == 1 but not i % 10 == 3
    expected_red = red_count(report)
    assert {lane.vr: len(lane.red) for lane in info.lanes if lane.red} == expected_red
    assert info.red_markers == 20 + 15  # split brains (i % 10 == 3) + missed adverts (i % 13 == 5)
    # Readable: every lane at least ~45 px high, every bar long enough for its label labelled.
    for lane in info.lanes:
        assert lane.bar_labels == lane.bars, lane
    for _, height in info.sizes:
        assert height / LANES_PER_PAGE >= 45
    first = next(pages(report))
    assert len(kinds(first, "lane-label")) == 25
    assert all(float(t.get_fontsize()) >= 7.5 for t in first.findobj(Text) if t.get_text())
    assert "page 1/8" in " ".join(t.get_text() for t in first.texts)


def test_one_virtual_router_is_one_small_page(tmp_path: Path) -> None:
    info = render_plot(synthetic(1), tmp_path / "one.png")
    assert info.pages == 1 and len(info.lanes) == 1
    check_png(info)
    assert info.sizes[0][1] < 500


@needs(MANY)
def test_three_hundred_real_unicast_virtual_routers(tmp_path: Path) -> None:
    report = audit(MANY)
    assert len(report.virtual_routers) == 300
    info = render_plot(report, tmp_path / "many.svg")
    assert info.pages == 12 and len(info.lanes) == 300
    assert all(p.exists() for p in info.files)
    assert info.bars == sum(len(vr.masters) for vr in report.virtual_routers)


def test_hostile_names_are_drawn_as_text(tmp_path: Path) -> None:
    report = synthetic(3, interface="$\\frac{1}{0}$<script>alert(1)</script>")
    info = render_plot(report, tmp_path / "hostile.png")  # mathtext would fail on this
    check_png(info)
    fig = next(pages(report))
    assert any("$\\frac" in t.get_text() for t in kinds(fig, "lane-label") if isinstance(t, Text))


# -- HTML --------------------------------------------------------------------------------------------------


def html_of(report: Report, path: Path) -> str:
    with open(path, "w", encoding="utf-8") as out:
        render_html(report, out)
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SCENARIOS)
def test_html_is_self_contained_and_complete(name: str, tmp_path: Path) -> None:
    if not (PCAPS / name).exists():
        pytest.skip(f"pcaps/{name} is absent")
    report = audit(name)
    page = html_of(report, tmp_path / "report.html")
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page), "nothing loaded from the network"
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    assert page.count('<svg class="tl"') == len(report.virtual_routers)
    assert page.count('class="bar"') == sum(len(vr.masters) for vr in report.virtual_routers)
    assert page.count('class="failover"') == sum(len(vr.failovers) for vr in report.virtual_routers)
    body = page.split('id="findings-table"', 1)[1].split("</table>", 1)[0]
    assert body.count("<tr class=") == len(report.findings)
    for f in report.findings:
        assert html.escape(f.message) in page
    for section in ("summary", "findings", "timelines", "delivery", "inputs"):
        assert f'id="{section}"' in page
    for item in report.inputs:
        assert html.escape(item.path) in page


def test_html_escapes_capture_strings(tmp_path: Path) -> None:
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    report = synthetic(2, interface=evil)
    vr = report.virtual_routers[0]
    findings = [*report.findings, Finding("VRRP-BAD-TTL", Severity.ERROR, vr.id, T0, T0, (evil,), f"ttl {evil}")]
    page = html_of(Report(report.inputs, report.virtual_routers, findings, report.options), tmp_path / "r.html")
    assert "<script>alert" not in page and "<img" not in page
    assert html.escape(evil) in page
    assert page.count("<script>") == 1  # the report's own, nothing else


# -- in a real browser --------------------------------------------------------------------------------------

# Injected into a copy of the page: records uncaught errors and console.error from the very start, then,
# after the report's own script ran, sorts the findings table, zooms in, and writes what it saw into the DOM.
HARNESS_HEAD = """<script>
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push("error: " + e.message); });
window.addEventListener("unhandledrejection", function (e) { window.__errors.push("rejection: " + e.reason); });
(function () {
  var ce = console.error;
  console.error = function () {
    window.__errors.push("console.error: " + Array.prototype.join.call(arguments, " "));
    ce.apply(console, arguments);
  };
})();
</script>"""
HARNESS_TAIL = """<script>
(function () {
  var out = {ready: document.documentElement.getAttribute("data-ready")};
  var table = document.getElementById("findings-table");
  if (table) {
    var code = table.querySelectorAll("th")[1];
    code.click();
    out.sortedUp = Array.prototype.map.call(table.tBodies[0].rows, function (r) { return r.cells[1].textContent; });
    code.click();
    out.sortedDown = Array.prototype.map.call(table.tBodies[0].rows, function (r) { return r.cells[1].textContent; });
    out.sortState = code.getAttribute("aria-sort");
  }
  var bar = document.querySelector("svg.tl rect.bar");
  if (bar) {
    out.before = parseFloat(bar.getAttribute("width"));
    document.querySelector("[data-zoom=in]").click();
    out.after = parseFloat(bar.getAttribute("width"));
    out.ticks = Array.prototype.map.call(document.querySelectorAll("svg.tl g.axis text"), function (t) {
      return t.textContent; }).slice(0, 4);
  }
  out.errors = window.__errors;
  var pre = document.createElement("pre");
  pre.id = "harness";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (make test installs Debian's chromium as root)")
    return path


def run_chromium(url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    args = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *extra, url,
    ]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def console_lines(stderr: str) -> list[str]:
    """Messages the page wrote to its console (Chromium logs them as ...:CONSOLE:...] "text", source: ...)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def browse(page: Path, tmp_path: Path) -> dict[str, object]:
    """Open a copy of the page with the harness in Chromium; return what the harness saw."""
    import json

    text = page.read_text(encoding="utf-8")
    probe = page.with_name(page.stem + "-probe.html")
    probe.write_text(text.replace("<head>", "<head>" + HARNESS_HEAD, 1).replace("</body>", HARNESS_TAIL + "</body>"))
    done = run_chromium(probe.as_uri(), tmp_path, "--dump-dom")
    match = re.search(r'<pre id="harness">(.*?)</pre>', done.stdout, re.S)
    assert match, "the harness did not run: " + done.stdout[-2000:]
    seen: dict[str, object] = json.loads(html.unescape(match.group(1)))
    seen["console"] = console_lines(done.stderr)
    seen["dom"] = done.stdout
    return seen


def test_the_browser_check_catches_a_broken_page(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    html_of(synthetic(2), page)
    page.write_text(page.read_text().replace('"use strict";', '"use strict"; null.boom();', 1))
    seen = browse(page, tmp_path)
    assert seen["ready"] is None, "the report's script must not finish"
    assert any("boom" in str(e) for e in seen["errors"]), seen["errors"]  # type: ignore[attr-defined]
    assert any("boom" in line for line in seen["console"]), seen["console"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", SCENARIOS)
def test_html_runs_in_chromium_and_shows_the_findings(name: str, tmp_path: Path) -> None:
    if not (PCAPS / name).exists():
        pytest.skip(f"pcaps/{name} is absent")
    chromium()
    report = audit(name)
    page = tmp_path / "report.html"
    html_of(report, page)
    seen = browse(page, tmp_path)
    assert seen["errors"] == [], seen["errors"]
    assert seen["console"] == [], seen["console"]
    assert seen["ready"] == "1"
    codes = sorted(f.code for f in report.findings)
    assert seen["sortedUp"] == codes and seen["sortedDown"] == codes[::-1]
    assert seen["sortState"] == "descending"
    assert float(seen["after"]) > float(seen["before"]) * 1.5, "zooming in widens the bars"  # type: ignore[arg-type]
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d(\.\d{3})?", str(t)) for t in seen["ticks"]), seen["ticks"]  # type: ignore[attr-defined]
    dom = str(seen["dom"])
    for code in codes:
        assert re.search(rf"<tr class=\"sev-\w+\" data-code=\"{code}\">", dom), code
    if name == SPLIT_BRAIN:
        assert "VRRP-SPLIT-BRAIN" in dom and 'class="red-span"' in dom
    if name == COLLISION:
        assert "VRRP-VRID-COLLISION" in dom

    shot = tmp_path / "shot.png"
    done = run_chromium(page.as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1400,1800")
    assert console_lines(done.stderr) == []
    with Image.open(shot) as image:
        assert image.size == (1400, 1800)
        pixels = image.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 22)
        assert colours is not None and len(colours) > 50, "a blank page"
        reds = sum(n for n, px in colours if isinstance(px, tuple) and px[0] > 190 and px[1] < 80 and px[2] < 80)
    if name == SPLIT_BRAIN:
        assert reds > 500, "the split brain shows in red"


def test_report_command_writes_the_page(tmp_path: Path) -> None:
    if not (PCAPS / SPLIT_BRAIN).exists():
        pytest.skip(f"pcaps/{SPLIT_BRAIN} is absent")
    out = tmp_path / "audit.html"
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", "report", str(PCAPS / SPLIT_BRAIN), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "VRRP-SPLIT-BRAIN" in page and page.rstrip().endswith("</html>")
    missing = subprocess.run(
        [sys.executable, "-m", "vrrpcap", "report", str(PCAPS / SPLIT_BRAIN)], capture_output=True, text=True
    )
    assert missing.returncode == 2 and "--output" in missing.stderr


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom vrrpcap.cli import app\n"
        "r = CliRunner().invoke(app, ['report', '--help'])\nassert r.exit_code == 0, r.output\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'pandas', 'scapy'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_an_empty_capture_still_draws(tmp_path: Path) -> None:
    empty = Report((), [], [], Options())
    info = render_plot(empty, tmp_path / "empty.png")
    assert info.pages == 1 and info.lanes == () and info.files[0].exists()
    page = html_of(empty, tmp_path / "empty.html")
    assert "No VRRP adverts" in page and "No findings." in page
