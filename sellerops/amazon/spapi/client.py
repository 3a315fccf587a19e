"""The SP-API client plumbing: credentials, endpoints, Login with Amazon, and one paced call.

Every module of `sellerops.amazon.spapi` talks to Amazon through `SpApiClient.call` (an SP-API
operation) or `SpApiClient.download` (a pre-signed document URL). A call asks the pacer for a token
first (a local token bucket, or Prefect's global rate limits when run from tasks), backs off by
`x-amzn-RateLimit-Limit` on 429 and retries 5xx and dropped connections with jittered backoff; a
host that cannot be reached at all (DNS, refused, no route) fails at once with `SourceUnreachable`,
since waiting cannot make it answer. Every error text passes through `redact` with this account's
secrets before it becomes an exception. The library has no base-URL argument: a sandbox or test
server is reached through the client's `endpoint` attribute and `auth_token_client_class`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import httpx
from sp_api.api import FulfillmentInbound, ListingsItems, Reports
from sp_api.auth import AccessTokenClient
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces
from sp_api.base import exceptions as spx

from sellerops.amazon.pacing import LocalPacer, PacingPolicy, backoff_delay, throttle_delay
from sellerops.amazon.redact import redact
from sellerops.amazon.source import SourceError, SourceUnreachable, utc

log = logging.getLogger("sellerops.amazon.spapi")

DEFAULT_LWA_URL = "https://api.amazon.com/auth/o2/token"

_TRANSIENT = (
    spx.SellingApiServerException,
    spx.SellingApiTemporarilyUnavailableException,
    spx.SellingApiGatewayTimeoutException,
)
# The host never answered: a name that does not resolve, a refused connection, no route, a URL that
# cannot be used. Nothing was sent, so retrying now cannot succeed.
_UNREACHABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol, httpx.InvalidURL)
# A host that answers at all connects within this; a route that drops packets is given up on after it.
CONNECT_TIMEOUT = 10.0

# The client classes of the APIs sellerops uses, by the name the API modules ask for.
_APIS: dict[str, Callable[..., Any]] = {
    "reports": Reports,
    "inbound_v0": lambda **kw: FulfillmentInbound(version="v0", **kw),
    "inbound_2024": lambda **kw: FulfillmentInbound(version="2024-03-20", **kw),
    "listings": lambda **kw: ListingsItems(version="2021-08-01", **kw),
}


def lwa_client_class(url: str) -> type[AccessTokenClient]:
    """An `AccessTokenClient` that asks `url` (e.g. a test server's /auth/o2/token) for LWA tokens."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"LWA endpoint: expected an absolute URL like {DEFAULT_LWA_URL}, found {url!r}")
    attrs = {"scheme": f"{parts.scheme}://", "host": parts.netloc, "path": parts.path or "/auth/o2/token"}
    return type("SelleropsLwaClient", (AccessTokenClient,), attrs)


def resolve_marketplace(code_or_id: str) -> Marketplaces:
    """A marketplace by country code (`US`, `JP`, `UK`) or by Amazon marketplace id."""
    key = code_or_id.strip()
    if key.upper() in Marketplaces.__members__:
        return Marketplaces[key.upper()]
    if key.upper() == "GB":
        return Marketplaces.UK
    for m in Marketplaces:
        if m.marketplace_id == key:
            return m
    raise ValueError(f"unknown marketplace {code_or_id!r}: expected a country code like US or a marketplace id")


def iso(value: dt.datetime) -> str:
    """Amazon's form of a UTC time: `2026-06-01T00:00:00Z`."""
    return utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO-8601 time from a payload as aware UTC; None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _where(url: Any) -> str:
    """A URL without its query (a pre-signed URL's query is a credential)."""
    parts = urlsplit(str(url))
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else str(url)


@dataclass(frozen=True)
class SpApiCredentials:
    """LWA credentials of one selling-partner authorisation. `repr` never shows the secrets."""

    refresh_token: str = field(repr=False)
    lwa_app_id: str
    lwa_client_secret: str = field(repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values that must never be written anywhere."""
        return (self.refresh_token, self.lwa_client_secret)


class SpApiClient:
    """One account's connection to the SP-API: the library's clients, the pace, the retries."""

    def __init__(
        self,
        account: str,
        credentials: SpApiCredentials,
        marketplaces: list[Marketplaces],
        *,
        endpoint: str | None = None,
        lwa_endpoint: str | None = None,
        policy: PacingPolicy | None = None,
        pacer: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 30.0,
    ) -> None:
        self.account = account
        self.credentials = credentials
        self.marketplaces = marketplaces
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.lwa_url = lwa_endpoint or DEFAULT_LWA_URL
        self.policy = policy or PacingPolicy.from_env()
        self.pacer = pacer or LocalPacer()
        self.sleep, self.clock, self.timeout = sleep, clock, timeout
        self._auth_class = lwa_client_class(lwa_endpoint) if lwa_endpoint else AccessTokenClient
        self._apis: dict[str, Any] = {}
        self._http = httpx.Client(timeout=self._timeout(self.policy.download_timeout), follow_redirects=True)

    @staticmethod
    def _timeout(seconds: float) -> httpx.Timeout:
        return httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT))

    def close(self) -> None:
        self._http.close()
        for client in self._apis.values():
            client.close()
        self._apis.clear()

    def redact(self, text: str) -> str:
        """`text` with every credential of this account (and any recognisable token) taken out."""
        return redact(text, self.credentials.secrets)

    def api(self, kind: str) -> Any:
        """The library's client for one API (`reports`, `inbound_v0`, `inbound_2024`, `listings`)."""
        client = self._apis.get(kind)
        if client is None:
            c = self.credentials
            client = _APIS[kind](
                marketplace=self.marketplaces[0],
                refresh_token=c.refresh_token,
                credentials={"refresh_token": c.refresh_token, "lwa_app_id": c.lwa_app_id,
                             "lwa_client_secret": c.lwa_client_secret},
                auth_token_client_class=self._auth_class,
                timeout=self._timeout(self.timeout),
            )  # fmt: skip
            if self.endpoint:
                client.endpoint = self.endpoint
            self._apis[kind] = client
        return client

    def _unreachable(self, exc: httpx.TransportError, fallback: str) -> SourceUnreachable:
        try:
            url = _where(exc.request.url)
        except RuntimeError:  # an error raised before httpx built the request
            url = fallback
        return SourceUnreachable(self.redact(url), self.redact(f"{type(exc).__name__}: {exc}"))

    def call(self, operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One SP-API operation, paced, with 429 / 5xx / dropped-connection retries. Raises SourceError."""
        policy = self.policy
        last = ""
        for attempt in range(policy.max_attempts):
            self.pacer(operation)
            failure: SourceError | None = None
            try:
                return fn(*args, **kwargs)
            except spx.SellingApiRequestThrottledException as exc:
                header = (exc.headers or {}).get("x-amzn-RateLimit-Limit")
                delay = throttle_delay(header, attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                last = f"throttled (429, x-amzn-RateLimit-Limit={header})"
            except _TRANSIENT as exc:
                delay = backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                last = f"HTTP {exc.code}: {getattr(exc, 'message', '') or exc.error}"
            except spx.SellingApiException as exc:
                if type(exc) is not spx.SellingApiException:  # 400/403/404/409/…: retrying will not help
                    failure = SourceError(
                        f"SP-API {operation} refused (HTTP {exc.code}, {getattr(exc, 'amzn_code', '')}) "
                        f"at {self.endpoint or 'Amazon'}: {getattr(exc, 'message', '') or exc.error}"
                    )
                # An unmapped status (502 and friends): treat as transient.
                delay = backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                last = f"server error: {getattr(exc, 'message', '') or exc.error}"
            except AuthorizationError as exc:
                failure = SourceError(
                    f"account {self.account!r}: Login with Amazon refused the credentials "
                    f"(HTTP {exc.status_code}, {exc.error_code}) at {_where(self.lwa_url)}: {exc.message}"
                )
            except _UNREACHABLE as exc:
                failure = self._unreachable(exc, self.endpoint or "the SP-API")
            except httpx.TransportError as exc:
                delay = backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                last = f"network error: {type(exc).__name__}: {exc}"
            except json.JSONDecodeError:
                # Login with Amazon answered with something other than JSON (an error page).
                delay = backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                last = f"the token endpoint {_where(self.lwa_url)} answered with a non-JSON body"
            if failure is not None:
                # Raised outside the except block: the library's exception, which may quote a secret,
                # is not chained to ours.
                failure.args = (self.redact(str(failure)),)
                raise failure
            last = self.redact(last)
            if attempt + 1 < policy.max_attempts:
                log.info("SP-API %s: %s; retry %d/%d in %.2f s", operation, last, attempt + 1, policy.max_attempts - 1, delay)
                self.sleep(delay)
        raise SourceError(f"SP-API {operation} failed after {policy.max_attempts} attempts: {last}")

    def download(self, url: str, what: str) -> httpx.Response:
        """GET a pre-signed document URL (no SP-API token), retrying transient faults."""
        policy = self.policy
        last = ""
        for attempt in range(policy.max_attempts):
            unreachable = None
            try:
                response = self._http.get(url)
                if response.status_code < 400:
                    return response
                last = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    break
            except _UNREACHABLE as exc:
                unreachable = self._unreachable(exc, _where(url))
            except httpx.TransportError as exc:
                last = f"network error: {type(exc).__name__}"
            if unreachable is not None:
                raise unreachable
            if attempt + 1 < policy.max_attempts:
                delay = backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                log.info("download of %s: %s; retry in %.2f s", what, last, delay)
                self.sleep(delay)
        # The URL's query is pre-signed: a credential of sorts, so only its host and path are named.
        raise SourceError(f"download of {what} from {_where(url)} failed: {last}")

    def pages(self, operation: str, fn: Callable[..., Any], params: dict[str, Any], token_param: str) -> Iterator[Any]:
        """Every page of a paginated operation; the follow-up requests carry only the token."""
        response = self.call(operation, fn, **params)
        yield response
        seen: set[str] = set()
        while response.next_token and response.next_token not in seen:
            seen.add(response.next_token)
            response = self.call(operation, fn, **{token_param: response.next_token})
            yield response
