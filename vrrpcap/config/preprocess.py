"""keepalived's read_line: the stream of logical lines a configuration becomes.

One :class:`Reader` follows keepalived 2.2's order of work for every line: files and ``include``
(globs with braces, relative to the including file, executables and directories skipped), blank
and comment lines, multi-line ``$VAR=`` definitions, ``@id`` / ``@^id`` conditional lines,
definitions, ``~SEQ`` loops, substitution, and finally the split at ``{``/``}``. Each logical
line keeps the location of the file line it came from (for a loop or a multi-line definition:
the line that used it).
"""

from __future__ import annotations

import glob
import os
import stat
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vrrpcap.config.definitions import Definition, Definitions, Sequence, parse_definition, parse_sequence
from vrrpcap.config.lexer import BLANK, decomment, split_at_brace, words
from vrrpcap.config.model import ConfigProblem, Location, ProblemKind

INCLUDE_VARIANTS = "rmwba"  # includer, includem, ... (stricter error checks in keepalived)


@dataclass(frozen=True, slots=True)
class LogicalLine:
    text: str
    words: tuple[str, ...]
    location: Location


@dataclass
class _File:
    name: str  # as shown in locations
    lines: list[str]
    directory: str
    index: int = 0


class Reader:
    """Iterate the logical lines of the configuration at ``path``."""

    def __init__(self, path: str, *, config_id: str | None = None) -> None:
        self.path = path
        self.config_id = config_id
        self.problems: list[ConfigProblem] = []
        self.files: list[str] = []
        self._stack: list[_File] = []
        self._defs = Definitions(config_id, self._cwd)
        self._residue: tuple[str, Location] | None = None
        self._seqs: list[tuple[Sequence, Location]] = []
        self._multi: deque[str] | None = None  # rest of a multi-line definition being used
        self._multi_stack: list[tuple[deque[str], int, Location]] = []
        self._multi_seq_depth = 0
        self._multi_location = Location(path, 0)
        self._defining: Definition | None = None
        self._last = Location(path, 0)
        first = self._open(path, Location(path, 0), top=True)
        if first is not None:
            self._stack.append(first)

    def problem(self, location: Location, message: str, kind: ProblemKind = "syntax") -> None:
        self.problems.append(ConfigProblem(location, message, kind))

    @property
    def last_location(self) -> Location:
        """Where reading stopped (for problems at the end of the input)."""
        return self._last

    def _cwd(self) -> str:
        return os.path.abspath(self._stack[-1].directory) if self._stack else os.getcwd()

    # -- files --------------------------------------------------------------------------------

    def _open(self, path: str, where: Location, *, top: bool = False) -> _File | None:
        try:
            info = os.stat(path)
        except OSError as exc:
            self.problem(where, f"cannot read {path}: {exc.strerror}", "unreadable")
            return None
        if stat.S_ISDIR(info.st_mode):
            self.problem(where, f"{path} is a directory - keepalived skips it", "unreadable")
            return None
        if not top and (not stat.S_ISREG(info.st_mode) or info.st_mode & 0o111):
            self.problem(where, f"{path} is not a regular non-executable file - keepalived skips it", "unreadable")
            return None
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            self.problem(where, f"cannot read {path}: {exc.strerror}", "unreadable")
            return None
        lines = data.decode("utf-8", errors="replace").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        self.files.append(path)
        return _File(path, lines, os.path.dirname(path) or ".")

    def _include(self, pattern: str, where: Location) -> None:
        base = self._stack[-1].directory if self._stack else "."
        full = pattern if os.path.isabs(pattern) or base in ("", ".") else os.path.join(base, pattern)
        matches: list[str] = []
        for alternative in expand_braces(full):
            matches += sorted(glob.glob(alternative))
        if not matches:
            self.problem(where, f"include {pattern}: no file matches", "unreadable")
            return
        opened = [f for f in (self._open(match, where) for match in matches) if f is not None]
        # The stack reads its last file first: push the matches in reverse.
        self._stack += reversed(opened)

    def _raw_line(self) -> tuple[str, Location] | None:
        while self._stack:
            top = self._stack[-1]
            if top.index < len(top.lines):
                top.index += 1
                return top.lines[top.index - 1], Location(top.name, top.index)
            self._stack.pop()
        return None

    # -- keepalived's read_line ---------------------------------------------------------------

    def __iter__(self) -> Iterator[LogicalLine]:
        while (line := self._next()) is not None:
            yield line

    def _source(self) -> tuple[str, Location] | None:
        if self._residue is not None:
            text, where = self._residue
            self._residue = None
            return text, where
        if self._seqs and len(self._seqs) > self._multi_seq_depth:
            seq, where = self._seqs[-1]
            self._defs.set_value(seq.var, f"{seq.next:x}" if seq.hex else str(seq.next))
            seq.next += seq.step
            if seq.done():
                self._seqs.pop()
            return seq.text, where
        if self._multi is not None:
            text = self._multi.popleft()
            where = self._multi_location
            if not self._multi:
                if self._multi_stack:
                    self._multi, self._multi_seq_depth, self._multi_location = self._multi_stack.pop()
                else:
                    self._multi, self._multi_seq_depth = None, 0
            return text, where
        while (raw := self._raw_line()) is not None:
            text, where = raw
            self._last = where
            text = text.rstrip("\r\n")
            if not text:
                if self._defining is not None:
                    self._end_definition()
                continue
            cleaned = decomment(text)
            if cleaned.unterminated_quote:
                self.problem(where, "unterminated quote")
            if cleaned.text:
                return cleaned.text, where
        return None

    def _end_definition(self) -> None:
        if self._defining is not None and not self._defining.value:
            self._defining.multiline = False
        self._defining = None

    def _next(self) -> LogicalLine | None:
        while True:
            got = self._source()
            if got is None:
                return None
            text, where = got
            if self._defining is not None:
                self._add_definition_line(text)
                continue
            text = self._conditionals_and_definitions(text, where)
            if not text:
                continue
            if is_include(text):
                self._include(include_pattern(text), where)
                continue
            piece, residue = split_at_brace(text)
            if residue:
                self._residue = (residue, where)
            found = words(piece)
            if found.unmatched_quote:
                self.problem(where, f"unmatched quote in '{piece}'")
            if found.words:
                return LogicalLine(piece, found.words, where)

    def _add_definition_line(self, text: str) -> None:
        assert self._defining is not None
        if text.endswith("\\"):
            part = text[:-1].rstrip(BLANK) + "\n"
            more = True
        else:
            part, more = text, False
        if len(part) >= 2 or (part and not more):
            self._defining.value += part
        if not more:
            self._end_definition()

    def _conditionals_and_definitions(self, text: str, where: Location) -> str:
        """keepalived's inner loop: ``@`` lines, definitions, ``~SEQ``, substitution."""
        while True:
            recheck = False
            if text.startswith("@"):
                negate = text[1:2] == "^"
                start = 2 if negate else 1
                blank = next((i for i in range(start, len(text)) if text[i] in BLANK), None)
                if blank is None:
                    return ""
                matches = self.config_id is not None and text[start:blank] == self.config_id
                if matches == negate:
                    return ""
                text = text[blank:].lstrip(BLANK)
            if text.startswith("$"):
                parsed = parse_definition(text)
                if parsed is not None:
                    name, value, multiline = parsed
                    if multiline:
                        self._defining = self._defs.set(name, value + "\n" if value else "", multiline=True)
                    else:
                        self._defs.set(name, value)
                    return ""
            if text.startswith(("~SEQ", "~LST")):
                self._sequence(text, where)
                return ""
            if text.startswith("~"):
                return text
            if "$" in text:
                expansion = self._defs.expand(text)
                if expansion.problem:
                    self.problem(
                        where, expansion.problem, "unsupported" if "_RANDOM" in expansion.problem else "syntax"
                    )
                if not expansion.changed:
                    return text
                if expansion.more_lines is not None:
                    self._use_multiline(expansion.more_lines, where)
                text = decomment(expansion.text).text
                recheck = text.startswith("@") or "$" in text
            if not recheck:
                return text

    def _use_multiline(self, lines: tuple[str, ...], where: Location) -> None:
        if self._multi is not None:
            self._multi_stack.append((self._multi, self._multi_seq_depth, self._multi_location))
        self._multi = deque(lines)
        self._multi_location = where
        self._multi_seq_depth = len(self._seqs)

    def _sequence(self, text: str, where: Location) -> None:
        if text.startswith("~LST"):
            self.problem(where, "~LST is not supported by vrrpcap: its lines are not read", "unsupported")
            return
        seq = parse_sequence(text, lambda params: self._defs.expand(params).text)
        if isinstance(seq, str):
            self.problem(where, f"{seq}: '{text}'")
        else:
            self._seqs.append((seq, where))


def is_include(text: str) -> bool:
    if not text.startswith("include") or len(text) < 8:
        return False
    if text[7].isspace():
        return True
    return len(text) > 8 and text[7] in INCLUDE_VARIANTS and text[8].isspace()


def include_pattern(text: str) -> str:
    rest = text[8:] if text[7].isspace() else text[9:]
    return rest.lstrip(BLANK)


def expand_braces(pattern: str) -> list[str]:
    """csh-style ``{a,b}`` alternatives, as glob(3) with GLOB_BRACE expands them (nested too)."""
    depth = 0
    start = -1
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                return _alternatives(pattern, start, i)
        i += 1
    return [pattern]


def _alternatives(pattern: str, open_at: int, close_at: int) -> list[str]:
    head, body, tail = pattern[:open_at], pattern[open_at + 1 : close_at], pattern[close_at + 1 :]
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in body:
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        depth += ch == "{"
        depth -= ch == "}"
        current.append(ch)
    parts.append("".join(current))
    out: list[str] = []
    for part in parts:
        out += expand_braces(head + part + tail)
    return out
