"""``--metrics [HOST:]PORT``: serve ``/metrics`` over HTTP while the capture runs.

A small threaded HTTP server (one thread per scrape, never the capture's): GET /metrics answers in
the format the scraper's Accept header asks for (prometheus_client decides: OpenMetrics 1.0.0 for
Prometheus, text 0.0.4 otherwise), gzip-compressed when it accepts gzip, with prometheus_client's
process metrics (CPU, memory, file descriptors) after vrrpcap's own. No HOST listens on every
address: IPv6 and IPv4 on one socket where the kernel has IPv6, IPv4 alone where it has not.
"""

from __future__ import annotations

import errno
import gzip
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from vrrpcap.errors import InputUnavailable, OutputFailed
from vrrpcap.metrics.exposition import negotiate
from vrrpcap.metrics.model import Busy, Metrics

DEFAULT_PORT = 10112  # outside 9100-9999 (the exporters' range, all allocated); 112: VRRP's protocol number
PATH = "/metrics"


@dataclass(frozen=True, slots=True)
class Listen:
    host: str  # "" for every address
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_listen(text: str) -> Listen:
    """``PORT``, ``:PORT``, ``HOST:PORT``, ``[IPv6]:PORT``, or ``HOST`` alone (the default port)."""
    text = text.strip()
    if not text:
        raise ValueError(f"give [HOST:]PORT, e.g. :{DEFAULT_PORT}")
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"{text!r}: an IPv6 address goes in brackets, [::1]:{DEFAULT_PORT}")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    elif text.isdigit():
        host, port_text = "", text
    elif ":" in text:
        raise ValueError(f"{text!r}: put an IPv6 address in brackets, [{text}]:{DEFAULT_PORT}")
    else:
        host, port_text = text, ""
    if not port_text:
        port = DEFAULT_PORT
    elif not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"{port_text!r} is not a TCP port (0-65535)")
    else:
        port = int(port_text)
    if not host and not port_text and text:
        raise ValueError(f"{text!r}: give [HOST:]PORT")
    return Listen(host, port)


def _process_metrics(openmetrics: bool) -> str:
    """prometheus_client's process and platform collectors, in the same format, without its # EOF."""
    from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector
    from prometheus_client.exposition import generate_latest
    from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics

    registry = CollectorRegistry(auto_describe=False)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    if openmetrics:
        text: str = generate_openmetrics(registry).decode()  # type: ignore[no-untyped-call]
        return text.removesuffix("# EOF\n")
    return generate_latest(registry).decode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] != PATH:
            self._answer(404, "text/plain; charset=utf-8", b"vrrpcap: metrics are at /metrics\n")
            return
        openmetrics, content_type = negotiate(self.headers.get("Accept"))
        try:
            body = self.server.metrics.exposition(openmetrics, _process_metrics(openmetrics)).encode()
        except Busy as exc:
            self._answer(503, "text/plain; charset=utf-8", f"vrrpcap: {exc}\n".encode())
            return
        gzipped = "gzip" in (self.headers.get("Accept-Encoding") or "")
        self._answer(200, content_type, gzip.compress(body, 1) if gzipped else body, gzipped)

    def _answer(self, code: int, content_type: str, body: bytes, gzipped: bool = False) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not logged: stdout is the event stream, stderr for errors."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, listen: Listen, metrics: Metrics, family: socket.AddressFamily) -> None:
        self.address_family = family
        self.metrics = metrics
        super().__init__((listen.host, listen.port), _Handler)

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def _families(host: str) -> list[socket.AddressFamily]:
    if not host:
        return [socket.AF_INET6, socket.AF_INET] if socket.has_ipv6 else [socket.AF_INET]
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OutputFailed(f"--metrics {host}: cannot listen ({exc.strerror})") from None
    return list(dict.fromkeys(socket.AddressFamily(item[0]) for item in found))


class MetricsServer:
    """Listening from `start()` (errors are one line, exit 6) until `stop()`."""

    def __init__(self, listen: Listen, metrics: Metrics) -> None:
        self.listen = listen
        self.metrics = metrics
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            import prometheus_client  # noqa: F401  (negotiation and process metrics)
        except ImportError:
            raise InputUnavailable("--metrics needs prometheus_client: pip install 'vrrpcap[metrics]'") from None
        failure: OSError | None = None
        for family in _families(self.listen.host):
            host = "::" if family == socket.AF_INET6 and not self.listen.host else self.listen.host
            try:
                self._server = _Server(Listen(host, self.listen.port), self.metrics, family)
                break
            except OSError as exc:
                failure = exc
                if exc.errno not in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
                    break
        if self._server is None:
            cause = failure.strerror if failure is not None and failure.strerror else failure
            raise OutputFailed(f"--metrics {self.listen}: cannot listen ({cause})")
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        """The port listened on (the kernel's choice for port 0)."""
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self) -> str:
        host = self.listen.host or "localhost"
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}{PATH}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
