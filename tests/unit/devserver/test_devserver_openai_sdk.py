"""The dev server driven by the official `openai` package: proof it speaks the wire format."""

from __future__ import annotations

import base64
import io
from typing import Any

import openai
import pytest
from PIL import Image

from grok_desktop.devserver import DevServer, Script


def sdk(srv: DevServer, key: str = "xai-test", retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(base_url=srv.base_url, api_key=key, max_retries=retries, timeout=10)


def user(text: str) -> list[Any]:
    return [{"role": "user", "content": text}]


def png_uri(width: int, height: int) -> tuple[str, int]:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, format="PNG")
    data = out.getvalue()
    return "data:image/png;base64," + base64.b64encode(data).decode(), len(data)


def test_streamed_with_usage(srv: DevServer) -> None:
    stream = sdk(srv).chat.completions.create(
        model="grok-4.20-0309-non-reasoning",
        messages=user("Hello there, 世界 🌍!"),
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "You said: Hello there, 世界 🌍!"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "stop"
    assert all(f is None for f in finishes[:-1])
    usage = chunks[-1].usage
    assert usage is not None
    assert chunks[-1].choices == []
    assert usage.completion_tokens == 6
    assert usage.prompt_tokens == 5  # ceil(19 / 4)
    assert usage.total_tokens == 11
    assert chunks[0].model == "grok-4.20-0309-non-reasoning"


def test_non_streamed_resolves_alias(srv: DevServer) -> None:
    srv.enqueue(Script(text="Plain answer.", reasoning=""))
    reply = sdk(srv).chat.completions.create(model="grok-3-mini-latest", messages=user("hi"))
    assert reply.model == "grok-3-mini"
    assert reply.object == "chat.completion"
    assert reply.id.endswith("_us-east-1")
    assert reply.system_fingerprint is not None
    assert reply.system_fingerprint.startswith("fp_")
    assert reply.choices[0].message.content == "Plain answer."
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None
    assert reply.usage.completion_tokens == 2


def test_reasoning_model(srv: DevServer) -> None:
    client = sdk(srv)
    srv.enqueue(Script(reasoning="Let me think. Done."))
    stream = client.chat.completions.create(model="grok-3-mini", messages=user("q"), stream=True)
    reasoning = ""
    content = ""
    for chunk in stream:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        reasoning += getattr(delta, "reasoning_content", None) or ""
        content += delta.content or ""
    assert reasoning == "Let me think. Done."
    assert content == "You said: q"

    reply = client.chat.completions.create(model="grok-3-mini", messages=user("q"))
    message = reply.choices[0].message
    assert (message.model_extra or {}).get("reasoning_content") == "Thinking about it."
    assert reply.usage is not None
    assert reply.usage.completion_tokens_details is not None
    assert reply.usage.completion_tokens_details.reasoning_tokens == 3


def test_image_in_user_message(srv: DevServer) -> None:
    uri, size = png_uri(64, 32)
    messages: Any = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": uri, "detail": "high"}},
            ],
        }
    ]
    reply = sdk(srv).chat.completions.create(model="grok-4.3", messages=messages)
    content = reply.choices[0].message.content
    assert (
        content == f"You said: What is this?\nImage 1: image/png 64x32, {size} bytes, detail high"
    )
    assert reply.usage is not None
    assert reply.usage.prompt_tokens_details is not None
    assert reply.usage.prompt_tokens_details.image_tokens == 256


def test_invalid_key_is_bad_request(srv: DevServer) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        sdk(srv, key="sk-wrong-yz").chat.completions.create(model="grok-4.3", messages=user("x"))
    assert info.value.status_code == 400
    # xAI's flat {"code", "error"} body: the SDK takes the "error" string as the body.
    assert info.value.body == (
        "Incorrect API key provided: sk***yz. You can obtain an API key from https://console.x.ai."
    )


def test_401_is_authentication_error(srv: DevServer) -> None:
    srv.enqueue(Script(status=401))
    with pytest.raises(openai.AuthenticationError) as info:
        sdk(srv).chat.completions.create(model="grok-4.3", messages=user("x"))
    assert info.value.body == "No credentials presented."


def test_no_credits_is_permission_denied(srv: DevServer) -> None:
    with pytest.raises(openai.PermissionDeniedError) as info:
        sdk(srv, key="xai-nocredits").chat.completions.create(model="grok-4.3", messages=user("x"))
    assert "used all available credits" in info.value.response.text


def test_unknown_and_retired_models_are_not_found(srv: DevServer) -> None:
    client = sdk(srv)
    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="grok-99", messages=user("x"))
    assert "The model grok-99 does not exist" in info.value.response.text
    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="grok-beta", messages=user("x"))
    assert "deprecated on 2025-09-15" in info.value.response.text


def test_429_is_rate_limit_error(srv: DevServer) -> None:
    srv.enqueue(Script(status=429))
    with pytest.raises(openai.RateLimitError) as info:
        sdk(srv).chat.completions.create(model="grok-4.3", messages=user("x"))
    assert info.value.body == "Rate limit exceeded"


def test_sdk_retries_scripted_429s_then_succeeds(srv: DevServer) -> None:
    srv.enqueue(Script(status=429, times=2, retry_after=0.01))
    reply = sdk(srv, retries=2).chat.completions.create(model="grok-4.3", messages=user("x"))
    assert reply.choices[0].message.content == "You said: x"
    assert len(srv.requests) == 3


def test_422_plain_text_is_unprocessable(srv: DevServer) -> None:
    srv.enqueue(Script(status=422))
    with pytest.raises(openai.UnprocessableEntityError) as info:
        sdk(srv).chat.completions.create(model="grok-4.3", messages=user("x"))
    assert info.value.response.headers["content-type"].startswith("text/plain")
    assert str(info.value.body).startswith("Failed to deserialize the JSON body")


def test_503_is_internal_server_error(srv: DevServer) -> None:
    srv.enqueue(Script(status=503))
    with pytest.raises(openai.InternalServerError):
        sdk(srv).chat.completions.create(model="grok-4.3", messages=user("x"))


def test_models_list(srv: DevServer) -> None:
    ids = [m.id for m in sdk(srv).models.list()]
    assert ids[0] == "grok-4.3"
    assert "grok-3-mini" in ids
    assert "grok-beta" not in ids
