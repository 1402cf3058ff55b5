"""keepalived's parameter substitution (``$NAME=value``, ``$NAME``, ``${NAME}``) and ``~SEQ``.

Rules from keepalived 2.2's lib/parser.c (check_definition, find_definition, replace_param,
add_seq): a definition line is ``$NAME=VALUE`` with no blank before ``=``; a value ending in
``\\`` starts a multi-line definition; ``$NAME`` must be followed by a blank, ``,``, ``)`` or the
end of the line (``${NAME}`` need not be); replacement is lazy and recursive (the replaced text is
scanned again); an undefined name is left as it is; a multi-line definition can only be used at
the end of a line. Predefined: ``_PWD`` (the current file's directory), ``_INSTANCE`` (the config
id), ``_HASH`` (``#``), ``_BANG`` (``!``), ``_RANDOM`` (not reproducible: vrrpcap uses its minimum).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MAX_LINE = 1023  # keepalived reads lines into a 1024-byte buffer
MAX_REPLACEMENTS = 1000  # keepalived loops forever on $A=$A; we stop


@dataclass
class Definition:
    value: str  # multi-line values keep their lines separated by "\n"
    multiline: bool = False
    dynamic: Callable[[], str] | None = None  # predefined _PWD / _INSTANCE / _RANDOM


@dataclass(frozen=True, slots=True)
class Expansion:
    """The result of substituting one line."""

    text: str
    changed: bool
    more_lines: tuple[str, ...] | None = None  # the rest of a multi-line definition used here
    problem: str | None = None


def _is_name_start(ch: str) -> bool:
    return ch == "_" or ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _is_name_char(ch: str) -> bool:
    return _is_name_start(ch) or "0" <= ch <= "9"


def parse_definition(line: str) -> tuple[str, str, bool] | None:
    """``(name, value, multiline)`` when ``line`` is a ``$NAME=VALUE`` definition."""
    if len(line) < 2 or line[0] != "$" or not _is_name_start(line[1]):
        return None
    eq = 2
    while eq < len(line) and line[eq] != "=":
        if not _is_name_char(line[eq]):
            return None
        eq += 1
    if eq >= len(line):
        return None
    value = line[eq + 1 :].lstrip(" \t")
    if value.endswith("\\"):
        return line[1:eq], value[:-1].rstrip(" \t"), True
    return line[1:eq], value, False


class Definitions:
    """The definitions in force while a configuration is read."""

    def __init__(self, config_id: str | None, cwd: Callable[[], str]) -> None:
        self._defs: dict[str, Definition] = {
            "_PWD": Definition("", dynamic=cwd),
            "_INSTANCE": Definition("", dynamic=lambda: config_id or ""),
            "_RANDOM": Definition("0", dynamic=lambda: "0"),
            "_HASH": Definition("#"),
            "_BANG": Definition("!"),
        }

    def set(self, name: str, value: str, *, multiline: bool = False) -> Definition:
        definition = Definition(value, multiline=multiline)
        self._defs[name] = definition
        return definition

    def set_value(self, name: str, value: str) -> None:
        """keepalived's set_definition (used by ~SEQ): the value changes, the kind does not."""
        existing = self._defs.get(name)
        if existing is None:
            self._defs[name] = Definition(value)
        else:
            existing.value, existing.dynamic = value, None

    def expand(self, text: str) -> Expansion:
        """Substitute every defined ``$NAME`` / ``${NAME}`` in ``text`` (recursively)."""
        changed = False
        more: tuple[str, ...] | None = None
        problem: str | None = None
        pos = 0
        count = 0
        while True:
            pos = text.find("$", pos)
            if pos < 0 or pos + 1 >= len(text):
                break
            found = self._lookup(text, pos + 1)
            if found is None:
                pos += 1
                continue
            definition, end, name = found
            count += 1
            if count > MAX_REPLACEMENTS:
                problem = f"definition ${name} expands without end (keepalived would hang)"
                break
            changed = True
            if definition.dynamic is not None:
                value = definition.dynamic()
                if name == "_RANDOM":
                    problem = "${_RANDOM} is not reproducible: vrrpcap reads it as its minimum"
                    value = _random_minimum(text[pos:end])
            else:
                value = definition.value
            if definition.multiline:
                first, _, rest = value.partition("\n")
                value, more = first, tuple(rest.split("\n"))
            text = text[:pos] + value + text[end:]
            if len(text) > MAX_LINE:
                problem = "line longer than keepalived's 1023 characters after substitution"
                break
            if value.lstrip(" \t").startswith("~"):
                break
        return Expansion(text, changed, more, problem)

    def _lookup(self, text: str, start: int) -> tuple[Definition, int, str] | None:
        """The definition named at ``text[start:]`` (just after ``$``) and where its use ends."""
        braces = text[start] == "{"
        name_at = start + 1 if braces else start
        if name_at >= len(text) or not _is_name_start(text[name_at]):
            return None
        end = name_at + 1
        while end < len(text) and _is_name_char(text[end]):
            end += 1
        name = text[name_at:end]
        has_params = False
        if braces:
            p = end
            last_digit = -1
            while p < len(text) and (text[p] == " " or text[p].isdigit()):
                if text[p] != " ":
                    has_params = True
                    last_digit = p
                p += 1
            if has_params and last_digit + 1 != p:
                return None
            if p >= len(text) or text[p] != "}":
                return None
            end = p + 1
        elif end < len(text) and text[end] not in " \t,)":
            return None
        definition = self._defs.get(name)
        if definition is None or (definition.multiline and end != len(text)):
            return None
        if has_params and name != "_RANDOM":
            return None
        return definition, end, name


