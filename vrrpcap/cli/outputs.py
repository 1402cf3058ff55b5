"""Where the commands write: stdout, output files that a failed run never damages, messages on stderr.

A write error is an error with its own exit code, never a traceback and never exit 1 (that code says
"findings": a full disk must not read as a failed gate). A regular output file is written as a
temporary file in its directory and renamed over the target only when the command completes, so an
existing file is never truncated by a run that fails. Devices and pipes (/dev/full, /dev/stdout, a
FIFO) are written directly; their errors are reported the same way.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, cast

import typer

from vrrpcap.errors import OutputClosed, OutputFailed

# Paths that name a process's own descriptors or a device: never replaced by a rename.
_DIRECT_PREFIXES = ("/dev/", "/proc/")


@dataclass(frozen=True, slots=True)
class Target:
    """An open output: the stream to render into, and whether a person is reading it on a terminal."""

    stream: TextIO
    terminal: bool


class _Guarded:
    """A text stream whose write errors become vrrpcap's errors: OutputClosed for a reader that went
    away (EPIPE), OutputFailed naming the output for anything else. They are not OSErrors, so neither
    rich nor click turns them into an exit code of their own on the way out."""

    def __init__(self, inner: TextIO, label: str) -> None:
        self._inner = inner
        self._label = label

    def _failed(self, exc: OSError) -> OutputFailed:
        return OutputFailed(f"{self._label}: cannot write ({exc.strerror or exc})")

    def write(self, text: str) -> int:
        try:
            return self._inner.write(text)
        except BrokenPipeError:
            raise OutputClosed() from None
        except OSError as exc:
            raise self._failed(exc) from None

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._inner.flush()
        except BrokenPipeError:
            raise OutputClosed() from None
        except OSError as exc:
            raise self._failed(exc) from None

    def fileno(self) -> int:
        return self._inner.fileno()

    def isatty(self) -> bool:
        try:
            return self._inner.isatty()
        except (OSError, ValueError):
            return False

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        return self._inner.encoding or "utf-8"

    @property
    def name(self) -> str:
        return self._label

    @property
    def closed(self) -> bool:
        return self._inner.closed


class _Tolerant:
    """stderr that cannot fail: a message that cannot be shown (`2>/dev/full`, `2>&-`) must not change
    the exit code or end the run; everything else is the wrapped stream's."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        try:
            return self._inner.write(text)
        except (OSError, ValueError):
            return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._inner.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def _stdout_label() -> str:
    # Name what stdout is redirected to (`> /dev/full`), so the message says where the write failed.
    try:
        target = os.readlink("/proc/self/fd/1")
    except OSError:
        return "stdout"
    return f"stdout ({target})" if target.startswith("/") else "stdout"


def stdout_target() -> Target:
    """stdout, guarded; a closed stdout (`vrrpcap audit F >&-`) is an output that cannot be written."""
    out = sys.stdout
    if out is None:
        raise OutputFailed("stdout: cannot write (Bad file descriptor)")
    guarded = _Guarded(out, _stdout_label())
    return Target(cast(TextIO, guarded), guarded.isatty())


def _replaced_path(path: Path) -> str | None:
    """The file a temporary file is renamed over (symlinks followed), or None to write directly."""
    if os.path.abspath(path).startswith(_DIRECT_PREFIXES):
        return None
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real
    except OSError as exc:
        raise OutputFailed(f"{path}: cannot write ({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        return None
    if not os.access(real, os.W_OK):  # rename would succeed over a file open() may not write
        raise OutputFailed(f"{path}: cannot write (Permission denied)")
    return real


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _adopt(fd: int, real: str) -> None:
    """Give the new file the mode (and, for root, the owner) of the file it replaces, or open()'s mode."""
    try:
        st = os.stat(real)
    except FileNotFoundError:
        os.fchmod(fd, 0o666 & ~_umask())
        return
    os.fchmod(fd, stat.S_IMODE(st.st_mode))
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):
            os.fchown(fd, st.st_uid, st.st_gid)


def _temporary(path: Path, real: str) -> tuple[int, str] | None:
    """A new file next to ``real``; None when the directory takes no new file but ``real`` exists and is
    writable (a log directory owned by someone else): then it is written in place, as open() would."""
    import errno
    import tempfile

    folder, name = os.path.split(real)
    try:
        return tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder or ".")
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM) and os.path.exists(real):
            return None
        raise OutputFailed(f"{path}: cannot write ({exc.strerror})") from None


@contextmanager
def _replacing(path: Path, real: str, fd: int, temporary: str) -> Iterator[Target]:
    handle = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed below, on every path)
    guarded = _Guarded(handle, str(path))
    try:
        try:
            _adopt(fd, real)
        except OSError as exc:
            raise OutputFailed(f"{path}: cannot write ({exc.strerror})") from None
        yield Target(cast(TextIO, guarded), False)
        guarded.flush()
        try:
            os.fsync(fd)
            handle.close()
            os.replace(temporary, real)
        except OSError as exc:
            raise OutputFailed(f"{path}: cannot write ({exc.strerror})") from None
    finally:
        if not handle.closed:
            with contextlib.suppress(OSError):
                handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


@contextmanager
def _direct(path: Path) -> Iterator[Target]:
    try:
        handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise OutputFailed(f"{path}: cannot write ({exc.strerror})") from None
    guarded = _Guarded(handle, str(path))
    try:
        yield Target(cast(TextIO, guarded), guarded.isatty())
        guarded.flush()
        try:
            handle.close()
        except OSError as exc:
            raise OutputFailed(f"{path}: cannot write ({exc.strerror})") from None
    finally:
        if not handle.closed:
            with contextlib.suppress(OSError):
                handle.close()


@contextmanager
def output_file(path: Path | None) -> Iterator[Target]:
    """The output the command renders into: stdout for None or '-', else the file at ``path``.

    Open it only once the inputs are read: an error before that leaves the target as it was. A regular
    file is replaced when the block ends without an exception; if it raises, the old file stays.
    """
    if path is None or str(path) == "-":
        target = stdout_target()
        yield target
        target.stream.flush()
        return
    real = _replaced_path(path)
    made = None if real is None else _temporary(path, real)
    if real is None or made is None:
        with _direct(path) as target:
            yield target
    else:
        with _replacing(path, real, *made) as target:
            yield target


def refuse_inputs(files: Sequence[str], outputs: Sequence[tuple[str, Path | None]]) -> None:
    """An output that is one of the inputs would destroy the capture being read: a usage error."""
    for option, path in outputs:
        if path is None or str(path) == "-" or not path.exists():
            continue
        for name in files:
            if name == "-":
                continue
            try:
                same = os.path.samefile(path, name)
            except OSError:
                continue  # a missing input is reported when it is opened
            if same:
                hint = f"'{option}'"
                raise typer.BadParameter(f"{path} is the input {name}: refusing to overwrite it", param_hint=hint)


def say(message: str) -> None:
    """One line on stderr, `vrrpcap: <message>`; a closed or full stderr must not end the run."""
    err = sys.stderr
    if err is None:
        return
    with contextlib.suppress(OSError, ValueError):
        err.write(f"vrrpcap: {message}\n")
        err.flush()


def warn(message: str) -> None:
    say(f"warning: {message}")


def stderr_is_terminal() -> bool:
    err = sys.stderr
    try:
        return err is not None and err.isatty()
    except (OSError, ValueError):
        return False


def prepare_standard_streams() -> None:
    """Started with stdin, stdout or stderr closed (`vrrpcap audit F 2>&-`): put /dev/null on the missing
    descriptors, so no file vrrpcap opens lands on 0, 1 or 2, and give Python a stdin and a stderr that
    never fails. A closed stdout stays None: writing the audit there is an error (stdout_target), as for
    coreutils."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    if not isinstance(sys.stderr, _Tolerant):
        sys.stderr = cast(TextIO, _Tolerant(sys.stderr))


def silence_stdout() -> None:
    """After stdout failed: point its descriptor at /dev/null so that Python's flush at exit cannot fail
    a second time (it would print "Exception ignored" and exit 120)."""
    out = sys.stdout
    if out is None:
        return
    try:
        fd = out.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):
        return
    os.dup2(null, fd)
    os.close(null)
