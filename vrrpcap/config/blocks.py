"""Logical lines -> a tree of statements, the way keepalived's process_stream walks them.

Faithful to keepalived 2.2 also where it surprises: a block keyword's contents start at the next
``{`` line (a missing ``{`` is reported and the line is read anyway); a ``{`` after a one-line
keyword is ignored, so the contents of that "block" are read as keywords of the enclosing block
and its ``}`` closes the enclosing block; a value block (``virtual_ipaddress``...) reads every line
up to the next ``}``, whatever it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from vrrpcap.config.model import ConfigProblem, Location, ProblemKind
from vrrpcap.config.preprocess import LogicalLine
from vrrpcap.config.vocabulary import ROOT, Keyword

# Blocks whose keyword line must be "KEYWORD NAME" (keepalived skips the block otherwise), and
# whose names must be unique (a second definition is skipped).
NAMED_BLOCKS = ("vrrp_instance", "vrrp_sync_group")


@dataclass(frozen=True, slots=True)
class Statement:
    keyword: str
    words: tuple[str, ...]  # the whole line, keyword first
    text: str  # the logical line as keepalived hands it to a handler (scripts re-split it)
    location: Location
    children: tuple[Statement, ...] = ()  # block keywords
    items: tuple[LogicalLine, ...] = ()  # value blocks

    @property
    def args(self) -> tuple[str, ...]:
        return self.words[1:]


class _Lines:
    def __init__(self, lines: Iterable[LogicalLine]) -> None:
        self._it: Iterator[LogicalLine] = iter(lines)
        self._pending: LogicalLine | None = None

    def peek(self) -> LogicalLine | None:
        if self._pending is None:
            self._pending = next(self._it, None)
        return self._pending

    def next(self) -> LogicalLine | None:
        line = self.peek()
        self._pending = None
        return line


class BlockParser:
    def __init__(self, lines: Iterable[LogicalLine], problems: list[ConfigProblem]) -> None:
        self._lines = _Lines(lines)
        self.problems = problems
        self._names: dict[str, set[str]] = {}

    def problem(self, location: Location, message: str, kind: ProblemKind = "syntax") -> None:
        self.problems.append(ConfigProblem(location, message, kind))

    def parse(self) -> tuple[Statement, ...]:
        return self._block(ROOT, owner=None)

    def _block(self, vocabulary: Mapping[str, Keyword], owner: Statement | None) -> tuple[Statement, ...]:
        out: list[Statement] = []
        need_open = owner is not None
        while (line := self._lines.next()) is not None:
            first = line.words[0]
            if need_open:
                need_open = False
                if first == "{":
                    continue
                self.problem(line.location, f"'{{' missing at the start of {owner.keyword if owner else 'block'}")
            elif first == "{":
                self.problem(line.location, "unexpected '{' - keepalived ignores it and reads what follows here")
                continue
            if first == "}":
                if owner is not None:
                    return tuple(out)
                self.problem(line.location, "extra '}'")
                continue
            keyword = vocabulary.get(first)
            if keyword is None:
                where = f" in {owner.keyword}" if owner is not None else ""
                self.problem(line.location, f"unknown keyword '{first}'{where}", "unknown-keyword")
                continue
            statement = self._statement(line, keyword)
            if statement is not None:
                out.append(statement)
        if owner is not None:
            self.problem(owner.location, f"end of input inside {owner.keyword}: its '}}' is missing")
        return tuple(out)

    def _statement(self, line: LogicalLine, keyword: Keyword) -> Statement | None:
        head = Statement(line.words[0], line.words, line.text, line.location)
        if keyword.kind == "value":
            return head
        if keyword.kind == "skip":
            self._skip()
            return None
        if keyword.kind == "list":
            if len(line.words) > 1:
                self.problem(line.location, f"{head.keyword} has extra parameters {' '.join(head.args)} - ignored")
            return Statement(head.keyword, head.words, head.text, head.location, items=self._value_block(head))
        if not self._named_ok(head):
            self._skip()
            return None
        children = self._block(keyword.sub, owner=head)
        return Statement(head.keyword, head.words, head.text, head.location, children=children)

    def _named_ok(self, head: Statement) -> bool:
        if head.keyword == "vrrp_script" and not head.args:
            self.problem(head.location, "vrrp_script without a name: keepalived exits", "fatal")
            return False
        if head.keyword not in NAMED_BLOCKS:
            return True
        if len(head.args) != 1:
            self.problem(head.location, f"{head.keyword} must have exactly one name - block skipped", "ignored")
            return False
        seen = self._names.setdefault(head.keyword, set())
        if head.args[0] in seen:
            self.problem(head.location, f"{head.keyword} {head.args[0]} already defined - block skipped", "ignored")
            return False
        seen.add(head.args[0])
        return True

    def _value_block(self, head: Statement) -> tuple[LogicalLine, ...]:
        items: list[LogicalLine] = []
        need_open = True
        while (line := self._lines.next()) is not None:
            if need_open:
                need_open = False
                if line.words == ("{",):
                    continue
                self.problem(line.location, f"'{{' missing at the start of {head.keyword}")
            if line.words[-1] == "}" and len(line.words) == 1:
                return tuple(items)
            items.append(line)
        self.problem(head.location, f"end of input inside {head.keyword}: its '}}' is missing")
        return tuple(items)

    def _skip(self) -> None:
        """Skip the block that follows, if the next line opens one (keepalived's skip_block)."""
        following = self._lines.peek()
        if following is None or following.words[0] != "{":
            return
        depth = 0
        while (line := self._lines.next()) is not None:
            for word in line.words:
                if word == "{":
                    depth += 1
                elif word == "}":
                    depth -= 1
                    if depth == 0:
                        return
