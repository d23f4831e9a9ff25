"""Reading PeeringDB: its REST API, or a directory of answers saved from it.

The API (https://www.peeringdb.com/apidocs/): `GET <PEERINGDB_URL>/<type>?depth=0`
answers `{"meta": {...}, "data": [...]}`, every live object of the type; with
`since=<unix seconds>` only the objects updated since then, deleted ones included (status
"deleted"). A key goes in the `Authorization: Api-Key <key>` header. Too many requests
answer HTTP 429 with a `Retry-After` header (seconds): we wait that long and ask again,
up to PEERINGDB_MAX_WAIT seconds in all.

Errors are `PeeringDBError`, one sentence that never contains the key.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings

# The PeeringDB object types synchronised, in the order they are read.
OBJECT_TYPES = ("ix", "ixlan", "ixpfx", "net", "netixlan")
USER_AGENT = "Peerkeeper (PeeringDB synchronisation)"
# Waits asked by a 429 without Retry-After: 1, 2, 4... seconds; never less than a second
# (a Retry-After of 0 would make a loop), never more than MAX_ATTEMPTS tries per request.
FIRST_BACKOFF = 1.0
MIN_WAIT = 1.0
MAX_ATTEMPTS = 10
# DRF's throttle message, when the header is missing: "Expected available in 12 seconds."
_AVAILABLE_IN = re.compile(r"available in (\d+(?:\.\d+)?) second")


class PeeringDBError(Exception):
    """PeeringDB could not be read, or said something unusable: one sentence."""


@dataclass(frozen=True)
class Answer:
    """One object type's objects as PeeringDB gave them, and whether they are every live
    object of the type (`complete`: no `since`) or only those updated since a time."""

    object_type: str
    objects: list[dict[str, Any]]
    complete: bool


class Source(Protocol):
    """Where a synchronisation reads from: the API, or saved answers. `incremental`: it
    can answer only what changed since a time."""

    description: str
    incremental: bool

    def fetch(self, object_type: str, since: int | None) -> Answer: ...


def safe_url(url: str) -> str:
    """`url` without any user:password part, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class PeeringDBClient:
    """The PeeringDB REST API at `url` (default PEERINGDB_URL).

    `sleep` and `on_wait` exist for the rate limit: `on_wait(sentence)` is told before
    each wait (progress), `sleep(seconds)` waits."""

    incremental = True

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        max_wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = (url or settings.PEERINGDB_URL).rstrip("/")
        self.description = safe_url(self.url)
        self.timeout = timeout or settings.PEERINGDB_TIMEOUT
        self.max_wait = settings.PEERINGDB_MAX_WAIT if max_wait is None else max_wait
        self.on_wait = on_wait or (lambda sentence: None)
        self.sleep = sleep
        self.waited = 0.0  # seconds waited for the rate limit, in all, by this client
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy from the environment: exactly this URL
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.key = (settings.PEERINGDB_API_KEY if api_key is None else api_key).strip()
        if self.key:
            self.session.headers["Authorization"] = f"Api-Key {self.key}"

    def fetch(self, object_type: str, since: int | None = None) -> Answer:
        """Every live object of `object_type` ("net", "ix"...), or with `since` (unix
        seconds) those updated since, deleted ones included. PeeringDBError when PeeringDB
        cannot be reached, refuses, keeps rate-limiting past PEERINGDB_MAX_WAIT, or answers
        something that is not its JSON."""
        params: dict[str, Any] = {"depth": 0}
        if since is not None:
            params["since"] = since
        where = f"{self.description}/{object_type}"
        try:
            for attempt in range(MAX_ATTEMPTS):
                response = self._get(f"{self.url}/{object_type}", params, where)
                if response.status_code != 429:
                    return Answer(object_type, _objects(response, where), complete=since is None)
                self._wait(response, attempt, where)
        except PeeringDBError as exc:
            raise PeeringDBError(self._scrubbed(str(exc))) from None
        except (UnicodeError, ValueError):  # requests refuses to send the header
            raise PeeringDBError(
                "The request to PeeringDB could not be made: PEERINGDB_API_KEY holds "
                "characters an HTTP header cannot carry (PeeringDB's keys are printable ASCII)."
            ) from None
        raise PeeringDBError(
            f"PeeringDB limited the rate of {MAX_ATTEMPTS} requests in a row ({where})."
        )

    def _wait(self, response: requests.Response, attempt: int, where: str) -> None:
        """Wait as a 429 asks, unless that takes the waits of this client past max_wait."""
        wait = max(MIN_WAIT, _retry_after(response, FIRST_BACKOFF * 2**attempt))
        if self.waited + wait > self.max_wait:
            after = f" after waiting {self.waited:g} s" if self.waited else ""
            raise PeeringDBError(
                f"PeeringDB limits the rate of requests: {where} asks to wait {wait:g} s"
                f"{after}, more than PEERINGDB_MAX_WAIT ({self.max_wait:g} s) in all."
            )
        self.on_wait(f"PeeringDB asks to wait {wait:g} s (HTTP 429, rate limit); waiting.")
        self.sleep(wait)
        self.waited += wait

    def _scrubbed(self, text: str) -> str:
        """`text` without the API key, however it was quoted."""
        if not self.key:
            return text
        for form in (self.key, repr(self.key)[1:-1]):
            text = text.replace(form, "<PEERINGDB_API_KEY>")
        return text

    def _get(self, url: str, params: dict[str, Any], where: str) -> requests.Response:
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.Timeout:
            raise PeeringDBError(
                f"PeeringDB did not answer within {self.timeout:g} s ({where})."
            ) from None
        except requests.RequestException as exc:
            raise PeeringDBError(
                f"PeeringDB could not be reached ({where}): {_reason(exc)}."
            ) from None
        if response.status_code in (401, 403):
            raise PeeringDBError(
                f"PeeringDB refused the request (HTTP {response.status_code}, {where})"
                f"{_said(response)}: check PEERINGDB_API_KEY."
            )
        if response.status_code != 200 and response.status_code != 429:
            raise PeeringDBError(
                f"PeeringDB answered HTTP {response.status_code} ({where}){_said(response)}."
            )
        return response


