"""Run vrrpcap on a real pseudo-terminal, as a user's shell would, with COLUMNS set."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_terminal(*args: str, columns: int, raw: bool = False) -> str:
    """vrrpcap's stdout on a terminal ``columns`` wide; rich's escape sequences removed unless ``raw``."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "vrrpcap", *args, "--no-progress"],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    error = process.stderr.read().decode() if process.stderr else ""
    assert process.wait(timeout=120) in (0, 1) and "Traceback" not in error, error
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return text if raw else ANSI.sub("", text)
