"""The jinja2 environment the report is rendered with, and the assets it inlines.

Autoescape is on, and every value printed goes through `html.escape` first (the environment's
`finalize`, control characters shown as escapes), so the page spells escapes as the standard library
does (`&quot;`, `&#x27;`) and a value someone forgot to mark is escaped anyway. Styles and script are
package files inlined verbatim (not parsed as templates); the script's data is JSON escaped for a
<script> element.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from vrrpcap.render.escape import printable

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

TEMPLATES = "templates"


@cache
def environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("vrrpcap.render", TEMPLATES),
        autoescape=True,
        finalize=_escaped,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        {
            "f0": lambda v: f"{v:.0f}",
            "f1": lambda v: f"{v:.1f}",
            "f2": lambda v: f"{v:.2f}",
            "g": lambda v: f"{v:g}",
            "t": lambda v: repr(float(v)),  # epoch seconds, every digit
            "script_json": script_json,
        }
    )
    return env


def _escaped(value: object) -> Markup:
    from markupsafe import Markup

    if isinstance(value, Markup):
        return value
    # Control characters (an ESC in an interface name or a file name) are parse errors in HTML: shown
    # as their escapes, as on a terminal.
    return Markup(escape(printable("" if value is None else str(value)), quote=True))


@cache
def asset(name: str) -> Markup:
    """A style sheet or script from the templates folder, to inline as it is."""
    from markupsafe import Markup

    text = files("vrrpcap.render").joinpath(TEMPLATES, name).read_text(encoding="utf-8")
    closer = "</style" if name.endswith(".css") else "</script"
    if closer in text.lower():
        raise ValueError(f"{name} must not contain {closer}: it is inlined into the page")
    return Markup(text.strip("\n"))


def script_json(data: Any) -> Markup:
    """JSON for a <script type="application/json"> element: `<`, `>` and `&` as \\u escapes, so no
    string in it (a packet's, say "</script>") can end the element or open a comment; U+2028/U+2029
    escaped too. Non-finite numbers are refused (JSON has none)."""
    from markupsafe import Markup

    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)
