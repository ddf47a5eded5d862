"""Read studies from the ClinicalTrials.gov API v2, or from a folder of saved responses.

The standard library's urllib is enough for one GET per study, so no HTTP dependency is added.
The client identifies itself, keeps to a few requests per second and retries a 429 after the
delay the server advertises (bounded), so a weekly run over the corpus stays polite. The whole
answer, headers and body, must arrive within the timeout: a socket's timeout bounds each read
only, so a watchdog shuts the socket at the deadline. Every failure is a typed RegistryError
with a message a curator can act on.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import math
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .. import __version__
from ..fsio import UnsafeTarget, read_regular

DEFAULT_API = "https://clinicaltrials.gov/api/v2"
#: Points the client at another server (a mirror, or the tests' local server).
API_ENV = "RESPIROCELL_CTGOV_API"
USER_AGENT = f"respirocell/{__version__} (+https://github.com/respirocell/respirocell; registry import and drift check)"
NCT_ID = re.compile(r"NCT[0-9]{8}")  # ASCII digits only: \d takes any script's digits
#: The largest API v2 study response read (the fixtures' largest, with posted results, is 7 kB).
MAX_RESPONSE_BYTES = 20_000_000

Study = dict[str, Any]


class RegistryError(Exception):
    """The registry could not give a usable study record. ``message`` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RegistryUnavailable(RegistryError):
    """No answer: no network, a timeout, a server error, or rate limiting that outlasted the retries."""


class StudyNotFound(RegistryError):
    """The registry has no study with this id (HTTP 404)."""


class NotCached(RegistryError):
    """The cache folder holds no saved response for this study: it is not compared, which is not drift."""


class StudyWithdrawn(RegistryError):
    """The study was withdrawn before it enrolled anyone: there is nothing to curate."""


class MalformedResponse(RegistryError):
    """The answer is not the JSON study object of API v2."""


def check_nct_id(nct_id: str) -> str:
    """The id in canonical form (upper case, trimmed); ValueError when it is not NCT plus 8 digits."""
    canonical = nct_id.strip().upper()
    if not NCT_ID.fullmatch(canonical):
        raise ValueError(f"{nct_id!r} is not a ClinicalTrials.gov id (NCT followed by 8 digits, e.g. NCT02097641)")
    return canonical


def read_study(path: Path) -> Study:
    """The study in a saved API v2 response; MalformedResponse when it is none, or cannot be
    read (a pipe is never opened, a file over MAX_RESPONSE_BYTES never read whole)."""
    try:
        return parse_study(read_regular(path, MAX_RESPONSE_BYTES), str(path))
    except FileNotFoundError:
        raise
    except UnsafeTarget as exc:  # not a regular file, or too large: the message names the path
        raise MalformedResponse(str(exc)) from None
    except OSError as exc:
        raise MalformedResponse(f"cannot read {path}: {exc.strerror or exc}") from None


def _finite(text: str) -> float:
    """A JSON number as a float; ValueError for NaN, Infinity and what overflows (1e999)."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def parse_study(text: str | bytes, origin: str) -> Study:
    """The study object in an API v2 response; MalformedResponse when it is not one (a number that
    is not finite is refused here, so no field conversion downstream meets one)."""
    if len(text) > MAX_RESPONSE_BYTES:
        raise MalformedResponse(f"{origin}: the response is over {MAX_RESPONSE_BYTES:,} bytes; no study is that long")
    try:
        data = json.loads(text, parse_float=_finite, parse_constant=_finite)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"{origin}: the response is not valid JSON ({exc})") from None
    except RecursionError:
        raise MalformedResponse(f"{origin}: the response nests deeper than any study does") from None
    if not isinstance(data, dict) or not isinstance(data.get("protocolSection"), dict):
        raise MalformedResponse(f"{origin}: the response is JSON but not an API v2 study (no protocolSection)")
    ident = data["protocolSection"].get("identificationModule")
    if not isinstance(ident, dict) or not isinstance(ident.get("nctId"), str):
        raise MalformedResponse(f"{origin}: the study has no identificationModule.nctId")
    if not NCT_ID.fullmatch(ident["nctId"]):
        raise MalformedResponse(f"{origin}: identificationModule.nctId {ident['nctId'][:40]!r} is not an NCT id")
    return data


def study_ids(study: Study) -> list[str]:
    """The study's NCT id and the ids merged into it (``nctIdAliases``), which the registry answers for."""
    ident = study["protocolSection"]["identificationModule"]
    aliases = ident.get("nctIdAliases")
    return [ident["nctId"], *(a for a in (aliases if isinstance(aliases, list) else []) if isinstance(a, str))]


