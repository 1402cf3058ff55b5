"""The audit as one self-contained HTML file: summary, sortable findings, a timeline per virtual router,
unicast/multicast breakdown, inputs.

No network: the CSS and the (small, vanilla) JavaScript are inline, the timelines are inline SVG, and a
Content-Security-Policy forbids the page from loading anything. Every string that came from a capture
(addresses, interface names, messages quoting them, file names) goes through html.escape: packets are
hostile. Numbers the script needs live in data-* attributes; no capture data is put inside a <script>.

The timelines work without JavaScript (positions are computed here); with it, Ctrl/Shift + wheel zooms
all timelines together around the pointer, dragging pans, a double-click or the reset button shows the
whole capture again, and the axes relabel themselves.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime
from html import escape
from typing import TextIO

from vrrpcap import __version__
from vrrpcap.findings import CODES, Finding, Severity
from vrrpcap.render.common import clock, duration
from vrrpcap.render.plot import (
    RULE_CODES,
    SPAN_CODES,
    capture_window,
    failover_text,
    lane_findings,
    pack_rows,
    priority_text,
    red_text,
    router_colours,
    time_extent,
)
from vrrpcap.report import Report
from vrrpcap.report.model import Mastership, VirtualRouter

# Timeline geometry in SVG user units (the viewBox is VIEW_W wide; the page scales it).
VIEW_W = 1000.0
X0, X1 = 6.0, 994.0
ROW_H, BAR_H = 26.0, 18.0
TOP_PAD, SLIM_PAD, BOTTOM_PAD, AXIS_H = 24.0, 8.0, 24.0, 22.0
CHAR_W = 6.6  # average glyph width of the 11-unit sans-serif labels, for deciding what fits
MAX_FRAMES_SHOWN = 12

# Tick steps in seconds; the JavaScript has the same list.
STEPS = (
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 31536000,
)  # fmt: skip


def e(value: object) -> str:
    """Escape anything for HTML text and attribute values."""
    return escape(str(value), quote=True)


def render_html(report: Report, out: TextIO) -> None:
    extent = _view_extent(report)
    colours = router_colours(report)
    marks = lane_findings(report)
    anchors = {vr.id: f"vr-{n}" for n, vr in enumerate(report.virtual_routers, 1)}
    names = ", ".join(str(i.path) for i in report.inputs) or "no input"
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n",
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f'<meta name="generator" content="vrrpcap {e(__version__)}">\n',
        f"<title>VRRP audit: {e(names)}</title>\n<style>{CSS}</style>\n</head>\n",
        f'<body data-t0="{extent[0]!r}" data-t1="{extent[1]!r}">\n',
        _header(report, names),
        _summary(report, anchors, colours),
        _findings(report, anchors),
        _timelines(report, extent, colours, marks),
        _delivery(report),
        _inputs(report),
        _footer(report),
        _DEFS,
        f"<script>{JS}</script>\n</body>\n</html>\n",
    ]
    out.write("".join(parts))


# -- sections ------------------------------------------------------------------------------------------


def _header(report: Report, names: str) -> str:
    worst = report.worst()
    counts = {s: report.count(s) for s in Severity}
    if worst is None:
        verdict = '<span class="verdict ok">no findings</span>'
    else:
        verdict = f'<span class="verdict sev-{e(worst.label)}">{_counts_text(counts)}</span>'
    window = capture_window(report)
    span = f"{e(clock(window[0]))} to {e(clock(window[1]))} UTC" if window else "no packets"
    return (
        "<header><h1>VRRP audit</h1>\n"
        f'<p class="sub">{e(names)} &middot; {span} &middot; {verdict}</p>\n'
        '<nav><a href="#summary">Summary</a><a href="#findings">Findings</a><a href="#timelines">Timelines</a>'
        '<a href="#delivery">Unicast / multicast</a><a href="#inputs">Inputs</a></nav></header>\n<main>\n'
    )


def _counts_text(counts: dict[Severity, int]) -> str:
    words = []
    for severity in sorted(Severity, reverse=True):
        n = counts.get(severity, 0)
        if n:
            words.append(f"{n} {severity.label}{'s' if n != 1 and severity is not Severity.INFO else ''}")
    return ", ".join(words) or "no findings"


def _summary(report: Report, anchors: dict[str, str], colours: dict[str, str]) -> str:
    summary = report.summary.as_dict()
    cards = [
        ("virtual routers", summary["virtual_routers"], ""),
        ("adverts", summary["adverts"], ""),
        ("failovers", summary["failovers"], ""),
        ("errors", report.count(Severity.ERROR), "sev-error" if report.count(Severity.ERROR) else ""),
        ("warnings", report.count(Severity.WARNING), "sev-warning" if report.count(Severity.WARNING) else ""),
        ("info", report.count(Severity.INFO), ""),
    ]
    html = ['<section id="summary"><h2>Summary</h2>\n<div class="cards">']
    for label, value, cls in cards:
        html.append(f'<div class="card {cls}"><b>{e(value)}</b><span>{e(label)}</span></div>')
    html.append("</div>\n")
    if not report.virtual_routers:
        html.append("<p>No VRRP adverts in the capture.</p></section>\n")
        return "".join(html)
    errors_by_vr = Counter(f.vr for f in report.findings if f.severity >= Severity.WARNING)
    html.append(
        '<table class="vrs"><thead><tr><th>virtual router</th><th>VRID</th><th>family</th><th>delivery</th>'
        "<th>version</th><th>VIPs</th><th>routers (priority)</th><th>master at the end</th><th>failovers</th>"
        "<th>problems</th></tr></thead><tbody>\n"
    )
    for vr in report.virtual_routers:
        routers = " ".join(
            f'<span class="router">{_swatch(colours, r.address)}{e(r.address)} '
            f"({e('/'.join(str(p) for p in r.priorities))})</span>"
            for r in vr.routers
        )
        at_end = [m.router for m in vr.masters if not m.end_observed]
        current = e(", ".join(at_end)) if at_end else '<span class="muted">none</span>'
        problems = errors_by_vr.get(vr.id, 0)
        html.append(
            f'<tr><td><a href="#{anchors[vr.id]}">{e(vr.id)}</a></td><td>{vr.vrid}</td><td>{e(vr.family)}</td>'
            f"<td>{e(vr.delivery)}</td><td>{e(', '.join(f'v{v}' for v in vr.versions))}</td>"
            f"<td>{e(', '.join(vr.vips))}</td><td>{routers}</td><td>{current}</td>"
            f'<td class="num">{len(vr.failovers)}</td>'
            f'<td class="num{" warn" if problems else ""}">{problems}</td></tr>\n'
        )
    html.append("</tbody></table>\n</section>\n")
    return "".join(html)


def _findings(report: Report, anchors: dict[str, str]) -> str:
    html = [f'<section id="findings"><h2>Findings <small>({len(report.findings)})</small></h2>\n']
    if not report.findings:
        html.append("<p>No findings.</p></section>\n")
        return "".join(html)
    html.append(
        '<p class="hint"><input type="search" id="finding-filter" placeholder="filter findings" '
        'aria-label="filter findings"> Click a column header to sort.</p>\n'
        '<table class="sortable" id="findings-table"><thead><tr>'
        '<th data-type="num" aria-sort="descending">severity</th><th>code</th><th>virtual router</th>'
        '<th data-type="num">start (UTC)</th><th data-type="num">duration</th><th>routers</th>'
        '<th>message</th><th data-type="num">frames</th></tr></thead><tbody>\n'
    )
    for f in report.findings:
        html.append(_finding_row(f, anchors))
    html.append("</tbody></table>\n</section>\n")
    return "".join(html)


def _finding_row(f: Finding, anchors: dict[str, str]) -> str:
    title = CODES[f.code].title if f.code in CODES else ""
    if f.vr is None:
        vr_cell = '<span class="muted">capture-wide</span>'
    elif f.vr in anchors:
        vr_cell = f'<a href="#{anchors[f.vr]}">{e(f.vr)}</a>'
    else:
        vr_cell = e(f.vr)
    length = (f.end - f.start) if f.start is not None and f.end is not None else None
    frames = ", ".join(str(n) for n in f.frames[:MAX_FRAMES_SHOWN])
    if len(f.frames) > MAX_FRAMES_SHOWN:
        frames += f" &hellip; ({len(f.frames)})"
    return (
        f'<tr class="sev-{e(f.severity.label)}" data-code="{e(f.code)}">'
        f'<td data-v="{int(f.severity)}"><span class="badge sev-{e(f.severity.label)}">'
        f"{e(f.severity.label)}</span></td>"
        f'<td title="{e(title)}"><code>{e(f.code)}</code></td><td>{vr_cell}</td>'
        f'<td data-v="{f.start if f.start is not None else 0}">{e(clock(f.start))}</td>'
        f'<td data-v="{length if length is not None else -1}">{e(duration(length)) if length else ""}</td>'
        f"<td>{e(', '.join(r for r in f.routers if r))}</td><td>{e(f.message)}</td>"
        f'<td data-v="{f.frames[0] if f.frames else 0}">{frames}</td></tr>\n'
    )


def _timelines(
    report: Report, extent: tuple[float, float], colours: dict[str, str], marks: dict[str, list[Finding]]
) -> str:
    html = ['<section id="timelines"><h2>Timelines</h2>\n']
    if not report.virtual_routers:
        html.append("<p>Nothing to draw.</p></section>\n")
        return "".join(html)
    html.append(
        '<p class="hint tl-controls"><button type="button" data-zoom="in">zoom in</button>'
        '<button type="button" data-zoom="out">zoom out</button>'
        '<button type="button" data-zoom="reset">whole capture</button> '
        "Ctrl or Shift + mouse wheel zooms all timelines together, dragging pans, a double-click resets. "
        "Faded bar ends (&#9664; &#9654;): master before the capture began or after it ended. "
        '<span class="key-red">Red</span>: split brain, VRID collision, missed adverts.</p>\n'
    )
    window = capture_window(report) or ()
    for n, vr in enumerate(report.virtual_routers, 1):
        html.append(_timeline(vr, n, extent, window, colours, marks.get(vr.id, [])))
    html.append("</section>\n")
    return "".join(html)


def _timeline(
    vr: VirtualRouter,
    n: int,
    extent: tuple[float, float],
    window: tuple[float, ...],
    colours: dict[str, str],
    findings: list[Finding],
) -> str:
    rows = pack_rows(vr.masters)
    nrows = max(rows, default=0) + 1
    top_pad = TOP_PAD if vr.failovers or any(f.code in SPAN_CODES for f in findings) else SLIM_PAD
    bottom_pad = BOTTOM_PAD if any(f.code in RULE_CODES for f in findings) else SLIM_PAD
    rows_top = top_pad
    rows_bottom = top_pad + nrows * ROW_H
    plot_h = rows_bottom + bottom_pad
    height = plot_h + AXIS_H
    xs = _Scale(extent)
    svg = [
        f'<svg class="tl" viewBox="0 0 {VIEW_W:g} {height:g}" data-plot-h="{plot_h:g}" role="img" '
        f'aria-label="mastership timeline of {e(vr.id)}">',
        f'<clipPath id="clip-{n}"><rect x="{X0:g}" y="0" width="{X1 - X0:g}" height="{plot_h:g}"/></clipPath>',
        f'<rect class="plot-bg" x="{X0:g}" y="0" width="{X1 - X0:g}" height="{plot_h:g}"/>',
        f'<g class="axis">{_axis_ticks(extent, plot_h)}</g>',
        f'<g clip-path="url(#clip-{n})">',
    ]
    for f in findings:
        if f.code in SPAN_CODES and f.start is not None:
            end = f.end if f.end is not None else f.start
            svg.append(
                f'<rect class="red-span" data-code="{e(f.code)}" data-t0="{f.start!r}" data-t1="{end!r}" '
                f'x="{xs.x(f.start):.2f}" y="1" width="{xs.w(f.start, end):.2f}" height="{plot_h - 2:g}">'
                f"<title>{e(f.code)}: {e(f.message)}</title></rect>"
            )
            text = red_text(f)
            svg.append(
                f'<text class="red-label" data-t="{end!r}" data-anchor="end" data-w="{len(text) * CHAR_W:.0f}" '
                f'x="{xs.x(end) - 3:.2f}" y="{top_pad * 0.62:g}" text-anchor="end">{e(text)}</text>'
            )
    # Longest first: a one-advert mastership (a sliver) is drawn over the neighbour it touches.
    for m, row in sorted(zip(vr.masters, rows, strict=True), key=lambda mr: mr[0].start - mr[0].end):
        svg.append(_bar(m, rows_top + row * ROW_H + (ROW_H - BAR_H) / 2, colours.get(m.router, "#1f77b4"), xs))
    for fo in vr.failovers:
        x = xs.x(fo.time)
        if fo.takeover_s is not None and fo.takeover_s > 0:
            start = fo.time - fo.takeover_s
            y = top_pad * 0.55
            svg.append(
                f'<line class="bracket" data-t0="{start!r}" data-t1="{fo.time!r}" x1="{xs.x(start):.2f}" '
                f'x2="{x:.2f}" y1="{y:g}" y2="{y:g}"/>'
                f'<line class="bracket-end" data-t="{start!r}" x1="{xs.x(start):.2f}" x2="{xs.x(start):.2f}" '
                f'y1="{y - 4:g}" y2="{y + 4:g}"/>'
            )
        text = failover_text(fo)
        who = f"{fo.from_router or '?'} \u2192 {fo.to_router}"
        width = len(text) * CHAR_W
        right = x + 3 + width <= X1  # label right of the tick, or left of it at the right edge
        svg.append(
            f'<line class="failover" data-t="{fo.time!r}" x1="{x:.2f}" x2="{x:.2f}" y1="{top_pad * 0.2:g}" '
            f'y2="{rows_bottom:g}"><title>{e(clock(fo.time))} failover {e(who)}: {e(text)}</title></line>'
            f'<text class="fo-label" data-t="{fo.time!r}" data-w="{width:.0f}" x="{x + 3 if right else x - 3:.2f}" '
            f'y="{top_pad * 0.62:g}" text-anchor="{"start" if right else "end"}">{e(text)}</text>'
        )
    for f in findings:
        if f.code in RULE_CODES and f.start is not None:
            end = f.end if f.end is not None else f.start
            y = rows_bottom + 5
            text = red_text(f)
            width = len(text) * CHAR_W * 10 / 11  # the rule's label is 10 units high, not 11
            x = _rule_label_at(xs.x(f.start), width)
            svg.append(
                f'<line class="red-rule" data-code="{e(f.code)}" data-t0="{f.start!r}" data-t1="{end!r}" '
                f'x1="{xs.x(f.start):.2f}" x2="{xs.x(end):.2f}" y1="{y:g}" y2="{y:g}">'
                f"<title>{e(f.code)}: {e(f.message)}</title></line>"
                f'<text class="rule-label" data-s="{f.start!r}" data-t="{end!r}" data-w="{width:.0f}" '
                f'x="{x:.2f}" y="{y + 14:g}">{e(text)}</text>'
            )
    for t in window:
        svg.append(f'<line class="edge" data-t="{t!r}" x1="{xs.x(t):.2f}" x2="{xs.x(t):.2f}" y1="0" y2="{plot_h:g}"/>')
    svg.append("</g></svg>")
    routers = "".join(
        f"<tr><td>{_swatch(colours, r.address)}{e(r.address)}</td><td>{e('/'.join(map(str, r.priorities)))}</td>"
        f"<td>{e('/'.join(f'{i:g} s' for i in r.intervals))}</td><td>{e('/'.join(f'v{v}' for v in r.versions))}</td>"
        f"<td>{e(', '.join(r.deliveries))}</td><td>{e(', '.join(r.unicast_peers)) or '-'}</td>"
        f'<td>{e(", ".join(r.auth))}</td><td class="num">{r.adverts}</td>'
        f"<td>{e(clock(r.first_seen, date=False))} to {e(clock(r.last_seen, date=False))}</td></tr>"
        for r in vr.routers
    )
    badge = f' <span class="badge sev-error">{len(findings)} marked in red</span>' if findings else ""
    return (
        f'<article class="vr" id="vr-{n}"><h3>{e(vr.id)}{badge}</h3>\n'
        f'<p class="meta">VRID {vr.vrid} &middot; {e(vr.family)} &middot; {e(vr.delivery)} &middot; '
        f"VIPs {e(', '.join(vr.vips) or 'none')} &middot; {vr.adverts} adverts &middot; "
        f"{len(vr.masters)} mastership interval(s), {len(vr.failovers)} failover(s)</p>\n"
        f"{''.join(svg)}\n"
        '<details><summary>routers</summary><table class="routers"><thead><tr><th>router</th><th>priority</th>'
        "<th>interval</th><th>version</th><th>delivery</th><th>unicast peers</th><th>auth</th><th>adverts</th>"
        f"<th>seen (UTC)</th></tr></thead><tbody>{routers}</tbody></table></details></article>\n"
    )


def _bar(m: Mastership, y: float, colour: str, xs: _Scale) -> str:
    label = f"{m.router}  {priority_text(m)}"
    began = "first advert" if m.start_observed else "master before the capture began"
    ended = m.end_cause if m.end_observed else "still master when the capture ended"
    tip = (
        f"{m.router} master {clock(m.start)} to {clock(m.end)} UTC ({duration(m.end - m.start)}), "
        f"{m.adverts} adverts, {priority_text(m)}; began: {began}; ended: {ended}"
    )
    times = f'data-t0="{m.start!r}" data-t1="{m.end!r}"'
    x, w = xs.x(m.start), xs.w(m.start, m.end)
    parts = [
        f'<g class="master" data-router="{e(m.router)}">'
        f'<rect class="bar" {times} x="{x:.2f}" y="{y:g}" width="{w:.2f}" height="{BAR_H:g}" fill="{colour}">'
        f"<title>{e(tip)}</title></rect>"
    ]
    fade = min(w * 0.3, 40.0)
    if not m.start_observed:
        parts.append(
            f'<rect class="fade" data-fade="l" {times} x="{x:.2f}" y="{y:g}" width="{fade:.2f}" height="{BAR_H:g}" '
            'fill="url(#veil-l)"/>'
            f'<text class="open" data-t="{m.start!r}" data-dx="-2" x="{x - 2:.2f}" y="{y + BAR_H - 5:g}" '
            f'text-anchor="end" fill="{colour}">&#9664;</text>'
        )
    if not m.end_observed:
        parts.append(
            f'<rect class="fade" data-fade="r" {times} x="{x + w - fade:.2f}" y="{y:g}" width="{fade:.2f}" '
            f'height="{BAR_H:g}" fill="url(#veil-r)"/>'
            f'<text class="open" data-t="{m.end!r}" data-dx="2" x="{x + w + 2:.2f}" y="{y + BAR_H - 5:g}" '
            f'fill="{colour}">&#9654;</text>'
        )
    ink = "#111" if _light(colour) else "#fff"
    hidden = "" if len(label) * CHAR_W + 8 < w else ' visibility="hidden"'
    parts.append(
        f'<text class="bar-label" {times} data-w="{len(label) * CHAR_W:.0f}" x="{x + w / 2:.2f}" '
        f'y="{y + BAR_H - 5:g}" text-anchor="middle" fill="{ink}"{hidden}>'
        f"{e(label)}</text></g>"
    )
    return "".join(parts)


def _delivery(report: Report) -> str:
    vrs = report.virtual_routers
    summary = report.summary.as_dict()
    total = summary["multicast_adverts"] + summary["unicast_adverts"]
    share = 100.0 * summary["multicast_adverts"] / total if total else 0.0
    html = [
        '<section id="delivery"><h2>Unicast / multicast</h2>\n',
        f'<div class="share" title="multicast {share:.1f}%"><span class="mc" style="width:{share:.2f}%"></span></div>',
        f'<p class="legend-line"><span class="dot mc"></span>multicast {summary["multicast_adverts"]} adverts '
        f'&middot; <span class="dot uc"></span>unicast {summary["unicast_adverts"]} adverts'
        + (f" &middot; CARP {summary['carp_adverts']} (not VRRP)" if summary["carp_adverts"] else "")
        + "</p>\n",
        '<table class="breakdown"><thead><tr><th>family</th><th>delivery</th><th>virtual routers</th>'
        "<th>adverts</th><th>multicast adverts</th><th>unicast adverts</th></tr></thead><tbody>\n",
    ]
    groups: dict[tuple[str, str], list[VirtualRouter]] = {}
    for vr in vrs:
        groups.setdefault((vr.family, vr.delivery), []).append(vr)
    for (family, delivery), members in sorted(groups.items()):
        warn = ' class="warn"' if delivery == "mixed" else ""
        html.append(
            f'<tr{warn}><td>{e(family)}</td><td>{e(delivery)}</td><td class="num">{len(members)}</td>'
            f'<td class="num">{sum(v.adverts for v in members)}</td>'
            f'<td class="num">{sum(v.multicast_adverts for v in members)}</td>'
            f'<td class="num">{sum(v.unicast_adverts for v in members)}</td></tr>\n'
        )
    if not groups:
        html.append('<tr><td colspan="6">no virtual routers</td></tr>\n')
    html.append("</tbody></table>\n</section>\n")
    return "".join(html)


def _inputs(report: Report) -> str:
    html = [
        '<section id="inputs"><h2>Inputs</h2>\n<table class="inputs"><thead><tr><th>file</th><th>format</th>'
        "<th>frames</th><th>VRRP records</th><th>first (UTC)</th><th>last (UTC)</th><th>capture drops</th>"
        "<th>problems</th></tr></thead><tbody>\n"
    ]
    for item in report.inputs:
        fmt = str(item.format or "")
        if item.compression:
            fmt += f" ({item.compression})"
        drops = item.capture_drops
        problems = item.problems
        html.append(
            f'<tr><td>{e(item.path)}</td><td>{e(fmt)}</td><td class="num">{e(item.packets)}</td>'
            f'<td class="num">{e(item.adverts)}</td><td>{e(clock(item.first_time))}</td>'
            f"<td>{e(clock(item.last_time))}</td>"
            f'<td class="num{" warn" if drops else ""}">{e(drops if drops is not None else "-")}</td>'
            f"<td>{'<br>'.join(e(p) for p in problems) or '-'}</td></tr>\n"
        )
    html.append("</tbody></table>\n</section>\n")
    return "".join(html)


def _footer(report: Report) -> str:
    o = report.options
    return (
        f"</main>\n<footer>vrrpcap {e(__version__)} &middot; split brain after {o.settle_intervals:g} intervals "
        f"of overlap &middot; missed adverts beyond {o.missed_factor:g} intervals &middot; flapping: more than "
        f"{o.flap_changes} master changes in {o.flap_window:g} s &middot; times in UTC</footer>\n"
    )


# -- helpers ------------------------------------------------------------------------------------------


class _Scale:
    def __init__(self, extent: tuple[float, float]) -> None:
        self.t0, self.t1 = extent

    def x(self, t: float) -> float:
        return X0 + (t - self.t0) * (X1 - X0) / (self.t1 - self.t0)

    def w(self, t0: float, t1: float) -> float:
        return max(2.0, self.x(t1) - self.x(t0))


def _rule_label_at(start: float, width: float) -> float:
    """A missed-adverts label sits under its rule, from the rule's start, and inside the plot."""
    return min(max(start, X0) + 2, X1 - width)


