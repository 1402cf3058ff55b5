"""Every string from a capture is data: made safe for the format it is written into.

An interface name, a file path, a password (with --show-secrets) or a malformed-packet note can hold
anything: ESC sequences that retitle or clear a terminal, OSC 8 links, newlines that forge lines, rich
markup, markdown headings and raw HTML, characters XML 1.0 cannot carry, spreadsheet formulas. Each
function here makes a string inert for one format and keeps it readable: a control character becomes
its escape (``\\x1b``) where people read it, never the character itself.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode characters that reorder or break lines on a terminal
# (bidirectional overrides and isolates, line and paragraph separators).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """For a terminal or a text file: control characters as visible escapes, the rest as it is."""
    return _UNSAFE.sub(_visible, text)


# Characters XML 1.0 cannot hold, even as character references (tab, newline and CR can).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """For XML text and attributes (ElementTree escapes the markup): what XML 1.0 cannot carry as
    a visible escape, and the other controls too, so a reader sees them as the terminal would."""
    return printable(_NOT_XML.sub(_visible, text))


# Markdown's inline syntax: emphasis, code, links and images, raw HTML and entities, GFM cells and
# strikethrough. Block syntax (headings, lists, quotes) can only start a line: see _BLOCK_START.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()!|<>&~])")
_BLOCK_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")


def markdown_text(text: str) -> str:
    """For markdown prose and table cells: no emphasis, link, image, raw HTML, entity, cell break or
    strikethrough can start, nor a heading, list or quote where the text begins a line; controls and
    newlines visible (so the text stays on its line)."""
    safe = _MARKDOWN.sub(r"\\\1", printable(text))
    return _BLOCK_START.sub(_escape_last, safe, count=1)


def _escape_last(match: re.Match[str]) -> str:
    # "# x" -> "\# x"; "1. x" -> "1\. x": the mark that makes the block, escaped.
    indent, mark = match.group(1), match.group(2)
    return f"{indent}{mark[:-1]}\\{mark[-1]}"


def markdown_code(text: str) -> str:
    """A markdown code span holding ``text`` literally: fenced by more backticks than it contains, its
    table-cell bars escaped (GFM splits cells on them even inside code), controls visible."""
    safe = printable(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", safe)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if safe.startswith("`") or safe.endswith("`") or not safe.strip() else ""
    return f"{fence}{pad}{safe}{pad}{fence}"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """For a CSV cell read by a spreadsheet: a string that would start a formula (= + - @, tab, CR)
    gets a leading apostrophe (OWASP's advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
