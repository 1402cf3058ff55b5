"""Binary output files written as one: Parquet files and datasets (a table per file, hive partitions).

Each file is written as a temporary file in its final directory; only when the command completes are
they renamed over their targets, so a run that fails leaves every existing output as it was (and removes
the directories it made). Errors are `<path>: cannot write (<cause>)`, exit 6 (docs/exit-codes.md).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from vrrpcap.errors import OutputFailed


def _failed(path: Path | str, exc: OSError) -> OutputFailed:
    return OutputFailed(f"{path}: cannot write ({exc.strerror or exc})")


class OutputTree:
    """Files under ``root``, opened one by one, put in place together by commit()."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._pending: list[tuple[BinaryIO, str, Path]] = []  # handle, temporary, target
        self._made: list[Path] = []  # directories this run created, deepest last

    def _directory(self, folder: Path) -> None:
        missing = []
        for parent in [folder, *folder.parents]:
            if parent.is_dir():
                break
            missing.append(parent)
        for parent in reversed(missing):
            try:
                parent.mkdir()
            except FileExistsError:
                if not parent.is_dir():
                    raise OutputFailed(f"{parent}: cannot write (Not a directory)") from None
            except OSError as exc:
                raise _failed(parent, exc) from None
            self._made.append(parent)

    def open(self, relative: str) -> BinaryIO:
        """A new file for ``root/relative``: a temporary file until commit()."""
        target = self.root / relative
        self._directory(target.parent)
        if target.is_dir():
            raise OutputFailed(f"{target}: cannot write (Is a directory)")
        try:
            fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        except OSError as exc:
            raise _failed(target, exc) from None
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            mask = os.umask(0o022)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.fchmod(fd, mode)
        handle = open(fd, "wb")  # noqa: SIM115 (closed by commit or abandon)
        self._pending.append((handle, temporary, target))
        return handle

    def commit(self) -> None:
        for handle, _, target in self._pending:
            try:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
            except OSError as exc:
                raise _failed(target, exc) from None
        for _, temporary, target in self._pending:
            try:
                os.replace(temporary, target)
            except OSError as exc:
                raise _failed(target, exc) from None
        self._pending = []

    def abandon(self) -> None:
        for handle, temporary, _ in self._pending:
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        self._pending = []
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty: someone else may have written there meanwhile


@contextmanager
def output_tree(root: Path) -> Iterator[OutputTree]:
    """Files under ``root``, in place when the block ends without an exception; else none of them."""
    if str(root) == "-":
        raise OutputFailed("-: Parquet is written to files, not stdout (give --output)")
    tree = OutputTree(root)
    try:
        yield tree
        tree.commit()
    finally:
        tree.abandon()
