"""The audit as one self-contained HTML file: summary, sortable findings, a timeline per virtual router,
unicast/multicast breakdown, inputs.

No network: the CSS and the (small, vanilla) JavaScript are inline, the timelines are inline SVG, and a
Content-Security-Policy forbids the page from loading anything. The page is a jinja2 template
(vrrpcap/render/templates/report.html.j2, autoescaped) over a typed view model (_page.py,
_timeline.py); the timelines share their layout model with the PNG plot (vrrpcap/render/layout.py).
Every string that came from a capture (addresses, interface names, messages quoting them, file names)
is data: escaped where it lands, and in the script's JSON escaped for a <script> element.

The timelines work without JavaScript (positions are computed here); with it, Ctrl/Shift + wheel zooms
all timelines together around the pointer, dragging pans, a double-click or the reset button shows the
whole capture again, and the axes and labels follow.
"""

from __future__ import annotations

from typing import TextIO

from vrrpcap.render.html._env import asset, environment
from vrrpcap.render.html._page import PageView, page_view
from vrrpcap.render.html._timeline import script_data
from vrrpcap.report import Report
from vrrpcap.times import UTC_ZONE, Zone

__all__ = ["PageView", "page_view", "render_html"]


def render_html(report: Report, out: TextIO, zone: Zone = UTC_ZONE) -> None:
    page, layout = page_view(report, zone)
    template = environment().get_template("report.html.j2")
    for chunk in template.generate(page=page, data=script_data(layout), css=asset("report.css"), js=asset("report.js")):
        out.write(chunk)