def _view_extent(report: Report) -> tuple[float, float]:
    extent = time_extent(report)
    if extent is None:
        return (0.0, 10.0)
    t0, t1 = extent
    if t1 - t0 < 6.0:
        mid = (t0 + t1) / 2
        t0, t1 = mid - 3.0, mid + 3.0
    pad = (t1 - t0) * 0.02
    return (t0 - pad, t1 + pad)


def _axis_ticks(extent: tuple[float, float], plot_h: float) -> str:
    t0, t1 = extent
    step = next((s for s in STEPS if (t1 - t0) / s <= 8), STEPS[-1])
    xs = _Scale(extent)
    out = []
    t = math.ceil(t0 / step) * step
    while t <= t1:
        x = xs.x(t)
        text = _tick_label(t, step)
        out.append(f'<line class="grid" x1="{x:.2f}" x2="{x:.2f}" y1="0" y2="{plot_h:g}"/>')
        if x - len(text) * CHAR_W / 2 >= 0 and x + len(text) * CHAR_W / 2 <= VIEW_W:
            out.append(f'<text x="{x:.2f}" y="{plot_h + 15:g}" text-anchor="middle">{e(text)}</text>')
        t += step
    return "".join(out)


def _tick_label(t: float, step: float) -> str:
    try:
        when = datetime.fromtimestamp(t, UTC)
    except (ValueError, OSError, OverflowError):
        return f"{t:.3f}"
    if step >= 86400:
        return when.strftime("%Y-%m-%d")
    if step < 1:
        return when.strftime("%H:%M:%S.%f")[:-3]
    return when.strftime("%H:%M:%S")


