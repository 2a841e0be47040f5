"""The small HTTP surface of `run`: a table of routes (path → async handler) served by tornado.

A handler takes a `Request` and returns a `Response`; it sees every method and answers 405 itself
to those it does not serve. Unknown paths get 404; a handler that raises gets 500 and a log line
with the path, and nothing of the error reaches the client.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

__all__ = ["Handler", "HttpSurface", "Request", "Response", "Routes"]

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


class _Dispatch(RequestHandler):
    """Tornado's side: turn the request into a `Request`, find the route, write the `Response`."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST")

    def initialize(self, routes: Routes) -> None:
        self._routes = routes

    async def _answer(self) -> None:
        request = self.request
        handler = self._routes.get(request.path)
        if handler is None:
            self._write(Response(status=404, body=b"not found\n"))
            return
        try:
            response = await handler(Request(
                method=request.method or "GET",
                path=request.path,
                query={name: values[0].decode("utf-8", "replace")
                       for name, values in request.query_arguments.items() if values},
                headers={name.lower(): value for name, value in request.headers.get_all()},
                body=request.body,
            ))
        except Exception:  # isolation point: one failing route must not take the server down
            logger.exception("http route failed path=%s", request.path)
            response = Response(status=500, body=b"internal error\n")
        self._write(response)

    def _write(self, response: Response) -> None:
        self.set_status(response.status)
        self.set_header("Content-Type", response.content_type)
        self.set_header("Cache-Control", "no-store")
        if self.request.method != "HEAD":
            self.write(response.body)

    async def get(self, *_args: Any) -> None:
        await self._answer()

    async def head(self, *_args: Any) -> None:
        await self._answer()

    async def post(self, *_args: Any) -> None:
        await self._answer()

    def log_exception(self, *args: Any) -> None:
        # Tornado's own error log would print the request; ours above says what matters.
        logger.warning("http error path=%s", self.request.path)
