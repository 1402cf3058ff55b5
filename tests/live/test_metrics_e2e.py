"""`vrrpcap live --metrics` scraped by a real Prometheus, end to end.

Two keepalived routers in namespaces (tests/live/conftest.py), vrrpcap on their bridge serving
/metrics, and Prometheus (Debian's package) started by the test inside the bridge's namespace on a
free port, scraping every second, evaluating contrib/prometheus/vrrpcap.rules.yml every second, with
its own storage in the test's temporary folder. The test asks Prometheus' HTTP API, as a dashboard
or Alertmanager would: what it stored is what vrrpcap served. Root only (skipped with the reason
otherwise); keepalived, prometheus and nftables are installed on demand.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.live.conftest import R1, R2, ROOT, VRID, LiveProcess, Pair, ensure_tools
from tests.metrics.conftest import dashboard_queries, pick, samples

RULES = ROOT / "contrib" / "prometheus" / "vrrpcap.rules.yml"
MDI_BACKUP = 3 * 1 + (256 - 100) / 256  # the backup's Master_Down_Interval (priority 100, advert_int 1)


@pytest.fixture(scope="session")
def prometheus_tools() -> None:
    why = ensure_tools({"prometheus": "prometheus", "nft": "nftables"})
    if why:
        pytest.skip(f"Prometheus end to end: {why}")


def in_namespace(ns: str, code: str, *args: str) -> str:
    done = subprocess.run(
        ["ip", "netns", "exec", ns, sys.executable, "-c", code, *args],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return done.stdout


def free_port(ns: str) -> int:
    """A port nobody listens on inside the namespace: the kernel's choice for port 0."""
    code = "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
    return int(in_namespace(ns, code))


_GET = "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())"


@dataclass
class Prometheus:
    ns: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def api(self, path: str, **params: str) -> Any:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        answer = json.loads(in_namespace(self.ns, _GET, url))
        assert answer["status"] == "success", answer
        return answer["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return list(self.api("query", query=expr)["result"])

    def value(self, expr: str) -> float | None:
        result = self.query(expr)
        assert len(result) <= 1, result
        return float(result[0]["value"][1]) if result else None

    def wait(self, expr: str, want: Callable[[list[dict[str, Any]]], bool], timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                result: list[dict[str, Any]] | str = self.query(expr)
            except subprocess.CalledProcessError as error:  # not listening yet: Prometheus starts slowly
                result = error.stderr or str(error)
            if not isinstance(result, str) and want(result):
                return result
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"{expr}: {result} after {timeout} s; log: {self.log.read_text()[-2000:]}")
            time.sleep(0.5)


@pytest.fixture
def prometheus(prometheus_tools: None, keepalived_pair: Pair, tmp_path: Path) -> Iterator[Callable[[int], Prometheus]]:
    started: list[Prometheus] = []

    def start(target_port: int) -> Prometheus:
        ns = keepalived_pair.ns
        config = tmp_path / "prometheus.yml"
        config.write_text(
            json.dumps(  # YAML is a superset of JSON
                {
                    "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
                    "rule_files": [str(RULES)],
                    "scrape_configs": [
                        {"job_name": "vrrpcap", "static_configs": [{"targets": [f"127.0.0.1:{target_port}"]}]}
                    ],
                }
            )
        )
        port = free_port(ns)
        log = tmp_path / "prometheus.log"
        argv = [
            "ip", "netns", "exec", ns, "prometheus", f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}",
        ]  # fmt: skip
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        server = Prometheus(ns, port, proc, log)
        started.append(server)
        server.wait("up", lambda r: bool(r), timeout=30)  # ready, and has scraped once
        return server

    yield start
    for server in started:
        with suppress(ProcessLookupError):
            server.proc.terminate()
        try:
            server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=10)


