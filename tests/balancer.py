"""A round-robin HTTP load balancer on loopback, in front of several webhook receivers.

    with Balancer(["http://127.0.0.1:8001", "http://127.0.0.1:8002"]) as balancer:
        post(balancer.url("/telegram/hook"), ...)      # goes to the next backend in turn
        balancer.hits                                   # requests passed to each backend

Each request (method, path, body, headers) goes to the next backend in turn and its answer comes
back as it is; a backend that does not answer gives 502, as a real balancer would.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class Balancer:
    """Round-robin proxy; `hits` counts the requests each backend answered."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.hits: Counter[str] = Counter()
        self._turn = itertools.cycle(backends)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def __enter__(self) -> Balancer:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> str:
        with self._lock:
            return next(self._turn)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        balancer = self

        class Forward(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._forward()

            def do_GET(self) -> None:
                self._forward()

            def log_message(self, format: str, *args: object) -> None:
                return

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                backend = balancer._next()
                target = urlsplit(backend)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                connection = http.client.HTTPConnection(target.hostname or "127.0.0.1",
                                                        target.port, timeout=10)
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    answer = connection.getresponse()
                    status, payload = answer.status, answer.read()
                except OSError:
                    status, payload = 502, b"bad gateway"
                finally:
                    connection.close()
                if status != 502:
                    with balancer._lock:
                        balancer.hits[backend] += 1
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Forward
