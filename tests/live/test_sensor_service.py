"""contrib/systemd/vrrpcap-sensor.service: systemd accepts it, and what it grants is enough.

systemd does not run here (no PID 1 of its own), so the unit is checked with `systemd-analyze verify`
and its promise is kept by hand: vrrpcap started as an unprivileged user (nobody) with exactly the
unit's ambient capabilities (setpriv, no new privileges) and the unit's own arguments captures on the
lab bridge and serves its metrics. Root only; the lab fixtures come from tests/live/conftest.py.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.live.conftest import R1, ROOT, Pair
from tests.live.test_metrics_e2e import _GET, free_port, in_namespace
from tests.metrics.conftest import Sample, pick, samples

UNIT = ROOT / "contrib" / "systemd" / "vrrpcap-sensor.service"


def unit_settings() -> dict[str, str]:
    settings: dict[str, str] = {}
    for line in UNIT.read_text().splitlines():
        match = re.fullmatch(r"(\w+)=(.*)", line)
        if match:
            settings[match.group(1)] = match.group(2)
    return settings


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    installed = Path(sys.executable).with_name("vrrpcap")  # the unit's /opt/vrrpcap/bin/vrrpcap, here
    assert installed.exists()
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/vrrpcap/bin/vrrpcap", str(installed)))
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_the_units_capabilities_are_enough(keepalived_pair: Pair, tmp_path: Path) -> None:
    if shutil.which("setpriv") is None:
        pytest.skip("needs setpriv (util-linux) to start a process as the unit would")
    settings = unit_settings()
    assert settings["DynamicUser"] == "yes" and settings["NoNewPrivileges"] == "yes"
    caps = settings["AmbientCapabilities"].split()
    assert caps == settings["CapabilityBoundingSet"].split() == ["CAP_NET_RAW"]
    wanted = ",".join(f"+{c.removeprefix('CAP_').lower()}" for c in caps)
    # The unit's arguments, its variables set for the lab: the bridge, a free port, --json to read it.
    port = free_port(keepalived_pair.ns)
    argv = shlex.split(settings["ExecStart"])[1:]
    values = {"$VRRPCAP_INTERFACES": keepalived_pair.bridge, "${VRRPCAP_METRICS}": f"127.0.0.1:{port}",
              "$VRRPCAP_OPTIONS": "--json"}  # fmt: skip
    argv = [values.get(a, a) for a in argv]
    assert argv[:2] == ["live", keepalived_pair.bridge] and "--fail-on" in argv
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--no-new-privs",
            f"--inh-caps=-all,{wanted}", f"--ambient-caps=-all,{wanted}", f"--bounding-set=-all,{wanted}"]  # fmt: skip
    proc = subprocess.Popen(
        ["ip", "netns", "exec", keepalived_pair.ns, *drop, sys.executable, "-m", "vrrpcap", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        found: list[Sample] = []
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                text = in_namespace(keepalived_pair.ns, _GET, f"http://127.0.0.1:{port}/metrics")
            except subprocess.CalledProcessError:
                time.sleep(0.5)
                continue
            found = pick(samples(text, openmetrics=False), "vrrpcap_virtual_router_master_info", router=R1)
            if found:
                break
            time.sleep(0.5)
        assert found, (proc.poll(), proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        # ip netns exec and setpriv exec: the pid is vrrpcap's, running as nobody with CAP_NET_RAW alone.
        status = dict(line.split(":\t", 1) for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines())
        assert status["Uid"].split()[:2] == ["65534", "65534"]
        assert int(status["CapEff"], 16) == 1 << 13  # CAP_NET_RAW is capability 13
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err  # SIGTERM is a normal stop; --fail-on never
    assert err == ""
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0]["event"] == "start" and records[-1]["event"] == "stop"
    assert any(r["event"] == "master-started" and r["router"] == R1 for r in records)
