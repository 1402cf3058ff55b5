"""Page geometry and type sizes of the plot (inches, points, and y-axis units of one row of bars)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from vrrpcap.render.layout import light

if TYPE_CHECKING:
    from matplotlib.ft2font import FT2Font

LANES_PER_PAGE = 25
MAX_ROWS_PER_PAGE = 40  # stacked rows (overlapping masters) a page holds before it breaks early
SUFFIXES = (".png", ".svg")

# Lane geometry, in data units of the y axis (1 = one row of bars).
TOP_PAD = 0.75  # failover brackets and labels, split brain / collision titles
BOTTOM_PAD = 0.5  # missed-advert rules
SLIM_PAD = 0.22  # above or below the bars of a lane with nothing to mark there
BAR_HEIGHT = 0.64
INCH_PER_UNIT = 0.3

FIG_WIDTH = 15.0  # inches
LEFT_IN, RIGHT_IN, TOP_IN = 2.9, 0.35, 0.7
AXIS_IN = 0.62  # under the lanes: tick labels and the axis title
LEGEND_ROW_IN = 0.19  # one row of legend entries
LEGEND_PAD_IN = 0.12
TOP_AXIS_LANES, TOP_AXIS_IN = 6, 0.25  # pages with more lanes repeat the time axis on top
MIN_HEIGHT_IN = 3.4
DPI = 100
FONT = 8.5
MAX_TICKS = 12  # on the 11.75-inch axis; vrrpcap.render.timeaxis.MAX_TICKS bounds every axis

# Legend: every router of a page when it has at most this many; above that, the routers that some bar
# on the page does not name with a label of its own; never more than MAX_LEGEND_ROUTERS entries.
LEGEND_ALL_ROUTERS = 8
MAX_LEGEND_ROUTERS = 48


def ink_on(colour: str) -> str:
    """Black or white text, whichever reads on this background colour."""
    return "black" if light(colour) else "white"


def text_inches(text: str, size: float = FONT, bold: bool = False) -> float:
    """The width of a one-line label in DejaVu Sans, from the font's advance widths (kerning aside,
    so 4% is added); matplotlib is imported when the first width is asked for."""
    return sum(_em(char, bold) for char in text) * size / 72 * 1.04


@lru_cache(maxsize=4096)
def _em(char: str, bold: bool) -> float:
    try:
        from matplotlib.ft2font import LoadFlags

        flags: object = LoadFlags.NO_HINTING
    except ImportError:  # matplotlib before 3.10
        flags = 2  # FT_LOAD_NO_HINTING
    font = _font(bold)
    font.set_size(_EM_POINTS, 72)  # at 72 dpi a point is a pixel: advances come out in points
    glyph = font.load_char(ord(char), flags=flags)  # type: ignore[arg-type,unused-ignore]
    return float(glyph.linearHoriAdvance) / 65536 / _EM_POINTS


_EM_POINTS = 100.0


def _font(bold: bool) -> FT2Font:
    from matplotlib.font_manager import FontProperties, findfont, get_font

    # matplotlib's own cached font object (its renderer sets the size it needs before each use), not
    # one kept here: matplotlib keeps one per thread and drops them in a forked child, where FreeType
    # state shared with the parent would fail ("invalid outline").
    return get_font(findfont(FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")))