def is_study(study: Study, nct_id: str) -> bool:
    """Whether ``study`` is the registry's answer for ``nct_id``."""
    return nct_id in study_ids(study)


def study_for(study: Study, nct_id: str, origin: str) -> Study:
    """``study`` if it is the one asked for: a mirror, a cache file saved under the wrong name or
    a misconfigured server must not pass another study off as ``nct_id``."""
    if not is_study(study, nct_id):
        found = study["protocolSection"]["identificationModule"]["nctId"]
        raise MalformedResponse(f"{origin}: the answer is the study {found}, not {nct_id}")
    return study


def _status_module(study: Study) -> dict[str, Any]:
    module = study["protocolSection"].get("statusModule")
    return module if isinstance(module, dict) else {}


def overall_status(study: Study) -> str | None:
    status = _status_module(study).get("overallStatus")
    return status if isinstance(status, str) else None


def refuse_withdrawn(study: Study, nct_id: str) -> Study:
    if overall_status(study) == "WITHDRAWN":
        why = _status_module(study).get("whyStopped")
        reason = f" (why stopped: {why})" if why else ""
        raise StudyWithdrawn(f"{nct_id} was withdrawn before enrolling anyone{reason}; there is nothing to import")
    return study


class StudySource(Protocol):
    """Anything that gives the current registry entry of a study: the API, or a folder of responses."""

    def get(self, nct_id: str) -> Study: ...


@dataclass
class CacheDir:
    """Saved API v2 responses, one ``<NCT id>.json`` per study, for offline runs and tests."""

    folder: Path

    def get(self, nct_id: str) -> Study:
        path = self.folder / f"{nct_id}.json"
        try:
            return study_for(read_study(path), nct_id, str(path))
        except FileNotFoundError:
            raise NotCached(f"{nct_id}: no saved response {path} in the cache folder") from None


@dataclass
class RateLimiter:
    """At most one request every ``interval`` seconds (0.35 s: under three a second)."""

    interval: float = 0.35
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            self.sleep(self.interval - (now - self._last))
            now = self.clock()
        self._last = now


def retry_after(value: str | None, default: float, now: Callable[[], float] = time.time) -> float:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if value is None:
        return default
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²" and "٣" are digits to str.isdigit, not to float
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - now())


class _Watchdog:
    """Shuts the sockets of one request when its time is up, so that a server sending its
    headers or body a byte at a time cannot hold a read open past the deadline. A socket is
    watched from the moment it is made (before a TLS handshake) and again once wrapped in TLS; a
    connection is made only within what is left of the deadline (a redirect followed after a cut
    makes none)."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self.deadline = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def _cut(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)
        return sock

    def connection(self, address: tuple[str, int], timeout: float, *rest: Any) -> socket.socket:
        """socket.create_connection within what is left of the deadline, watched from the start
        (a TLS handshake included); none is made after it."""
        left = self.deadline - time.monotonic()
        if self.fired or left <= 0:
            raise TimeoutError("the deadline has passed")
        return self.watch(socket.create_connection(address, min(timeout, left), *rest))

    def opener(self) -> urllib.request.OpenerDirector:
        """urllib's opener for HTTP and HTTPS only (proxies as usual; a redirect elsewhere is
        refused), whose connections are watched."""
        watchdog = self

        def watched(base: type[http.client.HTTPConnection]) -> Any:
            class Connection(base):  # type: ignore[valid-type,misc]
                def __init__(self, *args: Any, **kwargs: Any) -> None:
                    super().__init__(*args, **kwargs)
                    self._create_connection = watchdog.connection

                def connect(self) -> None:
                    super().connect()
                    watchdog.watch(self.sock)  # over HTTPS the wrapped socket, which detached the plain one
            return Connection

        class HTTP(urllib.request.HTTPHandler):
            def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(watched(http.client.HTTPConnection), req)

        class HTTPS(urllib.request.HTTPSHandler):
            def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                context = self._context  # type: ignore[attr-defined]
                return self.do_open(watched(http.client.HTTPSConnection), req, context=context)

        opener = urllib.request.OpenerDirector()
        for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(), HTTP(), HTTPS(),
                        urllib.request.HTTPDefaultErrorHandler(), _HTTPRedirects(),
                        urllib.request.HTTPErrorProcessor()):
            opener.add_handler(handler)
        return opener

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass


class _NotHTTP(Exception):
    """A redirect to another scheme than HTTP(S)."""


class _HTTPRedirects(urllib.request.HTTPRedirectHandler):
    """urllib's redirects (bounded, loops refused), to HTTP and HTTPS only: its own would follow ftp://."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise _NotHTTP(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any) -> Any:
        fp.close()  # urllib would read a redirect's body whole, however long it says it is; nothing in it is used
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


