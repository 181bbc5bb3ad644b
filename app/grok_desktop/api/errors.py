"""One typed error tree for everything that can go wrong talking to the API.

The class is chosen in one place (`error_from_status`), from the status and the server's own
message, which is kept for the user. Each error belongs to a `Kind` that callers map to what
they show or to a CLI exit code; `partial` carries the text that had streamed before a failure.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import time
from enum import Enum
from typing import Any, ClassVar


class Kind(Enum):
    CONFIG = "config"  # our side: no key, unsafe base URL
    AUTH = "auth"  # the key is missing, wrong, blocked
    REFUSED = "refused"  # the API understood and said no (4xx)
    TRANSPORT = "transport"  # network, server, or stream failure


class XaiError(Exception):
    kind: ClassVar[Kind] = Kind.TRANSPORT
    retryable: ClassVar[bool] = False
    hint: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after
        #: Text (answer, reasoning) received before the failure; never lost.
        self.partial: str = ""
        self.partial_reasoning: str = ""

    def user_message(self) -> str:
        """The server's words (or ours) and what to do next."""
        prefix = f"HTTP {self.status}: " if self.status else ""
        text = f"{prefix}{self.message}"
        return f"{text}\n{self.hint}" if self.hint else text


# -- our side -------------------------------------------------------------------------------
class ConfigError(XaiError):
    kind = Kind.CONFIG


class InsecureBaseUrlError(ConfigError):
    hint = (
        "The API key would travel unencrypted. Use https://, or allow plain http explicitly "
        "(--allow-insecure-http) if this is a trusted local gateway."
    )


class NoApiKeyError(ConfigError):
    kind = Kind.AUTH
    hint = (
        "Set one with `grok-desktop key set` (stored in the OS keyring) or the XAI_API_KEY "
        "environment variable. Keys are made at https://console.x.ai."
    )


# -- the key --------------------------------------------------------------------------------
class AuthError(XaiError):
    kind = Kind.AUTH


class InvalidApiKeyError(AuthError):
    hint = "Check the key (`grok-desktop key set`); keys are made at https://console.x.ai."


class MissingCredentialsError(AuthError):
    hint = "No key was sent. Set one with `grok-desktop key set` or XAI_API_KEY."


class PermissionDeniedError(AuthError):
    hint = "The key or its team is blocked or lacks access; check it at https://console.x.ai."


# -- refused --------------------------------------------------------------------------------
class RequestRefusedError(XaiError):
    kind = Kind.REFUSED


class BadRequestError(RequestRefusedError):
    pass


class ContextTooLongError(BadRequestError):
    hint = "Start a new conversation, or remove older messages or images."


class UnsupportedParameterError(BadRequestError):
    hint = "This model does not take that setting; remove it or pick another model."


class CreditsExhaustedError(RequestRefusedError):
    hint = "Add credits or raise the spending limit at https://console.x.ai."


class NotFoundError(RequestRefusedError):
    pass


class ModelNotFoundError(NotFoundError):
    hint = "Pick another model (`grok-desktop models` lists the ones your key can use)."

    def __init__(self, message: str, *, model: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.model = model


class GoneError(RequestRefusedError):
    pass


class PayloadTooLargeError(RequestRefusedError):
    hint = "Send smaller or fewer images."


class UnprocessableError(RequestRefusedError):
    pass


class RateLimitError(RequestRefusedError):
    retryable = True
    hint = "Too many requests for now; wait a moment and try again."


# -- transport ------------------------------------------------------------------------------
class TransportError(XaiError):
    kind = Kind.TRANSPORT


class ServerError(TransportError):
    retryable = True
    hint = "xAI's service had a problem; try again in a moment."


class ConnectError(TransportError):
    retryable = True
    hint = "Check your network connection (and proxy settings: HTTPS_PROXY, NO_PROXY)."


class StallError(TransportError):
    retryable = True
    hint = (
        "No data arrived for too long. Try again; raise GROK_DESKTOP_STALL_TIMEOUT for "
        "slow reasoning models."
    )


class StreamInterruptedError(TransportError):
    retryable = True  # only ever retried when no answer text had arrived
    hint = "The text received so far was kept; Retry or Continue to get the rest."


class InBandStreamError(TransportError):
    retryable = True  # e.g. "Timed out waiting for first token"; never after text arrived
    hint = "The service reported a failure during the answer; try again."


class MalformedStreamError(TransportError):
    hint = "The answer stream could not be read; try again."


# -- choosing the class ---------------------------------------------------------------------
_MODEL_RE = re.compile(r"[Tt]he model ([\w.\-:/]+)")
_TAG_RE = re.compile(r"<[^>]+>")
_TITLE_RE = re.compile(r"<title>(.*?)</title>", re.S | re.I)


def parse_error_body(body: bytes | str, content_type: str = "") -> tuple[str | None, str]:
    """(code, message) from xAI's flat `{"code","error"}`, OpenAI's `{"error":{...}}`,
    plain text (xAI's 422s) or an HTML error page from a proxy."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = text.strip()
    if not text:
        return None, ""
    if text[:1] in "{[":
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            err = obj.get("error")
            if isinstance(err, str):
                return _str(obj.get("code")), err
            if isinstance(err, dict):
                code = _str(err.get("code")) or _str(err.get("type"))
                return code, _str(err.get("message")) or json.dumps(err)
            if isinstance(obj.get("message"), str):
                return _str(obj.get("code")), obj["message"]
            if isinstance(obj.get("detail"), str):
                return None, obj["detail"]
    if "html" in content_type or text.lower().startswith(("<!doctype", "<html")):
        title = _TITLE_RE.search(text)
        words = title.group(1) if title else _TAG_RE.sub(" ", text)
        return None, " ".join(html.unescape(words).split())[:300]
    return None, text[:1000]


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def error_from_status(
    status: int, body: bytes | str, content_type: str = "", retry_after: str | None = None
) -> XaiError:
    code, message = parse_error_body(body, content_type)
    message = message or f"The server answered with HTTP status {status}."
    low = message.lower()
    kw: dict[str, Any] = {
        "status": status,
        "code": code,
        "retry_after": parse_retry_after(retry_after),
    }
    if status == 400:
        if "api key" in low and ("incorrect" in low or "invalid" in low):
            return InvalidApiKeyError(message, **kw)
        if "prompt length" in low or ("context" in low and "token" in low):
            return ContextTooLongError(message, **kw)
        if "does not support parameter" in low:
            return UnsupportedParameterError(message, **kw)
        return BadRequestError(message, **kw)
    if status == 401:
        return MissingCredentialsError(message, **kw)
    if status == 403:
        if "credit" in low or "spending limit" in low or "licenses" in low:
            return CreditsExhaustedError(message, **kw)
        return PermissionDeniedError(message, **kw)
    if status == 404:
        found = _MODEL_RE.search(message)
        if found:
            return ModelNotFoundError(message, model=found.group(1), **kw)
        return NotFoundError(message, **kw)
    if status == 410:
        return GoneError(message, **kw)
    if status == 413:
        return PayloadTooLargeError(message, **kw)
    if status == 422:
        return UnprocessableError(message, **kw)
    if status == 429:
        return RateLimitError(message, **kw)
    if status >= 500:
        return ServerError(message, **kw)
    return RequestRefusedError(message, **kw)


def error_from_stream_payload(payload: dict[str, Any]) -> XaiError:
    """An error delivered inside an HTTP 200 stream (`data: {"code":..,"error":..}`)."""
    code, message = parse_error_body(json.dumps(payload), "application/json")
    return InBandStreamError(message or "The service reported an error mid-stream.", code=code)
