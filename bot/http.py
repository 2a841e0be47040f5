"""The small HTTP surface of `run`: a table of routes (path → async handler) served by tornado.

A route is one line in the table `build_routes` returns (or one `routes[path] = handler` in
app.py): a handler takes a `Request` and returns a `Response`; it sees every method and answers
405 itself to those it does not serve. Unknown paths get 404, a handler that raises gets 500 and
a log line with the path; nothing of the error reaches the client.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from bot.health import check_health
from bot.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.metrics import Metrics
from storage.db import Sessions
from storage.deliveries import count_pending
from storage.stories import count_failing

__all__ = ["Handler", "HttpSurface", "Request", "Response", "Routes", "build_routes"]

logger = logging.getLogger(__name__)

MAX_BODY = 1 * 2**20  # bytes; webhooks post small JSON documents


@dataclass(frozen=True, slots=True)
class Request:
    """What a handler sees of one HTTP request."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)  # the first value of each name
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Response:
    """What a handler answers."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"

    @classmethod
    def json(cls, document: object, *, status: int = 200) -> Response:
        """A JSON body (UTF-8, non-ASCII kept readable)."""
        body = json.dumps(document, ensure_ascii=False, indent=1).encode() + b"\n"
        return cls(status=status, body=body, content_type="application/json; charset=utf-8")

    @classmethod
    def text(cls, text: str, *, status: int = 200) -> Response:
        """A plain-text body."""
        return cls(status=status, body=text.encode())


Handler = Callable[[Request], Awaitable[Response]]
Routes = dict[str, Handler]


class HttpSurface:
    """The HTTP server of one process: start it inside the running event loop, stop it after."""

    def __init__(self, routes: Routes) -> None:
        self.routes = routes
        self._server: HTTPServer | None = None
        self.port: int | None = None

    async def start(self, *, listen: str, port: int) -> int:
        """Listen on listen:port (0 picks a free port) and return the port bound."""
        application = Application([(r"/.*", _Dispatch, {"routes": self.routes})])
        self._server = HTTPServer(application, max_body_size=MAX_BODY, xheaders=False)
        sockets = bind_sockets(port, address=listen)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        logger.info("http listen=%s port=%d routes=%s", listen, self.port, " ".join(self.routes))
        return self.port

    async def stop(self) -> None:
        """Stop listening and close the open connections."""
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


def method_not_allowed(*allowed: str) -> Response:
    """The answer to a method a route does not serve."""
    return Response(status=405, body=f"use {' or '.join(allowed)}\n".encode())


class _Dispatch(RequestHandler):
    """Tornado's side: turn the request into a `Request`, find the route, write the `Response`."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

    def initialize(self, routes: Routes) -> None:
        self._routes = routes

    async def _answer(self) -> None:
        request = self.request
        path = request.path
        handler = self._routes.get(path)
        if handler is None:
            self._write(Response(status=404, body=b"not found\n"))
            return
        try:
            response = await handler(
                Request(
                    method=request.method or "GET",
                    path=path,
                    query={name: values[0].decode("utf-8", "replace")
                           for name, values in request.query_arguments.items() if values},
                    headers={name.lower(): value for name, value in request.headers.get_all()},
                    body=request.body,
                )
            )
        except Exception:  # isolation point: one failing route must not take the server down
            logger.exception("http route failed path=%s", path)
            response = Response(status=500, body=b"internal error\n")
        self._write(response)

    def _write(self, response: Response) -> None:
        self.set_status(response.status)
        self.set_header("Content-Type", response.content_type)
        self.set_header("Cache-Control", "no-store")
        if self.request.method != "HEAD":
            self.write(response.body)

    async def get(self, *_args: str) -> None:
        await self._answer()

    async def head(self, *_args: str) -> None:
        await self._answer()

    async def post(self, *_args: str) -> None:
        await self._answer()

    async def put(self, *_args: str) -> None:
        await self._answer()

    async def delete(self, *_args: str) -> None:
        await self._answer()

    async def patch(self, *_args: str) -> None:
        await self._answer()

    async def options(self, *_args: str) -> None:
        await self._answer()

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Tornado's own error log would print the request; ours above says what matters.
        logger.warning("http error path=%s", self.request.path)


def build_routes(*, sessions: Sessions, metrics: Metrics, max_tick_age: timedelta) -> Routes:
    """The routes of `vigia run`: add one line here for each new one."""
    return {
        "/healthz": health_route(sessions=sessions, max_tick_age=max_tick_age),
        "/metrics": metrics_route(sessions=sessions, metrics=metrics),
    }


def health_route(*, sessions: Sessions, max_tick_age: timedelta) -> Handler:
    """GET /healthz: 200 and the checks as JSON when healthy, 503 with the reasons otherwise."""

    async def answer(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return method_not_allowed("GET")
        health = await check_health(sessions=sessions, max_tick_age=max_tick_age)
        return Response.json(health.document(), status=200 if health.ok else 503)

    return answer


def metrics_route(*, sessions: Sessions, metrics: Metrics) -> Handler:
    """GET /metrics: Prometheus' text format; the gauges are read from the database now."""

    async def answer(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return method_not_allowed("GET")
        async with sessions() as session:
            metrics.set_gauges(
                sources_failing=await count_failing(session=session),
                outbox_pending=await count_pending(session=session),
            )
        return Response(body=metrics.render(), content_type=METRICS_CONTENT_TYPE)

    return answer