@dataclass
class RegistryClient:
    """GET /studies/{nctId} with a timeout, a User-Agent, a rate limit and bounded 429 retries."""

    base_url: str = field(default_factory=lambda: os.environ.get(API_ENV) or DEFAULT_API)
    timeout: float = 30.0
    max_retries: int = 3
    #: A server asking for a longer pause than this is treated as unavailable rather than waited for.
    max_wait: float = 120.0
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter())

    def url(self, nct_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/studies/{nct_id}?format=json"

    def get(self, nct_id: str) -> Study:
        url = self.url(nct_id)
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        for attempt in range(self.max_retries + 1):
            self.limiter.wait()
            watchdog = _Watchdog(self.timeout)
            try:
                with watchdog, watchdog.opener().open(request, timeout=self.timeout) as response:
                    body = response.read(MAX_RESPONSE_BYTES + 1)  # parse_study refuses more
                if not watchdog.fired:
                    return study_for(parse_study(body, url), nct_id, url)
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.url != url:  # the study's own address never gave this answer
                    raise RegistryUnavailable(f"{nct_id}: {self.base_url} redirected to {exc.url}, which answered "
                                              f"HTTP {exc.code} {exc.reason}; try again later") from None
                if exc.code == 404:
                    raise StudyNotFound(f"{nct_id}: ClinicalTrials.gov has no study with this id (HTTP 404); "
                                        "check the id") from None
                if exc.code == 429 and attempt < self.max_retries:
                    delay = retry_after(exc.headers.get("Retry-After"), default=2.0 ** attempt)
                    if delay > self.max_wait:
                        raise RegistryUnavailable(f"{nct_id}: ClinicalTrials.gov asks to wait {delay:.0f} s "
                                                  "(HTTP 429); try again later") from None
                    self.limiter.sleep(delay)
                    continue
                if exc.code == 429:
                    raise RegistryUnavailable(f"{nct_id}: still rate-limited by ClinicalTrials.gov after "
                                              f"{self.max_retries} retries (HTTP 429); try again later") from None
                raise RegistryUnavailable(f"{nct_id}: ClinicalTrials.gov answered HTTP {exc.code} "
                                          f"{exc.reason} for {url}") from None
            except _NotHTTP as exc:
                raise RegistryUnavailable(f"{nct_id}: {self.base_url} answered with a redirect to {exc}, which is "
                                          "not HTTP") from None
            except ValueError as exc:  # urllib's word for a Location it cannot use (UnicodeError included)
                raise RegistryUnavailable(f"{nct_id}: {self.base_url} answered with an unusable redirect "
                                          f"({exc})") from None
            except (OSError, http.client.HTTPException) as exc:  # URLError and TimeoutError are OSErrors
                reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                if watchdog.fired or isinstance(reason, TimeoutError):
                    pass  # said below
                elif isinstance(exc, urllib.error.URLError):
                    raise RegistryUnavailable(f"{nct_id}: cannot reach {self.base_url} ({reason}); check the "
                                              "network, or use --from-file / --cache with saved responses") from None
                else:  # a connection reset and the like
                    raise RegistryUnavailable(f"{nct_id}: the connection to {self.base_url} failed ({exc})") from None
            # Silent, or too slow: a socket timeout and the watchdog are the same deadline, met first by either.
            raise RegistryUnavailable(f"{nct_id}: no complete answer from {self.base_url} within {self.timeout:g} s; "
                                      "try again later")
        raise AssertionError("unreachable")  # pragma: no cover