def _retry_after(response: requests.Response, default: float) -> float:
    """Seconds to wait, from Retry-After (seconds or an HTTP date, RFC 9110 10.2.3), else
    from DRF's message, else `default`."""
    header = (response.headers.get("Retry-After") or "").strip()
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(header)
                return max(0.0, when.timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    found = _AVAILABLE_IN.search(response.text[:500])
    return float(found.group(1)) if found else default


def _objects(response: requests.Response, where: str) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        raise PeeringDBError(f"PeeringDB's answer is not JSON ({where}).") from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise PeeringDBError(f"PeeringDB's answer has no list of objects ({where}).")
    return data


def _said(response: requests.Response) -> str:
    """`: <PeeringDB's error message>` when the body has one (`meta.error`, `message`)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    meta = body.get("meta")
    message = (meta.get("error") if isinstance(meta, dict) else None) or body.get("message")
    if not isinstance(message, str) or not message.strip():
        return ""
    return f": {message.strip().splitlines()[0][:200]}"


def _reason(exc: requests.RequestException) -> str:
    """The innermost cause of a connection error, without the URL (already said)."""
    cause: BaseException = exc
    while cause.__context__ is not None and cause.__context__ is not cause:
        cause = cause.__context__
    text = str(cause).split("] ", 1)[-1].strip() or type(cause).__name__
    return text.splitlines()[0][:200]


class DirectorySource:
    """Answers saved from the API: `<directory>/<type>.json`, each a whole `GET
    /api/<type>?depth=0` answer. Every answer is complete (no `since`). PeeringDBError
    for a missing or unreadable file."""

    incremental = False

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory).resolve()
        self.description = str(self.directory)

    def fetch(self, object_type: str, since: int | None = None) -> Answer:
        path = self.directory / f"{object_type}.json"
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PeeringDBError(f"{path} does not exist.") from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise PeeringDBError(f"{path} cannot be read as JSON: {exc}.") from None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise PeeringDBError(f"{path} has no list of objects under 'data'.")
        return Answer(object_type, data, complete=True)
