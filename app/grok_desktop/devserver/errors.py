"""Error responses with the bodies the real xAI API sends (xai-api.md §3)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from json.encoder import encode_basestring as _encode_basestring

#: The team of every dev-server key.
TEAM_ID = "6b7d1c52-0d3f-4d8e-9c4a-2f1e0c9b8a71"

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"
HTML = "text/html"

INVALID_ARGUMENT = "Client specified an invalid argument"
UNAUTHENTICATED = "The request does not have valid authentication credentials"
PERMISSION_DENIED = "The caller does not have permission to execute the specified operation"
NOT_FOUND = "Some requested entity was not found"
EXHAUSTED = "Some resource has been exhausted"
INTERNAL = "Internal error"
UNAVAILABLE = "The service is currently unavailable"

NO_CREDITS = (
    f"Your team {TEAM_ID} has either used all available credits or reached its monthly "
    "spending limit. To continue making API requests, please purchase more credits or raise "
    "your spending limit."
)
LIVE_SEARCH_GONE = "Live search is deprecated. Please switch to the Agent Tools API"
#: The in-band failure line sent after HTTP 200 (vercel/ai#10533).
INBAND_ERROR = {"code": UNAVAILABLE, "error": "Timed out waiting for first token"}


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    status: int
    body: bytes
    content_type: str


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def compact(obj: object) -> bytes:
    """JSON exactly as xAI writes it: compact separators, non-ASCII kept as UTF-8."""
    return _ENCODER.encode(obj).encode()


def encode_string(text: str) -> bytes:
    """`compact(text)` for a string, without the encoder's per-call overhead."""
    return _encode_basestring(text).encode()


def json_error(status: int, code: str, message: str) -> ErrorResponse:
    return ErrorResponse(status, compact({"code": code, "error": message}), JSON)


def text_error(status: int, message: str) -> ErrorResponse:
    return ErrorResponse(status, message.encode(), TEXT)


def redact_invalid(key: str) -> str:
    """`xa***yz`: the first and last two characters of a key that was not accepted."""
    return f"{key[:2]}***{key[-2:]}" if len(key) >= 4 else "***"


def redact_valid(key: str) -> str:
    """`xai-...b14o`: how xAI shows a known key."""
    return f"xai-...{key[-4:]}"


def invalid_key(key: str) -> ErrorResponse:
    return json_error(
        400,
        INVALID_ARGUMENT,
        f"Incorrect API key provided: {redact_invalid(key)}. "
        "You can obtain an API key from https://console.x.ai.",
    )


def no_credentials() -> ErrorResponse:
    return json_error(401, UNAUTHENTICATED, "No credentials presented.")


def blocked_key(key: str) -> ErrorResponse:
    return json_error(403, PERMISSION_DENIED, f"The API key {redact_valid(key)} is blocked.")


def no_credits() -> ErrorResponse:
    return json_error(403, PERMISSION_DENIED, NO_CREDITS)


def unknown_model(model: str) -> ErrorResponse:
    return json_error(
        404,
        NOT_FOUND,
        f"The model {model} does not exist or your team {TEAM_ID} does not have access to it.",
    )


def retired_model(model: str, date: str, replacement: str | None) -> ErrorResponse:
    message = f"The model {model} was deprecated on {date} and is no longer accessible via the API."
    if replacement:
        message += f" Please use {replacement} instead."
    return json_error(404, NOT_FOUND, message)


def not_found_path(path: str) -> ErrorResponse:
    return json_error(404, NOT_FOUND, f"No route matches {path}.")


def live_search_gone() -> ErrorResponse:
    return json_error(410, NOT_FOUND, LIVE_SEARCH_GONE)


def images_unsupported(model: str) -> ErrorResponse:
    return json_error(400, INVALID_ARGUMENT, f"Model {model} does not support image inputs.")


def bad_argument(message: str) -> ErrorResponse:
    return json_error(400, INVALID_ARGUMENT, message)


def unprocessable(detail: str) -> ErrorResponse:
    """axum's plain-text rejection of a body that does not deserialize."""
    return text_error(422, f"Failed to deserialize the JSON body into the target type: {detail}")


def unsupported_media_type() -> ErrorResponse:
    return text_error(415, "Expected request with `Content-Type: application/json`")


def method_not_allowed() -> ErrorResponse:
    return ErrorResponse(405, b"", TEXT)


def html_error(status: int) -> ErrorResponse:
    """A gateway's HTML page: what a proxy in front of the API answers."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    title = f"{status} {phrase}"
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return ErrorResponse(status, page.encode(), HTML)


def scripted_error(status: int, model: str) -> ErrorResponse:
    """The real xAI body for `status` (used when a Script sets a status but no error_body)."""
    if status == 400:
        return bad_argument(
            "This model's maximum prompt length is 131072 but the request contains 179111 tokens."
        )
    if status == 401:
        return no_credentials()
    if status == 403:
        return no_credits()
    if status == 404:
        return unknown_model(model)
    if status == 410:
        return live_search_gone()
    if status == 415:
        return unsupported_media_type()
    if status == 422:
        return unprocessable(
            "tools[0].type: unknown variant `x_search`, expected `function` or `live_search` "
            "at line 1 column 5457"
        )
    if status == 429:
        return json_error(429, EXHAUSTED, "Rate limit exceeded")
    if status == 500:
        return json_error(500, INTERNAL, "Internal error")
    if status in (502, 503):
        return json_error(status, UNAVAILABLE, UNAVAILABLE)
    return html_error(status)
