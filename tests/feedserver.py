"""A loopback HTTP server for tests: answers feed and channel-page requests from a route table."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

__all__ = ["FeedServer", "RecordedRequest", "Route", "serve_feeds"]


@dataclass
class Route:
    """What a path answers.

    `body` may be a callable returning an iterable of chunks: the chunks are streamed as they are
    produced (no Content-Length, the connection closes at the end), so a test can serve a huge
    body without holding it in memory.
    """

    body: bytes | Callable[[], Iterable[bytes]] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    etag: str | None = None  # sent as ETag; a matching If-None-Match gets 304
    last_modified: str | None = None  # sent as Last-Modified; an equal If-Modified-Since gets 304


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received, and what it answered."""

    path: str
    query: str
    headers: dict[str, str]  # header names lower-cased
    status: int  # what the server answered (404 for an unknown path)
    host: str  # the Host header, to tell 127.0.0.1 from localhost


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 with a route table that tests may change at any time.

    Routes are matched on path plus query first (`/s/chan?before=123`), then on the path alone.
    `requests` records every request; `max_in_flight` is the most requests handled at once.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.max_in_flight = 0
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._in_flight = 0
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FeedServer is not started")
        return int(self._httpd.server_address[1])

    def start(self) -> FeedServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        """The absolute URL of `path`; `host="localhost"` reaches the same server by another name."""
        if not path.startswith("/"):
            path = "/" + path
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, route: Route) -> None:
        """Add or replace what `path` (optionally with `?query`) answers."""
        with self._lock:
            self._routes[path] = route

    def hits(self, path: str) -> int:
        """How many requests reached `path` (any query)."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Called from handler threads.

    def _find(self, path: str, query: str) -> Route | None:
        with self._lock:
            if query and f"{path}?{query}" in self._routes:
                return self._routes[f"{path}?{query}"]
            return self._routes.get(path)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


@contextmanager
def serve_feeds() -> Iterator[FeedServer]:
    """A started FeedServer, stopped on exit."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Any, owner: FeedServer) -> None:
        super().__init__(address, handler)
        self.owner = owner

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stops reading early (the size cap) is expected, not an error.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        owner = self.server.owner
        owner._enter()
        try:
            self._answer(owner)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            owner._leave()

    def _answer(self, owner: FeedServer) -> None:
        parts = urlsplit(self.path)
        route = owner._find(parts.path, parts.query)
        headers = {k.lower(): v for k, v in self.headers.items()}
        status = self._status(route, headers)
        owner._record(
            RecordedRequest(
                path=parts.path,
                query=parts.query,
                headers=headers,
                status=status,
                host=headers.get("host", ""),
            )
        )
        if route is not None and route.delay > 0:
            owner._stopping.wait(route.delay)
        if route is None or status == 304:
            self._send_fixed(status, b"", route)
        elif callable(route.body):
            self._send_stream(route)
        else:
            self._send_fixed(status, route.body, route)

    def _status(self, route: Route | None, headers: dict[str, str]) -> int:
        if route is None:
            return 404
        if route.etag is not None and headers.get("if-none-match") == route.etag:
            return 304
        if (
            route.last_modified is not None
            and "if-none-match" not in headers
            and headers.get("if-modified-since") == route.last_modified
        ):
            return 304
        return route.status

    def _send_head(self, status: int, route: Route | None) -> None:
        self.send_response(status)
        if route is not None:
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.etag is not None:
                self.send_header("ETag", route.etag)
            if route.last_modified is not None:
                self.send_header("Last-Modified", route.last_modified)

    def _send_fixed(self, status: int, body: bytes, route: Route | None) -> None:
        self._send_head(status, route)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _send_stream(self, route: Route) -> None:
        assert callable(route.body)
        self._send_head(route.status, route)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        started = time.monotonic()
        for chunk in route.body():
            if self.server.owner._stopping.is_set() or time.monotonic() - started > 60:
                break
            if chunk:
                self.wfile.write(chunk)