def start_sensor(pair: Pair, live_process: Callable[..., LiveProcess]) -> tuple[LiveProcess, int]:
    port = free_port(pair.ns)
    # No host: every address. The bridge namespace has IPv6 disabled: the IPv4 fallback is used.
    live = live_process(pair.ns, pair.bridge, "--json", "--metrics", f":{port}", "--duration", "120")
    _, start = live.wait_for(lambda r: r["event"] == "start", timeout=15)
    assert start["metrics"] == f"http://localhost:{port}/metrics"
    live.wait_for(lambda r: r["event"] == "master-started" and r["router"] == R1, timeout=15)
    return live, port


def masters_of(result: list[dict[str, Any]]) -> list[str]:
    return [r["metric"]["router"] for r in result]


def test_prometheus_sees_the_failover(
    keepalived_pair: Pair, live_process: Callable[..., LiveProcess], prometheus: Callable[[int], Prometheus]
) -> None:
    live, port = start_sensor(keepalived_pair, live_process)
    server = prometheus(port)
    vr = {"interface": keepalived_pair.bridge, "family": "ipv4", "vrid": str(VRID), "group": "multicast"}
    (info,) = server.wait("vrrpcap_virtual_router_master_info", lambda r: masters_of(r) == [R1], timeout=20)
    assert info["metric"] == {
        "__name__": "vrrpcap_virtual_router_master_info", "job": "vrrpcap", "instance": f"127.0.0.1:{port}",
        **vr, "router": R1,
    }  # fmt: skip
    assert server.value("sum(vrrpcap_virtual_router_failovers_total)") == 0
    assert server.value('up{job="vrrpcap"}') == 1 and server.value("vrrpcap_up") == 1
    assert server.value(f'vrrpcap_router_priority{{router="{R1}"}}') == 150

    keepalived_pair.run.kill("r1")  # SIGKILL: no goodbye advert
    keepalived_pair.run.wait_state("r2", "VI_51", "MASTER", timeout=15)
    server.wait("vrrpcap_virtual_router_master_info", lambda r: masters_of(r) == [R2], timeout=20)

    # The failover counter rose by one, once: every value Prometheus stored is 0, then 1.
    (series,) = server.query('vrrpcap_virtual_router_failovers_total{cause="silence"}[3m]')
    values = [float(v) for _, v in series["values"]]
    assert values[0] == 0 and values[-1] == 1 and sorted(values) == values and set(values) == {0, 1}
    assert server.value("sum(vrrpcap_virtual_router_failovers_total)") == 1
    # Never two masters: the crash is not a split brain (the gauge went 1, 0 during the takeover, 1).
    assert server.value("max_over_time(vrrpcap_virtual_router_masters[3m])") == 1
    assert server.value("vrrpcap_virtual_router_masters") == 1
    takeover = server.value("vrrpcap_virtual_router_last_takeover_seconds")
    assert takeover is not None and MDI_BACKUP - 0.05 <= takeover <= MDI_BACKUP + 0.3
    assert server.value("vrrpcap_virtual_router_takeover_seconds_count") == 1
    assert server.value('vrrpcap_virtual_router_takeover_seconds_bucket{le="3.0"}') == 0
    assert server.value('vrrpcap_virtual_router_takeover_seconds_bucket{le="4.0"}') == 1
    states = server.query("vrrpcap_router_state == 1")
    assert sorted((r["metric"]["router"], r["metric"]["state"]) for r in states) == [(R1, "silent"), (R2, "master")]
    assert server.value(f'vrrpcap_router_release_master_total{{router="{R1}"}}') == 1
    assert server.query('ALERTS{alertname="VRRPSplitBrain"}') == []

    # The dashboard's queries run on this Prometheus; its state timeline reads r1 SILENT, r2 MASTER.
    queries = dict(dashboard_queries())
    for expr in queries.values():
        server.query(expr)  # a bad query would be an API error
    (timeline,) = [expr for where, expr in queries.items() if "Master per virtual router" in where]
    rows = {r["metric"]["router"]: float(r["value"][1]) for r in server.query(timeline)}
    assert rows == {R1: 0, R2: 3}

    live.signal(signal.SIGTERM)
    assert live.wait(timeout=20) == 0, live.stderr
    assert live.stderr == []


