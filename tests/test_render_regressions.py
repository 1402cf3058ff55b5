"""Picture defects found on main, each rebuilt here from scratch (issues 12 and 13):

- a pcapng with if_tsresol = 0 and a frame at the largest timestamp made `report` run for minutes and
  eat memory (the axis-tick loop walked the whole span) and `--plot` die with a traceback;
- `timeline --plot` died with a matplotlib traceback for timestamps outside years 1-9999;
- above 8 routers the plot's legend vanished, so short bars could not be told apart;
- a failover label ran into the next failover's bracket ("preempted: 8|02 s");
- the HTML dropped the "(+N more)" the PNG shows.

Also: the script's JSON cannot be broken out of by packet strings, the page's script places labels
exactly where the Python side did, and pages drawn by worker processes are the same bytes.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image
from scapy.layers.inet import IP
from scapy.layers.l2 import Ether
from scapy.layers.vrrp import VRRP

from tests.support import LT_ETHERNET, epb, idb, shb
from tests.test_pictures import T0, _router, synthetic
from vrrpcap.analysis import Options
from vrrpcap.findings import Finding, Severity
from vrrpcap.render.escape import printable
from vrrpcap.render.html import render_html
from vrrpcap.render.layout import layout_of
from vrrpcap.render.plot import artist_kind, draw_pages, render_plot
from vrrpcap.render.plot._lane import Canvas
from vrrpcap.render.plot._style import _font, text_inches
from vrrpcap.render.timeaxis import MAX_TICKS
from vrrpcap.report import Report
from vrrpcap.report.model import Failover, InputSummary, Mastership, VirtualRouter

MAX_U64 = 2**64 - 1


def advert(vrid: int = 1, src: str = "192.0.2.1", priority: int = 100) -> bytes:
    return bytes(
        Ether(src="00:00:5e:00:01:01", dst="01:00:5e:00:00:12")
        / IP(src=src, dst="224.0.0.18", ttl=255, proto=112)
        / VRRP(vrid=vrid, priority=priority, addrlist=["192.0.2.254"])
    )


def seconds_pcapng(path: Path, stamps: list[int], tsoffset: int | None = None) -> Path:
    """A pcapng whose interface counts time in whole seconds (if_tsresol = 0), one advert a stamp."""
    blocks = [shb(), idb(LT_ETHERNET, name="eth0", tsresol=0, tsoffset=tsoffset)]
    blocks += [epb(0, stamp, advert()) for stamp in stamps]
    path.write_bytes(b"".join(blocks))
    return path


def run(*args: str, timeout: float = 90) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """Run the CLI; return the result, its wall time and its peak RSS in KiB (workers included).

    The peak is the kernel's VmHWM of the CLI's own address space: getrusage's ru_maxrss would start
    at the test process's own peak, which a child inherits across fork and exec."""
    code = (
        "import resource, sys\nfrom vrrpcap.cli import main\nsys.argv = ['vrrpcap', *sys.argv[1:]]\nstatus = 0\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    status = exc.code\n"
        "hwm = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
        "rss = max(hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(f'maxrss={rss}', file=sys.stderr)\nsys.exit(status)\n"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    elapsed = time.perf_counter() - start
    found = re.search(r"maxrss=(\d+)", done.stderr)
    return done, elapsed, int(found.group(1)) if found else 0


def no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr, done.stderr[-3000:]


# -- issue 13, defect 1: one absurd timestamp ----------------------------------------------------------------


@pytest.mark.parametrize("stamps", [[1_700_000_000, MAX_U64], [MAX_U64]], ids=["normal-and-max", "only-max"])
def test_report_with_an_absurd_timestamp_is_quick_and_small(tmp_path: Path, stamps: list[int]) -> None:
    capture = seconds_pcapng(tmp_path / "absurd.pcapng", stamps)
    out = tmp_path / "report.html"
    done, elapsed, rss = run("report", str(capture), "-o", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    no_traceback(done)
    assert rss < 400_000, (elapsed, rss)  # a hang ends in run()'s timeout; no timed assertion
    page = out.read_text(encoding="utf-8")
    assert len(page) < 500_000
    svgs = re.findall(r'<svg class="tl".*?</svg>', page, re.S)
    assert svgs and all(svg.count('class="grid"') <= MAX_TICKS + 1 for svg in svgs)
    assert "outside years 1-9999" in page


@pytest.mark.parametrize("stamps", [[1_700_000_000, MAX_U64], [MAX_U64]], ids=["normal-and-max", "only-max"])
def test_plot_with_an_absurd_timestamp_draws(tmp_path: Path, stamps: list[int]) -> None:
    capture = seconds_pcapng(tmp_path / "absurd.pcapng", stamps)
    out = tmp_path / "absurd.png"
    done, elapsed, rss = run("timeline", str(capture), "--plot", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    no_traceback(done)
    assert rss < 400_000, (elapsed, rss)  # a hang ends in run()'s timeout; no timed assertion
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size[0] >= 1200


# -- issue 13, defect 8: outside years 1-9999 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stamps", "tsoffset"),
    [([300_000_000_000, 300_000_000_001], None), ([0, 5], -100_000_000_000)],
    ids=["year-11476", "year-minus-1199"],
)
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_outside_the_calendar_draws_and_says_so(
    tmp_path: Path, stamps: list[int], tsoffset: int | None, suffix: str
) -> None:
    capture = seconds_pcapng(tmp_path / "far.pcapng", stamps, tsoffset)
    out = tmp_path / f"far{suffix}"
    done, _, _ = run("timeline", str(capture), "--plot", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    no_traceback(done)
    assert out.exists() and out.stat().st_size > 5_000

    from vrrpcap.api import audit

    report = audit([str(capture)])
    (page,) = draw_pages(report)
    assert page.clamped >= 1
    assert "outside years 1-9999" in page.figure.axes[0].get_xlabel()


# -- issue 12: routers always identified ------------------------------------------------------------------------


def flapping(routers: int = 12, span: float = 600.0) -> Report:
    """One virtual router whose routers take turns as master for a second each, mid-capture: slivers
    too close together for a label of their own, on a lane with more than 8 routers."""
    vid = "eth0/ipv4/vrid7/multicast"
    addresses = [f"10.7.0.{n}" for n in range(1, routers + 1)]
    masters = [Mastership(vid, addresses[0], T0, T0 + 300, False, True, "yielded", 300, 150, 150, 1, 2)]
    t = T0 + 300
    for address in addresses[1:]:
        masters.append(Mastership(vid, address, t, t + 1, True, True, "yielded", 2, 100, 100, 3, 4))
        t += 1.2
    masters.append(Mastership(vid, addresses[0], t, T0 + span, True, False, "capture-end", 280, 150, 150, 5, 6))
    vr = VirtualRouter(
        id=vid,
        label=vid,
        segment=vid.rsplit("/", 1)[0],
        interface="eth0",
        vlan=(),
        family="ipv4",
        vrid=7,
        delivery="multicast",
        versions=(2,),
        vips=("10.7.0.254",),
        routers=tuple(_router(a, 100, span) for a in addresses),
        masters=tuple(masters),
        failovers=(),
        adverts=600,
        multicast_adverts=600,
        unicast_adverts=0,
        first_seen=T0,
        last_seen=T0 + span,
    )
    inputs = (InputSummary("flap.pcap", "pcap", None, 600, 600, T0, T0 + span, 0),)
    return Report(inputs, [vr], [], Options())


def page_texts(fig: Figure, kind: str | None = None) -> list[str]:
    texts = [t for t in fig.findobj(Text) if kind is None or artist_kind(t.get_gid()) == kind]
    return [t.get_text() for t in texts if t.get_text()]


def test_every_bar_names_its_router_or_the_legend_does() -> None:
    report = flapping()
    (page,) = draw_pages(report)
    fig = page.figure
    labels = page_texts(fig, "bar-label")
    legend = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    (vr,) = report.virtual_routers
    unnamed = {m.router for m in vr.masters if not any(m.router == label.split()[0] for label in labels)}
    assert unnamed, "the test needs bars too short to carry a label"
    for router in unnamed:
        assert any(entry.split()[0] == router for entry in legend), (router, legend)
    assert set(page.legend) >= unnamed


def test_routers_sharing_a_lane_never_share_a_colour() -> None:
    from vrrpcap.render.layout import PALETTE, router_colours

    report = flapping(routers=12)
    colours = router_colours(report)
    assert len(set(colours.values())) == 12 == len(PALETTE)


# -- issue 12: failover labels and their brackets ------------------------------------------------------------


def close_failovers(span: float = 600.0) -> Report:
    """Two failovers ten seconds apart, the second with an 8-second takeover: on a 10-minute axis the
    first one's label has no room before the second one's bracket."""
    vid = "eth0/ipv4/vrid9/multicast"
    a, b = "10.9.0.2", "10.9.0.3"
    t1, t2 = T0 + 300.0, T0 + 310.0
    masters = (
        Mastership(vid, a, T0, t1 - 8.02, False, True, "silence", 290, 150, 150, 1, 2),
        Mastership(vid, b, t1, t2 - 8.0, True, True, "silence", 2, 100, 100, 3, 4),
        Mastership(vid, a, t2, T0 + span, True, False, "capture-end", 290, 150, 150, 5, 6),
    )
    failovers = (
        Failover(vid, t1, a, b, "preempted", 8.02, 150, 100, 3),
        Failover(vid, t2, b, a, "silence", 8.0, 100, 150, 5),
    )
    vr = VirtualRouter(
        id=vid,
        label=vid,
        segment=vid.rsplit("/", 1)[0],
        interface="eth0",
        vlan=(),
        family="ipv4",
        vrid=9,
        delivery="multicast",
        versions=(2,),
        vips=("10.9.0.254",),
        routers=(_router(a, 150, span), _router(b, 100, span)),
        masters=masters,
        failovers=failovers,
        adverts=600,
        multicast_adverts=600,
        unicast_adverts=0,
        first_seen=T0,
        last_seen=T0 + span,
    )
    findings = [Finding("VRRP-FAILOVER", Severity.INFO, vid, f.time, f.time, (a, b), "fo") for f in failovers]
    inputs = (InputSummary("close.pcap", "pcap", None, 600, 600, T0, T0 + span, 0),)
    return Report(inputs, [vr], findings, Options())


def test_plot_failover_labels_keep_off_the_brackets() -> None:
    report = close_failovers()
    (page,) = draw_pages(report)
    fig = page.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax = fig.axes[0]
    num = Canvas(ax, layout_of(report).axis, 1.0).num  # epoch seconds -> the axes' x
    stretches = []
    for f in report.virtual_routers[0].failovers:
        assert f.takeover_s is not None
        x0 = ax.transData.transform((num(f.time - f.takeover_s), 0))[0]
        x1 = ax.transData.transform((num(f.time), 0))[0]
        stretches.append((x0 - 1, x1 + 1))  # the bracket and the tick, a pixel either side
    labels = [t for t in fig.findobj(Text) if artist_kind(t.get_gid()) == "failover-label"]
    assert labels
    for label in labels:
        box = label.get_window_extent(renderer)
        for a, b in stretches:
            assert box.x1 <= a or b <= box.x0, (label.get_text(), (box.x0, box.x1), (a, b))
    assert [t.get_text() for t in labels] == ["silence: 8.00 s takeover (+1 more)"]


def svg_failover_labels(page: str) -> list[tuple[str, float, str, str]]:
    """(text, x, anchor, visibility) of each failover label in a page's timelines."""
    out = []
    for attrs, text in re.findall(r'<text class="fo-label"([^>]*)>([^<]*)</text>', page):
        x = float(re.search(r' x="([-\d.]+)"', attrs).group(1))  # type: ignore[union-attr]
        anchor = re.search(r'text-anchor="(\w+)"', attrs)
        hidden = "hidden" if 'visibility="hidden"' in attrs else "visible"
        out.append((html.unescape(text), x, anchor.group(1) if anchor else "start", hidden))
    return out


def test_html_failover_labels_keep_off_the_brackets_and_say_more(tmp_path: Path) -> None:
    out = tmp_path / "close.html"
    with open(out, "w", encoding="utf-8") as handle:
        render_html(close_failovers(), handle)
    page = out.read_text(encoding="utf-8")
    brackets = [
        (float(a), float(b)) for a, b in re.findall(r'<line class="bracket" [^>]*x1="([-\d.]+)" x2="([-\d.]+)"', page)
    ]
    ticks = [float(x) for x in re.findall(r'<line class="failover" [^>]*x1="([-\d.]+)"', page)]
    assert len(brackets) == len(ticks) == 2
    shown = [(text, x, anchor) for text, x, anchor, visibility in svg_failover_labels(page) if visibility == "visible"]
    assert [text for text, _, _ in shown] == ["silence: 8.00 s takeover (+1 more)"]
    for text, x, anchor in shown:
        width = len(text) * 6.6
        left, right = (x, x + width) if anchor == "start" else (x - width, x)
        for a, b in brackets:
            assert right <= a or b <= left, (text, (left, right), (a, b))
        assert not any(left < t < right for t in ticks)


# -- the page's script places labels where Python did ----------------------------------------------------------


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (make test installs Debian's chromium as root)")
    return path


def dump_dom(page: Path, tmp_path: Path) -> str:
    args = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
        "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri(),
    ]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert 'data-ready="1"' in done.stdout, "the page's script did not finish"
    return done.stdout


def bar_labels_of(page: str) -> list[tuple[str, str, float, str]]:
    out = []
    for attrs, text in re.findall(r'<text class="bar-label"([^>]*)>([^<]*)</text>', page):
        index = re.search(r'data-i="(\d+)"', attrs).group(1)  # type: ignore[union-attr]
        x = float(re.search(r' x="([-\d.]+)"', attrs).group(1))  # type: ignore[union-attr]
        if 'visibility="hidden"' in attrs:
            out.append((index, "", 0.0, "hidden"))
        else:
            out.append((index, html.unescape(text), x, re.search(r'text-anchor="(\w+)"', attrs).group(1)))  # type: ignore[union-attr]
    return out


@pytest.mark.parametrize(
    ("build", "more"),
    [(close_failovers, True), (flapping, False), (lambda: synthetic(30), False)],
    ids=["close", "flap", "many"],
)
def test_the_script_places_labels_where_python_did(build: object, more: bool, tmp_path: Path) -> None:
    chromium()
    page = tmp_path / "page.html"
    with open(page, "w", encoding="utf-8") as handle:
        render_html(build(), handle)  # type: ignore[operator]
    static = page.read_text(encoding="utf-8")
    dom = dump_dom(page, tmp_path)

    def visible(labels: list[tuple[str, float, str, str]]) -> list[tuple[str, float, str]]:
        return [(text, round(x, 1), anchor) for text, x, anchor, vis in labels if vis == "visible"]

    assert visible(svg_failover_labels(dom)) == visible(svg_failover_labels(static))
    before = [(i, text, round(x, 1), anchor) for i, text, x, anchor in bar_labels_of(static)]
    after = [(i, text, round(x, 1), anchor) for i, text, x, anchor in bar_labels_of(dom)]
    assert after == before
    assert ("(+1 more)" in "".join(t for t, _, _, v in svg_failover_labels(dom) if v == "visible")) is more


# -- the script's JSON ------------------------------------------------------------------------------------------


def test_packet_strings_cannot_break_out_of_the_script_data(tmp_path: Path) -> None:
    evil = "</script><script>alert(1)</script><!--\u2028'\"&"
    report = close_failovers()
    vr = report.virtual_routers[0]
    hostile = replace(vr, masters=tuple(replace(m, router=evil) if n == 1 else m for n, m in enumerate(vr.masters)))
    page_path = tmp_path / "evil.html"
    with open(page_path, "w", encoding="utf-8") as handle:
        render_html(Report(report.inputs, [hostile], report.findings, report.options), handle)
    page = page_path.read_text(encoding="utf-8")
    assert page.count("<script>") == 1 and page.count("</script>") == 2  # the data and the report's own
    data = page.split('<script type="application/json" id="tl-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data and "&" not in data and "\u2028" not in data
    parsed = json.loads(data)
    assert evil in parsed["timelines"][0]["bars"][1][5]
    # and in the markup, escaped, with the line separator shown as its escape (render/escape.py)
    assert html.escape(printable(evil)) in page and "\u2028" not in page


# -- pages drawn by worker processes ------------------------------------------------------------------------


def test_pages_from_worker_processes_are_the_same_bytes(tmp_path: Path) -> None:
    report = synthetic(80)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = render_plot(report, tmp_path / "one" / "p.png", workers=1)
    two = render_plot(report, tmp_path / "two" / "p.png", workers=2)
    assert one.pages == two.pages == 4
    assert (one.lanes, one.sizes, one.legends) == (two.lanes, two.sizes, two.legends)
    for a, b in zip(one.files, two.files, strict=True):
        assert a.name == b.name and a.read_bytes() == b.read_bytes()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this platform")
def test_a_forked_worker_measures_text_with_fonts_of_its_own() -> None:
    """Two workers reading glyphs through one FreeType face inherited from the parent share its file
    offset, and fail at random ("invalid outline"): the 300-virtual-router plot once did."""
    inherited = id(_font(False))
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if it got a font object of its own and it works
        ok = False
        with contextlib.suppress(BaseException):  # the child must never run on into the test session
            ok = id(_font(False)) != inherited and text_inches("fe80::d6ca:6dff") > 0
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
