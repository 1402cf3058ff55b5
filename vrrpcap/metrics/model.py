"""The exporter's model: the engine it reads, the tally the engine's events feed, the kept labels.

``Metrics`` is a consumer of the engine like `live`'s event stream: the session hands it every batch
of events (`observe`) and the findings only a snapshot shows (`report_findings`); a scrape
(`exposition`) reads the engine's state and the tally under the `Gate`, which the capture loop holds
while it changes the engine, so a scrape always sees the state between two batches of frames.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType

from vrrpcap.analysis import Engine, Event
from vrrpcap.findings import Finding
from vrrpcap.metrics.exposition import document
from vrrpcap.metrics.labels import Labels, NameLookup
from vrrpcap.metrics.scrape import Scope, Scrape
from vrrpcap.metrics.tally import Tally
from vrrpcap.report.model import InputSummary

GATE_WAIT = 1.0  # the longest the capture loop waits for a scrape that wants the state


class Gate:
    """Mutual exclusion that favours a waiting scrape: after each batch the capture loop lets a
    scrape that asked go first, so a busy capture cannot starve it (a plain lock would let the loop
    take it back at once), and an idle one costs one lock per batch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._served = threading.Event()

    def __enter__(self) -> Gate:
        self._lock.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._lock.release()
        if self._wanted.is_set():
            self._served.wait(GATE_WAIT)
            self._served.clear()

    @contextmanager
    def reading(self) -> Iterator[None]:
        self._wanted.set()
        with self._lock:
            self._wanted.clear()
            yield
        self._served.set()


def _no_inputs() -> Sequence[InputSummary]:
    return ()


class Metrics:
    def __init__(
        self,
        engine: Engine,
        scope: Scope | None = None,
        ignored: frozenset[str] = frozenset(),
        names: NameLookup | None = None,
        inputs: Callable[[], Sequence[InputSummary]] = _no_inputs,
    ) -> None:
        self.engine = engine
        self.scope = scope or Scope()
        self.tally = Tally(ignored)
        self.labels = Labels(names)
        self.inputs = inputs
        self.gate = Gate()

    def observe(self, events: Iterable[Event]) -> None:
        self.tally.observe(events)

    def report_findings(self, findings: Iterable[Finding]) -> None:
        self.tally.report_findings(findings)

    def exposition(self, openmetrics: bool, tail: str = "") -> str:
        """The metrics as text: OpenMetrics 1.0.0 or Prometheus 0.0.4; ``tail`` is appended before the end."""
        with self.gate.reading():
            blocks = Scrape(self.engine, self.tally, self.labels, self.scope).run(self.inputs())
        return document(blocks, openmetrics, tail)
