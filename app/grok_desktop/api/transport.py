"""The one long-lived httpx.AsyncClient: OS trust store, proxies from the environment,
timeouts that suit streaming (connect 10 s; a read timeout equal to the stall timeout, so a
stream fails when no byte arrives for that long, at no cost per chunk)."""

from __future__ import annotations

import ipaddress
import os
import ssl
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from grok_desktop import __version__
from grok_desktop.api.errors import ConfigError, InsecureBaseUrlError

if TYPE_CHECKING:
    import httpx

DEFAULT_BASE_URL = "https://api.x.ai/v1"
DEFAULT_STALL_TIMEOUT = 120.0
CONNECT_TIMEOUT = 10.0
#: Reasoning models can think for a long time; a stream may last up to this long in total.
TOTAL_TIMEOUT = 3600.0
USER_AGENT = f"grok-desktop/{__version__}"


def stall_timeout_from_env(
    env: Mapping[str, str] | None = None, default: float = DEFAULT_STALL_TIMEOUT
) -> float:
    raw = (os.environ if env is None else env).get("GROK_DESKTOP_STALL_TIMEOUT", "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(
            f"GROK_DESKTOP_STALL_TIMEOUT must be a number of seconds, not {raw!r}."
        ) from None
    if value <= 0:
        raise ConfigError("GROK_DESKTOP_STALL_TIMEOUT must be more than 0 seconds.")
    return value


def is_loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str, *, allow_insecure_http: bool = False) -> str:
    """Check a base URL and drop a trailing slash. Plain http is refused for anything but
    this machine unless explicitly allowed, because the key would travel unencrypted."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"The base URL {url!r} is not an http(s) URL (expected e.g. {DEFAULT_BASE_URL})."
        )
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback_host(parts.hostname):
        raise InsecureBaseUrlError(
            f"Refusing to send the API key over plain http to {parts.hostname}."
        )
    return url


def _ssl_context() -> ssl.SSLContext:
    """The OS trust store (corporate CAs work), falling back to certifi's bundle."""
    try:
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except Exception:  # pragma: no cover - platform without a usable trust store
        return ssl.create_default_context()


def build_http_client(
    *,
    stall_timeout: float = DEFAULT_STALL_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    import httpx  # here: importing it costs ~50 ms, which start-up does not need

    timeout = httpx.Timeout(connect=CONNECT_TIMEOUT, read=stall_timeout, write=60.0, pool=30.0)
    return httpx.AsyncClient(
        timeout=timeout,
        verify=_ssl_context(),
        trust_env=True,  # HTTP_PROXY / HTTPS_PROXY / NO_PROXY
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=5),
        transport=transport,
    )
