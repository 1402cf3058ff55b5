"""The exporter's model: the engine it reads, the tally the engine's events feed, the kept labels.

``Metrics`` is a consumer of the engine like `live`'s event stream: the session hands it every batch
of events (`observe`) and the findings only a snapshot shows (`report_findings`). A scrape reads the
engine's state and the tally; in `live` it is the capture loop that reads them, between two batches
of frames (`Desk`): a scrape's thread only asks and waits, then compresses and sends. So no thread
reads the analyzer while another changes it, and no third thread competes with the capture's reader
for the interpreter while the loop is busy (measured in docs/metrics.md, "Cost").
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence

from vrrpcap.analysis import Engine, Event
from vrrpcap.errors import VrrpcapError
from vrrpcap.findings import Finding
from vrrpcap.metrics.exposition import document
from vrrpcap.metrics.labels import Labels, NameLookup
from vrrpcap.metrics.scrape import Scope, Scrape
from vrrpcap.metrics.tally import Tally
from vrrpcap.report.model import InputSummary

ASK_TIMEOUT = 5.0  # a scrape waits this long for the loop (it is stopping, or far behind)


class Busy(VrrpcapError):
    """The capture loop did not serve a scrape in time."""


class _Request:
    def __init__(self, openmetrics: bool) -> None:
        self.openmetrics = openmetrics
        self.done = threading.Event()
        self.text: str | None = None


class Desk:
    """Scrapes wait here; the capture loop serves them (`serve`) between two batches of frames.

    ``wake`` tells an idle loop that a scrape waits (live puts a marker on its frame queue)."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._waiting: deque[_Request] = deque()

    def ask(self, render: Callable[[bool], str], openmetrics: bool) -> str:
        request = _Request(openmetrics)
        self._waiting.append(request)
        self._wake()
        if not request.done.wait(ASK_TIMEOUT) or request.text is None:
            raise Busy("the capture loop did not answer the scrape in time")
        return request.text

    def serve(self, render: Callable[[bool], str]) -> None:
        """Answer every waiting scrape (the loop's thread; one deque look when nobody waits)."""
        waiting = self._waiting
        while waiting:
            request = waiting.popleft()
            try:
                request.text = render(request.openmetrics)
            finally:
                request.done.set()


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
        self.desk: Desk | None = None  # set by a loop that serves the scrapes itself

    def observe(self, events: Iterable[Event]) -> None:
        self.tally.observe(events)

    def report_findings(self, findings: Iterable[Finding]) -> None:
        self.tally.report_findings(findings)

    def exposition(self, openmetrics: bool, tail: str = "") -> str:
        """The metrics as text: OpenMetrics 1.0.0 or Prometheus 0.0.4; ``tail`` is appended before the end.
        With a desk, the loop that serves it renders the samples; the caller's thread joins them."""
        render = self._samples
        body = render(openmetrics) if self.desk is None else self.desk.ask(render, openmetrics)
        return body + document((), openmetrics, tail)

    def serve(self) -> None:
        if self.desk is not None:
            self.desk.serve(self._samples)

    def _samples(self, openmetrics: bool) -> str:
        blocks = Scrape(self.engine, self.tally, self.labels, self.scope).run(self.inputs())
        return document(blocks, openmetrics, end=False)