def _swatch(colours: dict[str, str], address: str) -> str:
    return f'<i class="sw" style="background:{colours.get(address, "#999")}"></i>'


def _light(colour: str) -> bool:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b > 0.6


_DEFS = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
    '<linearGradient id="veil-l"><stop offset="0" stop-color="#fff" stop-opacity="0.8"/>'
    '<stop offset="1" stop-color="#fff" stop-opacity="0"/></linearGradient>'
    '<linearGradient id="veil-r"><stop offset="0" stop-color="#fff" stop-opacity="0"/>'
    '<stop offset="1" stop-color="#fff" stop-opacity="0.8"/></linearGradient>'
    "</defs></svg>\n"
)

CSS = """
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#fff;--alt:#f6f8fa;--red:#d62728;--amber:#9a6700;
--blue:#0969da}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);
background:var(--bg)}
header{padding:14px 24px 0;border-bottom:1px solid var(--line);background:var(--alt)}
h1{margin:0;font-size:22px}
.sub{margin:4px 0 8px;color:var(--muted)}
nav a{display:inline-block;margin-right:18px;padding:6px 0;color:var(--blue);text-decoration:none}
main{padding:0 24px 24px;max-width:1400px}
h2{margin:26px 0 10px;font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px}
h2 small{color:var(--muted);font-weight:normal}
h3{margin:18px 0 2px;font-size:15px;font-family:ui-monospace,"DejaVu Sans Mono",monospace}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top}
th{background:var(--alt);font-weight:600;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.warn,tr.warn td{background:#fff8c5}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th::after{content:" \\2195";color:#aaa}
table.sortable th[aria-sort=ascending]::after{content:" \\25B2";color:var(--fg)}
table.sortable th[aria-sort=descending]::after{content:" \\25BC";color:var(--fg)}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:120px;background:var(--alt)}
.card b{display:block;font-size:24px}
.card span{color:var(--muted)}
.card.sev-error{border-color:var(--red);color:var(--red)}
.card.sev-warning{border-color:var(--amber);color:var(--amber)}
.verdict{font-weight:600}
.verdict.ok{color:#1a7f37}
.sev-error .badge,.badge.sev-error{background:var(--red)}
.badge{display:inline-block;color:#fff;border-radius:10px;padding:0 8px;font-size:12px;background:var(--muted)}
.badge.sev-warning{background:var(--amber)}
.badge.sev-info{background:var(--blue)}
span.verdict.sev-error{color:var(--red)}
span.verdict.sev-warning{color:var(--amber)}
span.verdict.sev-info{color:var(--blue)}
.muted{color:var(--muted)}
.hint{color:var(--muted);font-size:13px}
.hint input{font:inherit;padding:3px 6px;width:260px;margin-right:8px}
.tl-controls button{font:inherit;margin-right:6px;padding:2px 10px;cursor:pointer}
.key-red{color:var(--red);font-weight:600}
.router{white-space:nowrap;margin-right:8px}
i.sw{display:inline-block;width:11px;height:11px;border:1px solid #333;margin-right:4px;vertical-align:-1px}
.meta{margin:0 0 4px;color:var(--muted);font-size:13px}
svg.tl{display:block;width:100%;height:auto;max-width:1400px;font:11px "DejaVu Sans",system-ui,sans-serif;
cursor:grab;touch-action:none;user-select:none}
svg.tl.dragging{cursor:grabbing}
svg.tl .plot-bg{fill:#fbfcfd;stroke:#d0d7de}
svg.tl .grid{stroke:#e3e6ea}
svg.tl .axis text{fill:#57606a}
svg.tl .bar{stroke:#333;stroke-width:.6}
svg.tl .failover{stroke:#000;stroke-width:1.6}
svg.tl .bracket,svg.tl .bracket-end{stroke:#000;stroke-width:1}
svg.tl .fo-label{font-weight:700;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg.tl .red-span{fill:rgba(214,39,40,.15);stroke:var(--red);stroke-width:1.4}
svg.tl .red-label{fill:var(--red);font-weight:700;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg.tl .red-rule{stroke:var(--red);stroke-width:4}
svg.tl .rule-label{fill:var(--red);font-size:10px;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg.tl .edge{stroke:#6b7280;stroke-dasharray:3 3}
svg.tl .open{font-size:10px}
details{margin:4px 0 10px}
summary{cursor:pointer;color:var(--muted);font-size:13px}
table.routers{font-size:13px}
.share{height:14px;border-radius:7px;background:#8250df;overflow:hidden;max-width:600px;margin-top:6px}
.share .mc{display:block;height:100%;background:#1f77b4}
.dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin:0 4px 0 0}
.dot.mc{background:#1f77b4}.dot.uc{background:#8250df}
footer{padding:12px 24px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
td code{white-space:nowrap}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
@media print{nav,.tl-controls,#finding-filter{display:none}}
"""