def _random_minimum(use: str) -> str:
    digits = use.strip("${}").split()[1:]
    return digits[0] if digits else "0"


@dataclass
class Sequence:
    """A pending ``~SEQ(var, start, step, end) text`` loop."""

    var: str
    next: int
    step: int
    last: int
    hex: bool
    text: str

    def done(self) -> bool:
        return (self.step > 0 and self.next > self.last) or (self.step < 0 and self.next < self.last)


def _strtol(text: str, pos: int) -> tuple[int, int]:
    """C strtol(base 0) from ``pos``: the value and where parsing stopped (0 when nothing)."""
    i = pos
    while i < len(text) and text[i] in " \t\n\r\f\v":
        i += 1
    sign = 1
    if i < len(text) and text[i] in "+-":
        sign = -1 if text[i] == "-" else 1
        i += 1
    base, digits = 10, "0123456789"
    if text[i : i + 2].lower() == "0x" and i + 2 < len(text) and text[i + 2] in "0123456789abcdefABCDEF":
        base, digits, i = 16, "0123456789abcdefABCDEF", i + 2
    elif text[i : i + 1] == "0":
        base, digits = 8, "01234567"
    start = i
    while i < len(text) and text[i] in digits:
        i += 1
    if i == start:
        return 0, pos
    return sign * int(text[start:i], base), i


def parse_sequence(line: str, expand: Callable[[str], str]) -> Sequence | str:
    """A :class:`Sequence` from a ``~SEQ(...)``/``~SEQx(...)`` line, or why keepalived rejects it."""
    p = 4
    hex_out = line[p : p + 1] == "x"
    if hex_out:
        p += 1
    while p < len(line) and line[p] in " \t":
        p += 1
    if line[p : p + 1] != "(":
        return "invalid ~SEQ specification"
    p += 1
    while p < len(line) and line[p] in " \t":
        p += 1
    var_at = p
    while p < len(line) and line[p] not in " \t,)":
        p += 1
    var = line[var_at:p]
    while p < len(line) and line[p] in " \t":
        p += 1
    close = line.find(")", p)
    if not var or p >= len(line) or line[p] == ")" or close < 0:
        return "invalid ~SEQ definition"
    params = expand(line[p + 1 : close + 1])
    numbers: list[int] = []
    q = 0
    while True:
        value, q2 = _strtol(params, q)
        numbers.append(value)
        while q2 < len(params) and params[q2] in " \t":
            q2 += 1
        if q2 < len(params) and params[q2] == ")":
            break
        if q2 >= len(params) or params[q2] != "," or len(numbers) == 3:
            return "invalid ~SEQ definition"
        q = q2 + 1
    if len(numbers) == 1:
        end = numbers[0]
        start, step = (-1 if end < 0 else 1), (-1 if end < 1 else 1)
    elif len(numbers) == 2:
        start, end = numbers
        step = 1 if start <= end else -1
    else:
        start, step, end = numbers
        if not step or (start < end and step < 0) or (start > end and step > 0):
            return "invalid ~SEQ values"
    if hex_out and (start < 0 or end < 0):
        return "~SEQx is only valid for positive numbers"
    text = line[close + 1 :].lstrip(" \t")
    return Sequence(var, start, step, end, hex_out, text)
