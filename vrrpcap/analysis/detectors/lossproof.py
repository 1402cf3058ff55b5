"""Who lost a master's missing adverts: the capture or the router (VRRP-MISSED-ADVERTS's `cause`).

What the capture can know, strongest first (docs/findings.md, "VRRP-MISSED-ADVERTS"):

- the sender's IPv4 identification, where it counts one per advert (keepalived does, per instance): an
  ID step of n + 1 across a gap says it sent n adverts the capture did not record; a step of one says it
  sent none. Whether a stream's IDs count is learned from its back-to-back adverts: random IDs (FRR,
  ucarp, some systems) and zero IDs (Cisco; IPv6 has none) never step by exactly one, so they prove nothing;
- the capture's own drop counters (pcapng ISB ifdrop/osdrop): totals per input, so they say the capture
  dropped packets while this input was recorded, not that it dropped these.

A stream is kept as its last ID and a few counters: never a list of adverts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vrrpcap.findings import LossCause

ID_SPACE = 1 << 16
LEARN_PAIRS = 3  # back-to-back adverts a stream needs before its IDs are trusted to count
COUNTING_SHARE = 0.9  # of those, the share that must step by exactly one


@dataclass(slots=True, eq=False)
class Stream:
    """One sender's adverts to one destination: the latest one's time and ID, and what its gaps read."""

    last_time: float
    last_id: int | None
    pairs: int = 0  # back-to-back adverts (no gap between them) whose IDs are both known
    steps_of_one: int = 0  # of those, how many stepped by exactly one
    # The latest gap, as the IDs read it (the resumed hook of the same advert takes it from here):
    expected: int = 0  # adverts its interval expected in it
    lost: int = 0  # adverts the IDs skip: sent, and not captured
    unsent: int = 0  # adverts its interval expected that the IDs say were never sent
    readable: bool = False  # both IDs known, and the step no larger than the gap allows

    @property
    def counts(self) -> bool:
        """Its IDs count one per advert (as far as its back-to-back adverts show)."""
        return self.pairs >= LEARN_PAIRS and self.steps_of_one >= self.pairs * COUNTING_SHARE

    def see(self, time: float, ip_id: int | None, expected: int) -> None:
        """The stream's next advert after a gap in which its interval expected ``expected`` adverts
        (the next advert on time is counted inline by the detector: pairs, steps_of_one)."""
        last = self.last_id
        self.last_time, self.last_id = time, ip_id
        self.expected = expected
        if last is None or ip_id is None:
            self.readable = False
            return
        skipped = (ip_id - last) % ID_SPACE - 1
        # One more than the interval expects is still timing (a late advert, a rounded gap); far more:
        # the IDs count something other than adverts (or wrapped on a stream that does not count).
        self.readable = 0 <= skipped <= expected + 1
        self.lost = skipped if self.readable else 0
        self.unsent = max(0, expected - skipped) if self.readable else 0


@dataclass(slots=True)
class Loss:
    """What a finding's gaps say about who lost the adverts: counters, and the streams they are in."""

    expected: int = 0  # adverts the intervals expected in the gaps
    lost: int = 0  # adverts the senders' IDs say were sent and not captured
    unsent: int = 0  # adverts the IDs say were never sent
    unread: int = 0  # gaps the IDs could not read
    streams: list[Stream] = field(default_factory=list)  # at most one per destination of the sender
    files: set[str] = field(default_factory=set)  # the inputs the gaps are in (their drop counters)

    def add(self, stream: Stream, file: str) -> None:
        if not any(s is stream for s in self.streams):
            self.streams.append(stream)
        self.files.add(file)
        self.expected += stream.expected
        if stream.readable:
            self.lost += stream.lost
            self.unsent += stream.unsent
        else:
            self.unread += 1

    def verdict(self, drops: dict[str, int]) -> tuple[LossCause, str, int]:
        """The cause, the words that give the reason, and how many adverts the capture lost by the IDs."""
        counting = bool(self.streams) and all(s.counts for s in self.streams)
        if counting and not self.unread:
            if self.lost and not self.unsent:
                skip = "exactly the missing adverts" if self.lost == self.expected else f"{self.lost} advert(s)"
                return "capture", f"the sender's IPv4 IDs skip {skip}", self.lost
            if self.unsent and not self.lost:
                return "router", "the sender's IPv4 IDs run on, one per advert, across the gaps", 0
            if self.lost and self.unsent:
                return (
                    "mixed",
                    f"the sender's IPv4 IDs skip {self.lost} advert(s) and run on across the other "
                    f"{self.unsent}",
                    self.lost,
                )
        dropped = sum(drops.get(f, 0) for f in sorted(self.files))
        if dropped:
            return "capture", f"the capture's drop counters say it dropped {dropped} packet(s) meanwhile", 0
        if counting:
            why = "some gaps' IPv4 IDs jump further than the gap is long"
        elif any(s.last_id is None for s in self.streams):
            why = "the adverts carry no IPv4 ID (IPv6)"
        elif any(s.pairs >= LEARN_PAIRS for s in self.streams):
            why = "the sender's IPv4 IDs do not count per advert (random or 0)"
        else:
            why = "too few adverts in a row to learn whether the sender's IPv4 IDs count"
        return "unknown", why, 0
