"""Error bodies in every shape the API and proxies send, and URL safety checks."""

from __future__ import annotations

import pytest

from grok_desktop.api import errors
from grok_desktop.api.retry import RetryPolicy
from grok_desktop.api.transport import is_loopback_host, normalize_base_url, stall_timeout_from_env


def test_flat_xai_body() -> None:
    assert errors.parse_error_body(b'{"code":"c","error":"msg"}') == ("c", "msg")


def test_openai_envelope() -> None:
    body = b'{"error":{"message":"bad thing","type":"invalid_request_error","code":null}}'
    assert errors.parse_error_body(body) == ("invalid_request_error", "bad thing")


def test_plain_text_422() -> None:
    text = "Failed to deserialize the JSON body into the target type: missing field `model`"
    code, message = errors.parse_error_body(text.encode(), "text/plain; charset=utf-8")
    assert code is None
    assert message == text
    assert isinstance(errors.error_from_status(422, text), errors.UnprocessableError)


def test_html_page_from_a_proxy() -> None:
    page = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>x</body>"
    assert errors.parse_error_body(page, "text/html")[1] == "502 Bad Gateway"


def test_empty_body_gets_a_status_message() -> None:
    err = errors.error_from_status(500, b"")
    assert isinstance(err, errors.ServerError)
    assert "500" in err.user_message()


def test_context_too_long() -> None:
    err = errors.error_from_status(
        400,
        '{"code":"x","error":"This model\'s maximum prompt length is 131072 but the request '
        'contains 179111 tokens."}',
    )
    assert isinstance(err, errors.ContextTooLongError)
    assert err.kind is errors.Kind.REFUSED


def test_model_not_found_names_the_model() -> None:
    err = errors.error_from_status(
        404,
        '{"code":"Some requested entity was not found","error":"The model grok-9 does not '
        'exist or your team t does not have access to it."}',
    )
    assert isinstance(err, errors.ModelNotFoundError)
    assert err.model == "grok-9"


def test_kinds_map_auth_and_refusal() -> None:
    assert errors.InvalidApiKeyError("x").kind is errors.Kind.AUTH
    assert errors.PermissionDeniedError("x").kind is errors.Kind.AUTH
    assert errors.CreditsExhaustedError("x").kind is errors.Kind.REFUSED
    assert errors.ServerError("x").kind is errors.Kind.TRANSPORT


def test_retry_after_http_date() -> None:
    assert errors.parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert errors.parse_retry_after("soon") is None
    assert errors.parse_retry_after("1.5") == 1.5


def test_retry_policy_bounds() -> None:
    p = RetryPolicy(max_retries=2, base_delay=1, max_delay=3)
    assert p.delay(3) is None
    assert p.delay(1, retry_after=120) is None  # longer than we are willing to wait
    for n in range(1, 3):
        d = p.delay(n)
        assert d is not None
        assert d <= 3


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.0.1", "localhost", "[::1]", "::1", "app.localhost"]
)
def test_loopback(host: str) -> None:
    assert is_loopback_host(host)


def test_http_refused_for_remote_host_unless_allowed() -> None:
    with pytest.raises(errors.InsecureBaseUrlError):
        normalize_base_url("http://gateway.example.com/v1")
    assert normalize_base_url("http://gateway.example.com/v1/", allow_insecure_http=True) == (
        "http://gateway.example.com/v1"
    )
    assert normalize_base_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
    with pytest.raises(errors.ConfigError):
        normalize_base_url("ftp://x")


def test_stall_timeout_env() -> None:
    assert stall_timeout_from_env({}) == 120.0
    assert stall_timeout_from_env({"GROK_DESKTOP_STALL_TIMEOUT": "5"}) == 5.0
    with pytest.raises(errors.ConfigError):
        stall_timeout_from_env({"GROK_DESKTOP_STALL_TIMEOUT": "soon"})
    with pytest.raises(errors.ConfigError):
        stall_timeout_from_env({"GROK_DESKTOP_STALL_TIMEOUT": "-1"})