JS = r"""
(function () {
  "use strict";
  var X0 = 6, X1 = 994, W = 1000;
  var STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900,
    1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 31536000];
  var body = document.body;
  var full = [parseFloat(body.dataset.t0), parseFloat(body.dataset.t1)];
  var view = full.slice();
  var SVGNS = "http://www.w3.org/2000/svg";

  function pad(n, w) { n = String(n); while (n.length < w) { n = "0" + n; } return n; }
  function label(t, step) {
    var d = new Date(Math.round(t * 1000));
    if (isNaN(d.getTime())) { return t.toFixed(3); }
    if (step >= 86400) {
      return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2);
    }
    var s = pad(d.getUTCHours(), 2) + ":" + pad(d.getUTCMinutes(), 2) + ":" + pad(d.getUTCSeconds(), 2);
    return step < 1 ? s + "." + pad(d.getUTCMilliseconds(), 3) : s;
  }
  function num(el, name) { return parseFloat(el.getAttribute(name)); }
  function set(el, name, value) { el.setAttribute(name, value.toFixed(2)); }

  function draw() {
    var span = view[1] - view[0], k = (X1 - X0) / span;
    function x(t) { return Math.max(-1e6, Math.min(1e6, X0 + (t - view[0]) * k)); }
    var step = STEPS[STEPS.length - 1];
    for (var i = 0; i < STEPS.length; i++) { if (span / STEPS[i] <= 8) { step = STEPS[i]; break; } }
    var svgs = document.querySelectorAll("svg.tl");
    for (var s = 0; s < svgs.length; s++) {
      var svg = svgs[s], plotH = parseFloat(svg.dataset.plotH);
      var axis = svg.querySelector("g.axis");
      while (axis.firstChild) { axis.removeChild(axis.firstChild); }
      for (var t = Math.ceil(view[0] / step) * step; t <= view[1]; t += step) {
        var gx = x(t);
        var line = document.createElementNS(SVGNS, "line");
        line.setAttribute("class", "grid");
        set(line, "x1", gx); set(line, "x2", gx); line.setAttribute("y1", "0"); line.setAttribute("y2", plotH);
        axis.appendChild(line);
        var words = label(t, step), half = words.length * 6.6 / 2;
        if (gx - half < 0 || gx + half > W) { continue; }
        var text = document.createElementNS(SVGNS, "text");
        set(text, "x", gx); text.setAttribute("y", plotH + 15); text.setAttribute("text-anchor", "middle");
        text.textContent = words;
        axis.appendChild(text);
      }
      var els = svg.querySelectorAll("[data-t0],[data-t]");
      var foRight = -1e9;
      for (var j = 0; j < els.length; j++) {
        var el = els[j], tag = el.tagName.toLowerCase(), cls = el.getAttribute("class") || "";
        if (el.hasAttribute("data-t0")) {
          var a = x(num(el, "data-t0")), b = x(num(el, "data-t1"));
          if (tag === "line") { set(el, "x1", a); set(el, "x2", b); continue; }
          var w = Math.max(2, b - a);
          if (cls === "fade") {
            var fw = Math.min(w * 0.3, 40);
            set(el, "x", el.dataset.fade === "l" ? a : a + w - fw); set(el, "width", fw);
          } else if (cls === "bar-label") {
            var lo = Math.max(a, X0), hi = Math.min(a + w, X1);
            set(el, "x", (lo + hi) / 2);
            el.setAttribute("visibility", hi - lo > num(el, "data-w") + 8 ? "visible" : "hidden");
          } else {
            set(el, "x", a); set(el, "width", w);
          }
        } else {
          var p = x(num(el, "data-t"));
          if (tag === "line") { set(el, "x1", p); set(el, "x2", p); continue; }
          if (cls === "fo-label") {
            var lw = num(el, "data-w"), right = p + 3 + lw <= X1;
            var left = right ? p + 3 : p - 3 - lw;
            set(el, "x", right ? p + 3 : p - 3);
            el.setAttribute("text-anchor", right ? "start" : "end");
            var ok = left >= foRight;
            el.setAttribute("visibility", ok ? "visible" : "hidden");
            if (ok) { foRight = left + lw + 6; }
          } else if (cls === "red-label") {
            set(el, "x", Math.min(p, X1) - 3);
          } else if (cls === "rule-label") {
            set(el, "x", Math.min(Math.max(x(num(el, "data-s")), X0) + 2, X1 - num(el, "data-w")));
          } else {
            set(el, "x", p + parseFloat(el.dataset.dx || "0"));
          }
        }
      }
    }
  }

  function zoom(factor, at) {
    var span = view[1] - view[0], fullSpan = full[1] - full[0];
    var next = Math.min(fullSpan, Math.max(0.05, span * factor));
    if (at === undefined) { at = (view[0] + view[1]) / 2; }
    var f = (at - view[0]) / span;
    view = [at - f * next, at - f * next + next];
    clamp();
    draw();
  }
  function clamp() {
    var span = view[1] - view[0];
    if (view[0] < full[0]) { view = [full[0], full[0] + span]; }
    if (view[1] > full[1]) { view = [full[1] - span, full[1]]; }
  }
  function timeAt(svg, clientX) {
    var r = svg.getBoundingClientRect();
    var px = (clientX - r.left) * W / r.width;
    return view[0] + (px - X0) * (view[1] - view[0]) / (X1 - X0);
  }

  var svgs = document.querySelectorAll("svg.tl");
  for (var i = 0; i < svgs.length; i++) {
    (function (svg) {
      svg.addEventListener("wheel", function (ev) {
        if (!ev.ctrlKey && !ev.shiftKey && !ev.metaKey) { return; }
        ev.preventDefault();
        var delta = ev.deltaY || ev.deltaX;
        zoom(Math.exp(delta * 0.0015), timeAt(svg, ev.clientX));
      }, {passive: false});
      var drag = null;
      svg.addEventListener("pointerdown", function (ev) {
        drag = {x: ev.clientX, view: view.slice()};
        svg.classList.add("dragging");
        if (svg.setPointerCapture) { svg.setPointerCapture(ev.pointerId); }
      });
      svg.addEventListener("pointermove", function (ev) {
        if (!drag) { return; }
        var r = svg.getBoundingClientRect();
        var dt = (ev.clientX - drag.x) * W / r.width * (drag.view[1] - drag.view[0]) / (X1 - X0);
        view = [drag.view[0] - dt, drag.view[1] - dt];
        clamp();
        draw();
      });
      function end() { drag = null; svg.classList.remove("dragging"); }
      svg.addEventListener("pointerup", end);
      svg.addEventListener("pointercancel", end);
      svg.addEventListener("dblclick", function () { view = full.slice(); draw(); });
    })(svgs[i]);
  }
  var buttons = document.querySelectorAll("[data-zoom]");
  for (var b = 0; b < buttons.length; b++) {
    buttons[b].addEventListener("click", function (ev) {
      var what = ev.currentTarget.getAttribute("data-zoom");
      if (what === "in") { zoom(0.5); } else if (what === "out") { zoom(2); } else { view = full.slice(); draw(); }
    });
  }

  // Findings: sort by clicking a header, filter by text.
  var table = document.getElementById("findings-table");
  if (table) {
    var heads = table.querySelectorAll("th");
    for (var h = 0; h < heads.length; h++) {
      (function (th, col) {
        th.addEventListener("click", function () {
          var numeric = th.getAttribute("data-type") === "num";
          var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
          for (var o = 0; o < heads.length; o++) { heads[o].removeAttribute("aria-sort"); }
          th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
          var tbody = table.tBodies[0];
          var rows = Array.prototype.slice.call(tbody.rows);
          rows.forEach(function (row, n) { row._n = n; });
          rows.sort(function (r1, r2) {
            var c1 = r1.cells[col], c2 = r2.cells[col], v1, v2;
            if (numeric) {
              v1 = parseFloat(c1.getAttribute("data-v")); v2 = parseFloat(c2.getAttribute("data-v"));
            } else {
              v1 = c1.textContent.toLowerCase(); v2 = c2.textContent.toLowerCase();
            }
            return v1 < v2 ? -dir : v1 > v2 ? dir : r1._n - r2._n;
          });
          rows.forEach(function (row) { tbody.appendChild(row); });
        });
      })(heads[h], h);
    }
    var filter = document.getElementById("finding-filter");
    filter.addEventListener("input", function () {
      var q = filter.value.toLowerCase();
      var rows = table.tBodies[0].rows;
      for (var r = 0; r < rows.length; r++) {
        rows[r].style.display = rows[r].textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
      }
    });
  }
  draw();
  document.documentElement.setAttribute("data-ready", "1");
})();
"""
