"""The finding book: one place where every detector writes, deduplicated by (code, vr, subject).

Zeek's notice framework in small: a detector *sights* an occurrence (counted without bound, evidence
frames, each with its file, kept up to MAX_EVIDENCE); the first sighting of an identifier is announced
once as a `FindingEvent`, for `live`; the report describes every entry again at the end with the same
function, so a finding is worded in one place for both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from vrrpcap.analysis.events import FindingEvent
from vrrpcap.decode import Advert
from vrrpcap.findings import MAX_EVIDENCE, Evidence, Finding

Detail = TypeVar("Detail")
Identifier = tuple[str, str | None, str]  # code, virtual router id (None: capture-wide), subject


@dataclass(slots=True, eq=False)
class Entry(Generic[Detail]):
    """The occurrences of one finding so far."""

    identifier: Identifier
    vrid: int | None
    first: float
    last: float
    detail: Detail
    describe: Callable[[Entry[Detail]], Finding]
    count: int = 0
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.identifier[0]

    @property
    def vr(self) -> str | None:
        return self.identifier[1]

    @property
    def subject(self) -> str:
        return self.identifier[2]

    def add(self, a: Advert) -> None:
        self.count += 1
        time = a.time
        if time > self.last:
            self.last = time
        if time < self.first:
            self.first = time
        if len(self.evidence) < MAX_EVIDENCE:
            self.evidence.append(Evidence(a.file, a.frame))


class FindingBook:
    """Entries by identifier, in order of first sighting; announcements go to ``announce``."""

    def __init__(self, announce: Callable[[FindingEvent], None]) -> None:
        self._entries: dict[Identifier, Entry[object]] = {}
        self._announced: set[Identifier] = set()
        self._announce = announce

    def sight(
        self,
        identifier: Identifier,
        vrid: int | None,
        a: Advert,
        detail: Callable[[], Detail],
        describe: Callable[[Entry[Detail]], Finding],
    ) -> tuple[Entry[Detail], bool]:
        """Count one occurrence, shown by advert ``a`` (its time, file and frame); returns the entry and
        whether it is new. ``detail`` makes the detector's own state for a new entry; call `announce`
        once that state is filled in."""
        entry = self._entries.get(identifier)
        if entry is not None:
            entry.add(a)
            return entry, False  # type: ignore[return-value]
        made: Entry[Detail] = Entry(identifier, vrid, a.time, a.time, detail(), describe)
        made.add(a)
        self._entries[identifier] = made  # type: ignore[assignment]
        return made, True

    def announce(self, entry: Entry[Detail]) -> None:
        """Tell the first sighting of an entry (once, whatever calls it later)."""
        if entry.identifier not in self._announced:
            self._announced.add(entry.identifier)
            self._announce(FindingEvent(entry.describe(entry)))

    def announce_finding(self, identifier: Identifier, finding: Finding) -> None:
        """Tell a finding that has no entry (it is computed from state, not counted) once."""
        if identifier not in self._announced:
            self._announced.add(identifier)
            self._announce(FindingEvent(finding))

    def rehome(self, absorbed: str, into: str) -> None:
        """A virtual router merged into another: its entries now name the survivor (one entry per
        code and subject: a duplicate's occurrences are added to the survivor's)."""
        moved: dict[Identifier, Entry[object]] = {}
        for identifier, entry in self._entries.items():
            if identifier[1] != absorbed:
                moved[identifier] = entry
                continue
            target_id = (identifier[0], into, identifier[2])
            target = self._entries.get(target_id) or moved.get(target_id)
            if identifier in self._announced:
                self._announced.add(target_id)
            if target is None:
                entry.identifier = target_id
                moved[target_id] = entry
                continue
            target.first = min(target.first, entry.first)
            target.last = max(target.last, entry.last)
            target.count += entry.count
            target.evidence = (target.evidence + entry.evidence)[:MAX_EVIDENCE]
        self._entries = moved

    def entries(self) -> Iterator[Entry[object]]:
        return iter(self._entries.values())

    def get(self, identifier: Identifier) -> Entry[object] | None:
        """The entry of ``identifier`` so far (vrrpcap.metrics reads counts without a report)."""
        return self._entries.get(identifier)

    def findings(self) -> list[Finding]:
        return [entry.describe(entry) for entry in self._entries.values()]
