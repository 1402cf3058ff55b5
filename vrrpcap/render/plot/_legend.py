"""The legends under a page: which router each colour is (wrapping into as many rows as it needs),
and what the marks mean."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vrrpcap.render.layout import PALETTE, RED, Lane
from vrrpcap.render.plot._style import (
    FIG_WIDTH,
    FONT,
    LEGEND_ALL_ROUTERS,
    LEGEND_PAD_IN,
    LEGEND_ROW_IN,
    MAX_LEGEND_ROUTERS,
    text_inches,
)

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure
    from matplotlib.text import Text

KEY_COLUMNS = 4
KEY_ENTRIES = 5  # see _key_handles
HANDLE_IN = (2.0 + 0.8 + 2.0) * FONT / 72  # a handle, the pad after it, the space between columns


@dataclass(frozen=True, slots=True)
class RouterLegend:
    entries: tuple[tuple[str, str], ...]  # (label, colour)
    routers: tuple[str, ...]  # the router each entry names
    more: int  # routers left out (beyond MAX_LEGEND_ROUTERS)
    columns: int

    @property
    def rows(self) -> int:
        shown = len(self.entries) + (1 if self.more else 0)
        return math.ceil(shown / self.columns) if shown else 0


def _numbers(ids: list[tuple[str, int]]) -> str:
    """'VRID 51, 52', 'CARP vhid 51' or both: the numbers a router's bars appear under."""
    parts = [
        f"{name} " + ", ".join(str(v) for p, v in ids if p == protocol)
        for protocol, name in (("vrrp", "VRID"), ("carp", "CARP vhid"))
        if any(p == protocol for p, _ in ids)
    ]
    return "; ".join(parts)


def router_legend(lanes: Sequence[Lane], named: Sequence[tuple[str, bool]], colours: dict[str, str]) -> RouterLegend:
    """The routers to list for a page: all of them when there are few; otherwise those that have a
    bar no label names. Entries sharing a colour add the VRIDs they appear in, so none is ambiguous."""
    order = list(dict.fromkeys(router for router, _ in named))
    if len(order) > LEGEND_ALL_ROUTERS:
        unnamed = {router for router, is_named in named if not is_named}
        order = [r for r in order if r in unnamed]
    shown, more = order[:MAX_LEGEND_ROUTERS], max(0, len(order) - MAX_LEGEND_ROUTERS)
    same = Counter(colours.get(r, PALETTE[0]) for r in shown)
    vrids: dict[str, list[tuple[str, int]]] = {}
    for lane in lanes:
        number = (lane.vr.protocol, lane.vr.vrid)
        for bar in lane.bars:
            ids = vrids.setdefault(bar.master.router, [])
            if number not in ids:
                ids.append(number)
    entries = []
    for router in shown:
        colour = colours.get(router, PALETTE[0])
        label = router
        if same[colour] > 1:
            label += f" ({_numbers(vrids.get(router, []))})"
        entries.append((label, colour))
    widest = max((text_inches(label) for label, _ in entries), default=0.0)
    columns = max(1, min(len(entries) or 1, int((FIG_WIDTH - 0.6) // (widest + HANDLE_IN))))
    return RouterLegend(tuple(entries), tuple(shown), more, columns)


def legend_height(legend: RouterLegend) -> float:
    """Inches under the axis for both legends."""
    key_rows = math.ceil(KEY_ENTRIES / KEY_COLUMNS)
    rows = legend.rows + key_rows
    return rows * LEGEND_ROW_IN + LEGEND_PAD_IN * (2 if legend.rows else 1)


def draw_legends(fig: Figure, legend: RouterLegend, gid: str) -> None:
    from matplotlib.patches import Patch

    key_rows = math.ceil(KEY_ENTRIES / KEY_COLUMNS)
    key = fig.legend(
        handles=_key_handles(),
        loc="lower center",
        ncol=KEY_COLUMNS,
        fontsize=FONT,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
        borderaxespad=0.2,
    )
    _plain(key.get_texts())
    if not legend.rows:
        return
    handles: list[Artist] = [
        Patch(facecolor=colour, edgecolor="#333333", label=label, gid=f"{gid}-{n}")
        for n, (label, colour) in enumerate(legend.entries, 1)
    ]
    if legend.more:
        handles.append(Patch(facecolor="none", edgecolor="none", label=f"(+{legend.more} more routers)"))
    above = (key_rows * LEGEND_ROW_IN + LEGEND_PAD_IN) / fig.get_figheight()
    routers = fig.legend(
        handles=handles,
        loc="lower center",
        ncol=legend.columns,
        fontsize=FONT,
        frameon=False,
        bbox_to_anchor=(0.5, above),
        borderaxespad=0.2,
        handlelength=1.2,
    )
    _plain(routers.get_texts())
    for handle, patch in zip(routers.legend_handles, handles, strict=False):
        if handle is not None:
            handle.set_gid(patch.get_gid())


def _key_handles() -> list[Artist]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return [
        Line2D(
            [],
            [],
            color="#6b7280",
            marker=">",
            linestyle="none",
            markersize=5,
            label="faded end \u25c0 \u25b6: master before the capture began / after it ended",
        ),
        Line2D([], [], color="black", linewidth=1.2, label="failover: cause, old master's last advert to new's first"),
        Patch(facecolor=(0.84, 0.15, 0.16, 0.16), edgecolor=RED, label="split brain / VRID collision"),
        Line2D([], [], color=RED, linewidth=3.0, label="missed adverts (first to last gap)"),
        Line2D([], [], color="#6b7280", linewidth=0.9, linestyle=(0, (2, 2)), label="capture start / end"),
    ]


def _plain(texts: Sequence[Text]) -> None:
    for text in texts:
        text.set_parse_math(False)  # addresses and names are text, never mathtext
