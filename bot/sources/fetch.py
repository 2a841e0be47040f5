"""Fetch a source over HTTP politely: conditional GET, redirect and size caps, timeouts, one request per host."""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import re
import socket
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import httpx
import xxhash

__all__ = ["DEFAULT_USER_AGENT", "FetchError", "Fetched", "Fetcher", "host_wait"]

DEFAULT_USER_AGENT = "Vigia/0.1 (+https://github.com/vigia-bot; news monitor)"
MAX_REDIRECTS = 5
DEFAULT_RETRY_AFTER = 25 * 60  # seconds, when a 429 does not say how long to wait
MAX_RETRY_AFTER = 48 * 3600

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, */*;q=0.1"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DECODE_STEP = 256 * 1024  # most bytes one decompression step may produce
# Seconds the current task spent waiting for a host's turn (another source of the same host
# was being fetched): a poll's own time is its wall time less this.
host_wait: contextvars.ContextVar[float] = contextvars.ContextVar("host_wait", default=0.0)
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE | re.ASCII)
_LONGEST_HINT = 366 * 86400  # seconds; any publisher hint beyond a year means "rarely"


class FetchError(Exception):
    """A fetch that failed, with a readable reason."""

    def __init__(
        self, reason: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after  # seconds the source asked us to wait


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful fetch: a new body (200) or none because nothing changed (304)."""

    status: int  # 200, or 304 (also when the body's hash equals the `body_hash` given)
    body: bytes | None  # None when 304
    url: str  # the final URL after redirects
    etag: str | None
    last_modified: str | None
    body_hash: str | None  # xxhash of the body (hex), to send back next time
    max_age: int | None  # seconds, from Cache-Control max-age
    elapsed_ms: int


class Fetcher:
    """One shared httpx.AsyncClient, per-host politeness, size cap, conditional GET."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient | None = None,
        max_bytes: int = 15 * 2**20,
        user_agent: str = DEFAULT_USER_AGENT,
        connect_timeout: float = 10.0,
        total_timeout: float = 20.0,
        allow_private_networks: bool = False,
    ) -> None:
        self._timeout = httpx.Timeout(total_timeout, connect=connect_timeout)
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        self._max_bytes = max_bytes
        self._user_agent = user_agent
        self._total_timeout = total_timeout
        self._allow_private = allow_private_networks
        # One lock per host name, so a host never sees two of our requests at once.
        self._host_locks: dict[str, asyncio.Lock] = {}

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
    ) -> Fetched:
        """GET `url`, following up to 5 redirects; raise FetchError for anything but 200 or 304."""
        headers = {
            "User-Agent": self._user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        budget = self._total_timeout
        current = _parse_url(url)
        for _ in range(MAX_REDIRECTS + 1):
            if not self._allow_private:
                await _refuse_private(current)  # on every hop: a redirect may lead inside
            asked = time.monotonic()
            async with self._lock_for(current.host):
                started = time.monotonic()  # waiting for the host's turn costs no budget
                host_wait.set(host_wait.get() + started - asked)
                hop = await self._request(current, headers, budget)
            budget -= time.monotonic() - started
            if isinstance(hop, httpx.URL):
                current = hop
                continue
            status, body, response_headers = hop
            elapsed_ms = round((self._total_timeout - budget) * 1000)
            return _settle(
                status,
                body,
                response_headers,
                url=str(current),
                etag=etag,
                last_modified=last_modified,
                body_hash=body_hash,
                elapsed_ms=elapsed_ms,
            )
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")

    async def aclose(self) -> None:
        """Close the HTTP client, unless it was given by the caller (who then closes it)."""
        if self._owns_client:
            await self._client.aclose()

    def _lock_for(self, host: str) -> asyncio.Lock:
        lock = self._host_locks.get(host)
        if lock is None:
            lock = self._host_locks[host] = asyncio.Lock()
        return lock

    async def _request(
        self, url: httpx.URL, headers: dict[str, str], budget: float
    ) -> httpx.URL | tuple[int, bytes | None, httpx.Headers]:
        """One hop: the next URL when redirected, else status, body (200 only) and headers."""
        if budget <= 0:
            raise FetchError(f"timed out after {self._total_timeout:g} s")
        try:
            async with asyncio.timeout(budget):
                request = self._client.build_request(
                    "GET", url, headers=headers, timeout=self._timeout
                )
                response = await self._client.send(request, stream=True, follow_redirects=False)
                try:
                    if not self._allow_private:
                        _refuse_private_peer(url, response)
                    if response.status_code in _REDIRECTS:
                        return _redirect_target(url, response)
                    body = await self._read_body(response) if response.status_code == 200 else None
                    return response.status_code, body, response.headers
                finally:
                    await response.aclose()
        except TimeoutError:
            raise FetchError(f"timed out after {self._total_timeout:g} s") from None
        except httpx.ConnectTimeout:
            raise FetchError(f"connect timed out: {url.host}") from None
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self._total_timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise FetchError(_connect_reason(url, exc)) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"network error: {type(exc).__name__}: {exc}") from None
        except httpx.InvalidURL as exc:  # httpx reads the Location of every redirect it meets
            raise FetchError(f"redirect to an invalid URL: {exc}") from None

    async def _read_body(self, response: httpx.Response) -> bytes:
        """The decoded body, refused as soon as it grows past the cap."""
        too_large = FetchError(f"body larger than {_size(self._max_bytes)}", status=200)
        declared = response.headers.get("Content-Length", "")
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        if declared.isdigit() and encoding in ("", "identity") and int(declared) > self._max_bytes:
            raise too_large
        decoder = _Decoder(encoding)
        body = bytearray()
        try:
            # Raw bytes, decoded here in bounded steps: httpx would inflate a whole network
            # chunk at once, and 64 KiB of a gzip bomb is 64 MiB.
            async for raw in response.aiter_raw():
                for piece in decoder.decode(raw):
                    body += piece
                    if len(body) > self._max_bytes:
                        raise too_large
        except zlib.error:
            raise FetchError(f"body not decodable as {encoding}", status=200) from None
        return bytes(body)


class _Decoder:
    """Undoes a Content-Encoding a step at a time, so memory stays bounded whatever the ratio."""

    def __init__(self, encoding: str) -> None:
        if encoding in ("", "identity"):
            self._wbits: int | None = None
        elif encoding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif encoding == "deflate":
            self._wbits = zlib.MAX_WBITS  # zlib-wrapped, as the RFC says; raw deflate on failure
        else:
            raise FetchError(f"unsupported content encoding {encoding!r}", status=200)
        self._inflater = zlib.decompressobj(self._wbits) if self._wbits is not None else None
        self._started = False
        self._done = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            yield data
            return
        while (data or self._started) and not self._done:
            try:
                out = self._inflater.decompress(data, _DECODE_STEP)
            except zlib.error:
                if self._started or self._wbits != zlib.MAX_WBITS:
                    raise
                # Some servers send raw deflate under "deflate".
                self._wbits = -zlib.MAX_WBITS
                self._inflater = zlib.decompressobj(self._wbits)
                continue
            self._started = True
            if out:
                yield out
            if self._inflater.eof:
                rest = self._inflater.unused_data
                if rest[:2] == b"\x1f\x8b" and self._wbits == 16 + zlib.MAX_WBITS:
                    self._inflater = zlib.decompressobj(self._wbits)  # another gzip member
                    data = rest
                    continue
                self._done = True  # trailing junk after the stream is ignored
                return
            data = self._inflater.unconsumed_tail
            if not data and len(out) < _DECODE_STEP:
                return


async def _refuse_private(url: httpx.URL) -> None:
    """FetchError unless every address the host resolves to is a public one."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            url.host, url.port or 443, type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError, ValueError):
        raise FetchError(f"host not found: {url.host}") from None
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            raise FetchError(_private_reason(url, address))


def _refuse_private_peer(url: httpx.URL, response: httpx.Response) -> None:
    """FetchError when the connection landed on a private address after all (DNS rebinding)."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if isinstance(peer, tuple) and peer and not _is_public(str(peer[0])):
        raise FetchError(_private_reason(url, str(peer[0])))


def _is_public(address: str) -> bool:
    """Whether an address is globally routable: not private, loopback, link-local, CGNAT,
    multicast or reserved (IPv4 inside IPv6 judged as IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    return ip.is_global and not ip.is_multicast


def _private_reason(url: httpx.URL, address: str) -> str:
    return (
        f"refused: {url.host} is at {address}, a private, loopback or reserved address; "
        "set BOT_ALLOW_PRIVATE_NETWORKS=true to read sources on such networks"
    )


def _settle(
    status: int,
    body: bytes | None,
    headers: httpx.Headers,
    *,
    url: str,
    etag: str | None,
    last_modified: str | None,
    body_hash: str | None,
    elapsed_ms: int,
) -> Fetched:
    """Turn the last response into a Fetched, or the FetchError its status calls for."""
    max_age = _max_age(headers.get("Cache-Control"))
    if status == 304:
        return Fetched(
            status=304,
            body=None,
            url=url,
            etag=headers.get("ETag") or etag,
            last_modified=headers.get("Last-Modified") or last_modified,
            body_hash=body_hash,
            max_age=max_age,
            elapsed_ms=elapsed_ms,
        )
    if status != 200 or body is None:
        raise FetchError(
            _status_reason(status), status=status, retry_after=_retry_after(status, headers)
        )
    digest = xxhash.xxh3_64_hexdigest(body)
    unchanged = body_hash is not None and digest == body_hash
    return Fetched(
        status=304 if unchanged else 200,
        body=None if unchanged else body,
        url=url,
        etag=headers.get("ETag"),
        last_modified=headers.get("Last-Modified"),
        body_hash=digest,
        max_age=max_age,
        elapsed_ms=elapsed_ms,
    )


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError("invalid URL: only http and https URLs with a host can be fetched")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise FetchError(f"invalid URL: port {parsed.port} does not exist")
    return parsed


def _redirect_target(current: httpx.URL, response: httpx.Response) -> httpx.URL:
    location = response.headers.get("Location")
    if not location:
        raise FetchError(
            f"HTTP {response.status_code} redirect without Location", status=response.status_code
        )
    try:
        target = current.join(location)
    except httpx.InvalidURL:
        raise FetchError("redirect to an invalid URL", status=response.status_code) from None
    if target.scheme not in ("http", "https") or not target.host:
        raise FetchError(
            f"redirect to an unsupported URL scheme {target.scheme!r}", status=response.status_code
        )
    if target.port is not None and not 0 < target.port < 65536:
        raise FetchError(
            f"redirect to port {target.port}, which does not exist", status=response.status_code
        )
    return target


def _connect_reason(url: httpx.URL, exc: httpx.ConnectError) -> str:
    where = f"{url.host}:{url.port}" if url.port else url.host
    cause: BaseException | None = exc
    while cause is not None:  # the OS's reason lies a few exceptions down
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {where}"
        if isinstance(cause, socket.gaierror):
            return f"host not found: {url.host}"
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if "refused" in text:
        return f"connection refused by {where}"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return f"host not found: {url.host}"
    return f"connection failed to {where}: {exc}"


def _status_reason(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _retry_after(status: int, headers: httpx.Headers) -> float | None:
    """Seconds to wait before asking again, on 429 and 503; capped at 48 hours."""
    if status not in (429, 503):
        return None
    value = (headers.get("Retry-After") or "").strip()
    seconds: float | None = None
    if value.isascii() and value.isdigit():  # "²".isdigit() is true too
        seconds = float(_bounded_number(value, MAX_RETRY_AFTER))
    elif value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)  # HTTP dates are GMT
            seconds = max(0.0, when.timestamp() - time.time())
    if seconds is None:
        return float(DEFAULT_RETRY_AFTER) if status == 429 else None
    return min(seconds, float(MAX_RETRY_AFTER))


def _max_age(cache_control: str | None) -> int | None:
    if not cache_control:
        return None
    found = _MAX_AGE.search(cache_control)
    return _bounded_number(found.group(1), _LONGEST_HINT) if found else None


def _bounded_number(digits: str, cap: int) -> int:
    """ASCII digits as a number no larger than `cap`, however many digits a server sends."""
    return cap if len(digits) > len(str(cap)) else min(int(digits), cap)


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n} bytes"
