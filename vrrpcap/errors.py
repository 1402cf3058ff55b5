"""Exit codes and the errors that map to them. Documented in docs/exit-codes.md."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # audit/report/live: a finding at or above --fail-on
    USAGE = 2  # bad command line (typer/click's own code)
    INPUT_UNAVAILABLE = 3  # missing, unreadable, a directory, no such interface, no permission
    NOT_A_CAPTURE = 4  # not pcap/pcapng (or a compressed file that does not hold one)
    DAMAGED_CAPTURE = 5  # truncated or inconsistent records: what came before the damage is still reported
    OUTPUT_FAILED = 6  # an output could not be written (disk full, closed stdout, no permission, no directory)
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # the reader of stdout went away: 128 + SIGPIPE, as a Unix tool killed by it


class VrrpcapError(Exception):
    """An error that ends the command with a one-line message and a documented exit code."""

    exit_code: ExitCode = ExitCode.INPUT_UNAVAILABLE

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputUnavailable(VrrpcapError):
    exit_code = ExitCode.INPUT_UNAVAILABLE


class NotACapture(VrrpcapError):
    exit_code = ExitCode.NOT_A_CAPTURE


class OutputFailed(VrrpcapError):
    """An output file or stdout could not be created or written: `<name>: cannot write (<cause>)`."""

    exit_code = ExitCode.OUTPUT_FAILED


class OutputClosed(VrrpcapError):
    """Whoever read stdout went away (`vrrpcap decode big.pcap | head -1`): end quietly, no message."""

    exit_code = ExitCode.BROKEN_PIPE

    def __init__(self) -> None:
        super().__init__("the reader of the output went away")


class Interrupted(VrrpcapError):
    exit_code = ExitCode.INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted")
