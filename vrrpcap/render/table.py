"""Tables for people that never fold or cut an address, a VRID or a time.

rich fits a table to the console by shrinking columns, and a shrunk column folds whatever is in it
(IPv6 addresses came out in 5-character pieces). Here the widths are decided before rich sees the
table: *fixed* columns (addresses, times, ids, one value per line) keep their widest line; *prose*
columns wrap between words and never below their longest word. When even that does not fit the
console, the caller prints the rows as blocks of lines instead.

On a terminal the width is the console's (COLUMNS, else the terminal's size: rich finds it); anything
else is never wrapped: the console is as wide as the longest line needs. Lines outside tables are never
wrapped by rich either (soft wrap): a terminal may wrap a long line at its edge, but no word of it is
folded into pieces or cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from vrrpcap.render.escape import printable

UNWRAPPED = 100_000  # the width of a console that is not a terminal: no line reaches it


def console_for(out: TextIO, terminal: bool) -> Console:
    """A console on ``out``: a terminal's width and colours, or no colour and no wrapping at all."""
    if terminal:
        return Console(file=out, force_terminal=True, highlight=False, emoji=False, soft_wrap=True)
    return Console(
        file=out, force_terminal=False, no_color=True, width=UNWRAPPED, highlight=False, emoji=False, soft_wrap=True
    )


def emit(console: Console, *parts: Text) -> None:
    """Print one line. Without a terminal it is plain text written as it is: rich's rendering of a line
    (segments, styles, cropping) costs a third of a millisecond, which thousands of lines add up to."""
    if console.is_terminal:
        console.print(*parts)
        return
    console.file.write(" ".join(part.plain for part in parts) + "\n")


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    prose: bool = False  # wraps between words; otherwise every line of a cell stays whole
    right: bool = False
    label: str | None = None  # a shorter name, for a caller's block layout

    @property
    def name(self) -> str:
        return self.label or self.header


Cell = str | Text | Sequence[str]  # a sequence: one line each


def cell(value: Cell) -> Text:
    """A cell as plain text: capture strings are data, never rich markup nor terminal controls (a
    newline inside a string shows as \\x0a; only a sequence of lines makes several lines)."""
    if isinstance(value, Text):
        return value
    if isinstance(value, str):
        return Text(printable(value))
    return Text("\n".join(printable(line) for line in value))


def _words(text: str) -> list[str]:
    return text.split() or [""]


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[Text]]) -> tuple[list[int], list[int]]:
    """Per column: the width it wants (its widest line) and the least it can take (prose: its widest
    word, header included; otherwise all it wants)."""
    natural, least = [], []
    for index, column in enumerate(columns):
        lines = [line for row in rows for line in row[index].plain.splitlines() or [""]]
        widest = max((cell_len(line) for line in lines), default=0)
        wanted = max(widest, cell_len(column.header), 1)
        natural.append(wanted)
        if column.prose:
            word = max((cell_len(w) for line in lines for w in _words(f"{line} {column.header}")), default=0)
            least.append(max(word, 1))
        else:
            least.append(wanted)  # its header stays on one line too
    return natural, least


def fit(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], title: str | None = None
) -> Table | None:
    """The table with widths that fit the console, or None when even the least widths do not."""
    texts = [[cell(v) for v in row] for row in rows]
    natural, least = _widths(columns, texts)
    extra = 3 * len(columns) + 1  # a border before each column and after the last, a space each side
    room = console.width - extra
    if sum(natural) <= room:
        widths = natural
    elif sum(least) <= room:
        widths = list(least)
        spare = room - sum(least)
        wanting = [i for i, c in enumerate(columns) if c.prose and natural[i] > least[i]]
        # Share what is left among the prose columns, in proportion to what each still wants.
        while spare > 0 and wanting:
            want = sum(natural[i] - widths[i] for i in wanting)
            for i in wanting:
                share = max(1, (natural[i] - widths[i]) * spare // want) if want else 0
                give = min(share, natural[i] - widths[i], spare)
                widths[i] += give
                spare -= give
            wanting = [i for i in wanting if natural[i] > widths[i]]
    else:
        return None
    table = Table(title=Text(printable(title)) if title else None, title_justify="left", highlight=False)
    for column, width in zip(columns, widths, strict=True):
        table.add_column(
            Text(column.header),
            width=width,
            no_wrap=not column.prose,
            overflow="fold" if column.prose else "crop",  # fixed: as wide as its widest line
            justify="right" if column.right else "left",
        )
    for row in texts:
        table.add_row(*row)
    return table


def packed(items: Sequence[str], width: int, indent: int) -> list[str]:
    """Items joined by ", " into lines of at most ``width`` columns after ``indent``; an item is never
    split (one longer than the room gets a line of its own)."""
    lines: list[str] = []
    room = max(width - indent, 1)
    current = ""
    for item in items:
        candidate = f"{current}, {item}" if current else item
        if current and cell_len(candidate) > room:
            lines.append(current + ",")
            current = item
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def wrapped(text: str, width: int, indent: int) -> list[str]:
    """Prose broken between words into lines of at most ``width`` columns after ``indent``; a word is
    never split (one longer than the room keeps a line of its own, which a terminal may wrap whole)."""
    room = max(width - indent, 1)
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and cell_len(candidate) > room:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines
