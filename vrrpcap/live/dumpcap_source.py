"""``--backend tshark``: Wireshark's dumpcap captures, we read its pcapng stream.

``dumpcap -i IFACE -f FILTER -w -`` writes pcapng to a pipe; ``vrrpcap.frames.CaptureReader`` reads
it block by block as it arrives and the frames go to the same decoder as every other frame. Why
dumpcap and not pyshark: pyshark runs tshark, which dissects every packet (and then calls dumpcap
anyway); its JSON would have to be turned back into bytes to reach our decoder, and it gives no
drop counters. dumpcap alone is the part that matters: it is what lets members of the `wireshark`
group capture without root (its file capabilities), its interface statistics block carries the
drop counters, and its stream is read by the reader the offline commands use. Measured numbers
are in docs/live.md.

dumpcap runs in its own session, so a Ctrl-C in the terminal reaches vrrpcap only; ``stop()``
sends it SIGTERM, it writes its interface statistics block and exits, and the reader reaches the
end of the stream.
"""

from __future__ import annotations

import select
import shutil
import subprocess
import threading
import time
from typing import Any, BinaryIO, NoReturn, cast

from vrrpcap.errors import VrrpcapError
from vrrpcap.frames import CaptureReader
from vrrpcap.live.errors import BackendMissing, CaptureFailed, CapturePermission, NoSuchInterface
from vrrpcap.live.source import (
    BUFFER_BYTES,
    CaptureSource,
    CaptureStats,
    SourceEnded,
    check_interface,
    deleted,
    interface_gone,
    microseconds,
)

START_TIMEOUT = 15.0


def find_dumpcap() -> str | None:
    return shutil.which("dumpcap")


class _PipeReader(CaptureReader):
    """A CaptureReader over an already open stream (dumpcap's stdout), labelled with the interface."""

    def __init__(self, stream: BinaryIO, label: str) -> None:
        self._pipe = stream
        super().__init__(label)

    def _open_raw(self, path: str) -> BinaryIO:
        return self._pipe


class DumpcapSource(CaptureSource):
    name = "tshark"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: list[str] = []
        self._reader: _PipeReader | None = None
        self._stderr_thread: threading.Thread | None = None
        self._final: CaptureStats | None = None
        self._index = 0  # 0: the "any" pseudo-interface, which cannot be deleted

    def argv(self, exe: str) -> list[str]:
        buffer_mib = str(max(1, BUFFER_BYTES >> 20))
        return [exe, "-i", self.interface, "-f", self.filter, "-w", "-", "-B", buffer_mib, "-q"]

    def open(self) -> None:
        if self.interface != "any":  # dumpcap's pseudo-interface (Linux cooked capture of all)
            self._index = check_interface(self.interface)
        exe = find_dumpcap()
        if exe is None:
            raise BackendMissing(
                "--backend tshark needs Wireshark's dumpcap, which is not installed "
                "(Debian/Ubuntu: apt-get install tshark)"
            )
        try:
            self._proc = subprocess.Popen(
                self.argv(exe),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                shell=False,
            )
        except OSError as exc:
            raise BackendMissing(f"cannot run {exe} ({exc.strerror or exc})") from None
        self._stderr_thread = threading.Thread(target=self._read_stderr, name="dumpcap-stderr", daemon=True)
        self._stderr_thread.start()
        # dumpcap says "Capturing on" before it has opened anything; the capture is live once the
        # section header arrives (dumpcap opens the interface first, its output second).
        stdout = self._proc.stdout
        assert stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        while not select.select([stdout], [], [], 0.05)[0]:
            if self._proc.poll() is not None:
                break  # ended: what it wrote (maybe nothing) is still to be read
            if time.monotonic() > deadline:
                self._fail(f"dumpcap wrote nothing in {START_TIMEOUT:g} s")
        try:
            self._reader = _PipeReader(cast(BinaryIO, stdout), self.label)
        except (VrrpcapError, OSError):
            self._fail()

    def _read_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for raw in self._proc.stderr:
            line = raw.decode(errors="replace").strip()
            if not line:
                continue
            self._stderr.append(line)

    def _fail(self, why: str | None = None) -> NoReturn:
        """dumpcap ended (or hung) before capturing: say why in one line."""
        assert self._proc is not None
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._stderr_thread is not None:
            self._stderr_thread.join(timeout=2)
        text = " ".join(self._stderr)
        lowered = text.lower()
        if "permission" in lowered or "not permitted" in lowered:
            raise CapturePermission(self.interface, self.name)
        if "no such device" in lowered or "there is no device" in lowered:
            raise NoSuchInterface(self.interface)
        detail = why or text.removeprefix("dumpcap: ").strip() or f"exit status {self._proc.returncode}"
        raise CaptureFailed(f"{self.interface}: dumpcap could not capture: {detail}")

    def _run(self) -> None:
        assert self._proc is not None and self._reader is not None
        error = None
        reader = self._reader
        try:
            for frame in reader:
                self.linktype = frame.linktype
                self._put(frame._replace(time=microseconds(frame.time)))
            if reader.damage:
                error = f"{self.interface}: dumpcap's stream was damaged: {reader.damage}"
        except VrrpcapError as exc:
            error = f"{self.interface}: dumpcap's output is unreadable: {exc}"
        except (OSError, ValueError) as exc:  # ValueError: the pipe was closed under us after a hang
            if not self._stopping.is_set():
                error = f"{self.interface}: reading dumpcap failed ({getattr(exc, 'strerror', None) or exc})"
        received = [i.received for i in reader.interfaces if i.received is not None]
        self._final = CaptureStats(sum(received) if received else None, reader.drops)
        if error is None and not self._stopping.is_set():
            status = self._proc.wait()
            tail = self._stderr[-1] if self._stderr else ""
            error = f"{self.interface}: dumpcap ended (exit status {status}){': ' + tail if tail else ''}"
        if error is not None and self._index and interface_gone(self.interface, self._index):
            error = deleted(self.interface)  # dumpcap words it as any other failure
        self._put(SourceEnded(error))

    def stats(self) -> CaptureStats:
        # dumpcap reports its counters once, in the interface statistics block it writes on exit.
        return self._final or CaptureStats(None, None)

    def stop(self) -> None:
        self._stopping.set()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
        if self._thread is not None:
            self._thread.join(timeout=5)  # reads up to the statistics block and the end of the stream
        if proc is not None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        if self._stderr_thread is not None:
            self._stderr_thread.join(timeout=2)