def test_split_brain_alert_fires(
    keepalived_pair: Pair, live_process: Callable[..., LiveProcess], prometheus: Callable[[int], Prometheus]
) -> None:
    live, port = start_sensor(keepalived_pair, live_process)
    server = prometheus(port)
    server.wait("vrrpcap_virtual_router_master_info", lambda r: masters_of(r) == [R1], timeout=20)

    keepalived_pair.run.block_vrrp("r2")  # nftables: r2 stops hearing r1, claims mastership
    keepalived_pair.run.wait_state("r2", "VI_51", "MASTER", timeout=15)
    (alert,) = server.wait('ALERTS{alertname="VRRPSplitBrain", alertstate="firing"}', lambda r: len(r) == 1, timeout=45)
    assert {k: alert["metric"][k] for k in ("interface", "vrid", "group", "severity")} == {
        "interface": keepalived_pair.bridge, "vrid": str(VRID), "group": "multicast", "severity": "critical",
    }  # fmt: skip
    assert server.value("vrrpcap_virtual_router_masters") == 2
    assert sorted(masters_of(server.query("vrrpcap_router_state{state='master'} == 1"))) == [R1, R2]
    rules = server.api("rules")["groups"][0]["rules"]
    (rule,) = [r for r in rules if r["name"] == "VRRPSplitBrain"]
    assert rule["state"] == "firing" and rule["health"] == "ok"
    assert {r["health"] for r in rules} == {"ok"}  # every rule evaluates on the real series

    live.signal(signal.SIGTERM)
    assert live.wait(timeout=20) == 1, live.stderr  # the split brain is an error finding: --fail-on error


def test_several_interfaces_in_one_process(keepalived_pair: Pair, live_process: Callable[..., LiveProcess]) -> None:
    """The bridge and r1's port on it: the same adverts on two links are two virtual routers, each
    labelled with its interface; frames are counted per interface."""
    ns, bridge = keepalived_pair.ns, keepalived_pair.bridge
    port_of_r1 = keepalived_pair.lab.routers["r1"].peer_ifname
    metrics_port = free_port(ns)
    live = live_process(ns, bridge, port_of_r1, "--json", "--metrics", f"127.0.0.1:{metrics_port}", "--duration", "30")
    _, start = live.wait_for(lambda r: r["event"] == "start", timeout=15)
    assert start["interfaces"] == [bridge, port_of_r1] and start["interface"] == f"{bridge},{port_of_r1}"
    for interface in (bridge, port_of_r1):

        def started_on(r: dict[str, Any], i: str = interface) -> bool:
            return bool(r["event"] == "master-started" and r["vr"].startswith(f"{i}/"))

        live.wait_for(started_on, 15)
    time.sleep(2.5)  # a tick: capture counters read
    text = in_namespace(ns, _GET, f"http://127.0.0.1:{metrics_port}/metrics")
    found = samples(text, openmetrics=False)
    masters = {s.labels["interface"]: s.labels["router"] for s in pick(found, "vrrpcap_virtual_router_master_info")}
    assert masters == {bridge: R1, port_of_r1: R1}
    frames = {s.labels["interface"]: s.value for s in pick(found, "vrrpcap_capture_frames_total")}
    assert set(frames) == {bridge, port_of_r1} and all(v >= 2 for v in frames.values())
    drops = {s.labels["interface"]: s.value for s in pick(found, "vrrpcap_capture_dropped_packets_total")}
    assert drops == {bridge: 0, port_of_r1: 0}
    live.signal(signal.SIGTERM)
    assert live.wait(timeout=20) == 0, live.stderr
    stop = live.records()[-1][1]
    assert stop["event"] == "stop" and stop["dropped"] == 0
    report = stop["report"]
    assert sorted(i["path"] for i in report["inputs"]) == sorted([bridge, port_of_r1])
    assert sorted(vr["interface"] for vr in report["virtual_routers"]) == sorted([bridge, port_of_r1])
