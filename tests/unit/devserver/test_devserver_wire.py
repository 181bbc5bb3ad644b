"""Byte-level checks of the dev server with plain httpx (no SDK)."""

from __future__ import annotations

import base64
import io
import json
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from grok_desktop.devserver import DEFAULT_MODELS, DevServer, ModelSpec, Script
from grok_desktop.devserver.reply import Counts, cost_in_usd_ticks, tokenize

PLAIN = "grok-4.20-0309-non-reasoning"
KEY = "xai-test-key-1234"
APP_DIR = Path(__file__).resolve().parents[3] / "app"


def body(text: str = "hello", *, model: str = PLAIN, stream: bool = True, **extra: Any) -> Any:
    return {
        "model": model,
        "messages": [{"role": "user", "content": text}],
        "stream": stream,
        **extra,
    }


def compact(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def payloads(raw: bytes, eol: str = "\n") -> list[str]:
    """The `data:` payloads of an SSE body, checking the framing on the way."""
    text = raw.decode("utf-8")
    assert text.endswith(eol * 2)
    events = text[: -2 * len(eol)].split(eol * 2)
    out = []
    for event in events:
        assert event.startswith("data: "), event
        out.append(event[len("data: ") :])
    return out


def chunks(raw: bytes) -> list[dict[str, Any]]:
    lines = payloads(raw)
    assert lines[-1] == "[DONE]"
    return [json.loads(line) for line in lines[:-1]]


def content_of(parsed: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"].get("content", "") for c in parsed if c["choices"])


def png(width: int = 64, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 128, 255)).save(out, format="PNG")
    return out.getvalue()


def uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


# -- stream format ---------------------------------------------------------------------------


def test_stream_is_compact_and_omits_usage_and_finish_reason(client: httpx.Client) -> None:
    raw = client.post("/chat/completions", json=body("one two three")).content
    lines = payloads(raw)
    assert lines[-1] == "[DONE]"
    parsed = [json.loads(line) for line in lines[:-1]]
    for line, chunk in zip(lines, parsed, strict=False):
        assert line == compact(chunk)
        assert list(chunk) == ["id", "object", "created", "model", "choices", "system_fingerprint"]
        assert chunk["object"] == "chat.completion.chunk"
    assert len({c["id"] for c in parsed}) == 1
    assert parsed[0]["choices"] == [{"index": 0, "delta": {"role": "assistant"}}]
    for chunk in parsed[1:-1]:
        assert list(chunk["choices"][0]) == ["index", "delta"]
        assert "usage" not in chunk
    assert parsed[-1]["choices"] == [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    assert content_of(parsed) == "You said: one two three"
    assert [c["choices"][0]["delta"].get("content") for c in parsed[1:-1]] == [
        "You ",
        "said: ",
        "one ",
        "two ",
        "three",
    ]


def test_stream_headers(client: httpx.Client) -> None:
    with client.stream("POST", "/chat/completions", json=body()) as response:
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["transfer-encoding"] == "chunked"
        response.read()


def test_final_usage_chunk_only_with_include_usage(client: httpx.Client) -> None:
    text = "count these words"
    request = body(text, model="grok-4.3", stream_options={"include_usage": True})
    parsed = chunks(client.post("/chat/completions", json=request).content)
    usage_chunks = [c for c in parsed if "usage" in c]
    assert usage_chunks == [parsed[-1]]
    last = parsed[-1]
    assert last["choices"] == []
    assert list(last) == [
        "id",
        "object",
        "created",
        "model",
        "choices",
        "usage",
        "system_fingerprint",
    ]
    usage = last["usage"]
    prompt = math.ceil(len(text) / 4)
    completion = len(tokenize(f"You said: {text}"))
    assert usage["prompt_tokens"] == prompt
    assert usage["completion_tokens"] == completion
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 3  # grok-4.3: hidden
    assert usage["total_tokens"] == prompt + completion + 3
    assert usage["prompt_tokens_details"] == {
        "text_tokens": prompt,
        "audio_tokens": 0,
        "image_tokens": 0,
        "cached_tokens": 0,
    }
    assert usage["cost_in_usd_ticks"] == prompt * 30000 + (completion + 3) * 150000
    hidden = [c for c in parsed if c["choices"] and c["choices"][0]["delta"] == {}]
    assert len(hidden) == 3 + 1  # three reasoning chunks, plus the finish chunk

    without = chunks(client.post("/chat/completions", json=body(text, model="grok-4.3")).content)
    assert all("usage" not in c for c in without)
    assert all(c["choices"] for c in without)


def test_cached_tokens_and_cost_flag(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(cached_tokens=2, cost_ticks=False, hidden_reasoning=0))
    request = body("twelve chars", model="grok-4.3", stream_options={"include_usage": True})
    usage = chunks(client.post("/chat/completions", json=request).content)[-1]["usage"]
    assert usage["prompt_tokens_details"]["cached_tokens"] == 2
    assert usage["prompt_tokens_details"]["text_tokens"] == 3
    assert "cost_in_usd_ticks" not in usage


def test_cost_ticks_match_xai_capture() -> None:
    # xAI's grok-3-mini capture: 12 prompt (11 cached), 1 completion, 290 reasoning tokens.
    mini = next(m for m in DEFAULT_MODELS if m.id == "grok-3-mini")
    counts = Counts(prompt=12, image=0, cached=11, completion=1, reasoning=290)
    assert cost_in_usd_ticks(mini, counts) == 1466250


def test_cumulative_usage(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(usage="cumulative", text="a b c"))
    parsed = chunks(client.post("/chat/completions", json=body("x")).content)
    assert all("usage" in c for c in parsed)
    assert all(c["choices"] for c in parsed)  # no separate usage chunk
    completions = [c["usage"]["completion_tokens"] for c in parsed]
    assert completions == [0, 1, 2, 3, 3]
    assert all(list(c)[-2:] == ["usage", "system_fingerprint"] for c in parsed)


def test_visible_reasoning_first_delta(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(reasoning="First second", text="Hi"))
    parsed = chunks(client.post("/chat/completions", json=body(model="grok-3-mini")).content)
    deltas = [c["choices"][0]["delta"] for c in parsed]
    assert deltas[0] == {"reasoning_content": "First ", "role": "assistant"}
    assert list(deltas[0]) == ["reasoning_content", "role"]
    assert deltas[1] == {"reasoning_content": "second"}
    assert deltas[2] == {"content": "Hi"}


def test_chunk_tokens_groups_words(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(text="a b c d e", chunk_tokens=2))
    parsed = chunks(client.post("/chat/completions", json=body()).content)
    assert [c["choices"][0]["delta"].get("content") for c in parsed[1:-1]] == ["a b ", "c d ", "e"]


def test_max_tokens_cuts_with_length(client: httpx.Client) -> None:
    parsed = chunks(client.post("/chat/completions", json=body(max_completion_tokens=2)).content)
    assert content_of(parsed) == "You said: "
    assert parsed[-1]["choices"][0]["finish_reason"] == "length"
    whole = client.post("/chat/completions", json=body(stream=False, max_tokens=1)).json()
    assert whole["choices"][0]["message"]["content"] == "You "
    assert whole["choices"][0]["finish_reason"] == "length"
    assert whole["usage"]["completion_tokens"] == 1


def test_non_streamed_shape(client: httpx.Client) -> None:
    response = client.post("/chat/completions", json=body("hi", stream=False))
    assert response.headers["content-type"] == "application/json"
    raw = response.text
    reply = json.loads(raw)
    assert raw == compact(reply)
    assert list(reply) == [
        "id",
        "object",
        "created",
        "model",
        "choices",
        "usage",
        "system_fingerprint",
    ]
    assert reply["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "You said: hi", "refusal": None},
            "finish_reason": "stop",
        }
    ]
    assert len(reply["system_fingerprint"]) == 13
    assert list(reply["usage"]) == [
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "prompt_tokens_details",
        "completion_tokens_details",
        "num_sources_used",
        "cost_in_usd_ticks",
    ]


# -- transport quirks ------------------------------------------------------------------------


def test_crlf_framing(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(crlf=True))
    raw = client.post("/chat/completions", json=body("crlf")).content
    assert b"\n" not in raw.replace(b"\r\n", b"")
    lines = payloads(raw, eol="\r\n")
    assert lines[-1] == "[DONE]"
    assert content_of([json.loads(line) for line in lines[:-1]]) == "You said: crlf"


def test_split_utf8_reassembles(srv: DevServer, client: httpx.Client) -> None:
    text = "Grüße 世界 🎉🚀 done ✓"
    srv.enqueue(Script(text=text, split_utf8=True))
    pieces: list[bytes] = []
    with client.stream("POST", "/chat/completions", json=body()) as response:
        pieces.extend(response.iter_raw())
    raw = b"".join(pieces)
    assert content_of(chunks(raw)) == text
    broken = 0
    for piece in pieces:
        try:
            piece.decode("utf-8")
        except UnicodeDecodeError:
            broken += 1
    assert broken > 0  # some writes really did cut a character in two


def test_burst_mode_large_answer(srv: DevServer, client: httpx.Client) -> None:
    text = " ".join(f"w{i}" for i in range(20000))
    srv.enqueue(Script(text=text, burst=True))
    started = time.monotonic()
    raw = client.post("/chat/completions", json=body()).content
    assert content_of(chunks(raw)) == text
    assert time.monotonic() - started < 5


def test_reset_after_n_content_chunks(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(text="one two three four", reset_after=2))
    received: list[str] = []

    def read() -> None:
        with client.stream("POST", "/chat/completions", json=body()) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    chunk = json.loads(line[6:])
                    received.append(chunk["choices"][0]["delta"].get("content", ""))

    with pytest.raises(httpx.TransportError):
        read()
    assert [r for r in received if r] == ["one ", "two "]


def test_stall_then_resume(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(text="a b", stall_after=1, stall_seconds=0.4))
    times: dict[str, float] = {}
    with client.stream("POST", "/chat/completions", json=body()) as response:
        for line in response.iter_lines():
            if '"content"' in line:
                times[json.loads(line[6:])["choices"][0]["delta"]["content"]] = time.monotonic()
    assert times["b"] - times["a "] >= 0.35


def test_stop_cuts_a_stalled_stream_quickly() -> None:
    srv = DevServer().start()
    srv.enqueue(Script(text="a b c", stall_after=1))
    errors: list[BaseException] = []
    first = threading.Event()

    def read() -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        try:
            with httpx.stream(
                "POST", srv.base_url + "/chat/completions", json=body(), headers=headers
            ) as response:
                for line in response.iter_lines():
                    if '"content"' in line:
                        first.set()
        except httpx.TransportError as exc:
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    assert first.wait(5)
    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 1.0
    reader.join(5)
    assert not reader.is_alive()
    assert errors  # the client sees a broken stream, not a clean end


def test_stop_with_idle_keepalive_connection(srv: DevServer, client: httpx.Client) -> None:
    client.get("/models")  # leaves a keep-alive connection open
    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 1.0


def test_inband_error_line(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(text="a b c", inband_error_after=1))
    response = client.post("/chat/completions", json=body())
    assert response.status_code == 200
    lines = payloads(response.content)
    assert lines[-1] == (
        '{"code":"The service is currently unavailable",'
        '"error":"Timed out waiting for first token"}'
    )
    assert "[DONE]" not in lines
    assert content_of([json.loads(line) for line in lines[:-1]]) == "a "


def test_malformed_line(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(text="a b c", malformed_after=2))
    lines = payloads(client.post("/chat/completions", json=body()).content)
    assert lines[-2:] == ['{"id":"broken', "[DONE]"]
    assert content_of([json.loads(line) for line in lines[:-2]]) == "a b "


def test_tokens_per_second_pacing(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(text=" ".join(["w"] * 20), tokens_per_second=100))
    started = time.monotonic()
    client.post("/chat/completions", json=body()).raise_for_status()
    assert time.monotonic() - started >= 0.15


def test_headers_delay(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(headers_delay=0.2))
    started = time.monotonic()
    client.post("/chat/completions", json=body(stream=False)).raise_for_status()
    assert time.monotonic() - started >= 0.18


# -- errors ----------------------------------------------------------------------------------


def test_retry_after_header_and_429_body(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(status=429, retry_after=2))
    srv.enqueue(Script(status=429, retry_after=1.5))
    first = client.post("/chat/completions", json=body())
    assert first.status_code == 429
    assert first.headers["retry-after"] == "2"
    assert first.text == '{"code":"Some resource has been exhausted","error":"Rate limit exceeded"}'
    assert client.post("/chat/completions", json=body()).headers["retry-after"] == "1.5"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (500, '{"code":"Internal error","error":"Internal error"}'),
        (
            503,
            '{"code":"The service is currently unavailable",'
            '"error":"The service is currently unavailable"}',
        ),
        (
            410,
            '{"code":"Some requested entity was not found",'
            '"error":"Live search is deprecated. Please switch to the Agent Tools API"}',
        ),
    ],
)
def test_scripted_json_errors(
    srv: DevServer, client: httpx.Client, status: int, expected: str
) -> None:
    srv.enqueue(Script(status=status))
    response = client.post("/chat/completions", json=body())
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.text == expected


def test_html_error_page(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(status=504))
    response = client.post("/chat/completions", json=body())
    assert response.status_code == 504
    assert response.headers["content-type"] == "text/html"
    assert "<h1>504 Gateway Timeout</h1>" in response.text


def test_custom_error_body(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(status=400, error_body='{"error":{"message":"nested"}}'))
    srv.enqueue(Script(status=502, error_body="Bad gateway", content_type="text/plain"))
    first = client.post("/chat/completions", json=body())
    assert (first.status_code, first.json()) == (400, {"error": {"message": "nested"}})
    second = client.post("/chat/completions", json=body())
    assert (second.status_code, second.text) == (502, "Bad gateway")
    assert second.headers["content-type"] == "text/plain"


def test_422_plain_text(client: httpx.Client) -> None:
    response = client.post(
        "/chat/completions", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == (
        "Failed to deserialize the JSON body into the target type: "
        "missing field `model` at line 1 column 2"
    )
    broken = client.post(
        "/chat/completions", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.text.startswith("Failed to deserialize the JSON body into the target type: ")


def test_415_without_json_content_type(client: httpx.Client) -> None:
    response = client.post(
        "/chat/completions", content=json.dumps(body()), headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415


def test_auth_errors(srv: DevServer) -> None:
    url = srv.base_url + "/chat/completions"
    missing = httpx.post(url, json=body())
    assert missing.status_code == 401
    assert missing.text == (
        '{"code":"The request does not have valid authentication credentials",'
        '"error":"No credentials presented."}'
    )
    wrong = httpx.post(url, json=body(), headers={"Authorization": "Bearer sk-abcdefyz"})
    assert wrong.status_code == 400
    assert wrong.text == (
        '{"code":"Client specified an invalid argument","error":"Incorrect API key provided: '
        'sk***yz. You can obtain an API key from https://console.x.ai."}'
    )
    blocked = httpx.post(url, json=body(), headers={"Authorization": "Bearer xai-blocked-9z8y"})
    assert blocked.status_code == 403
    assert blocked.json()["error"] == "The API key xai-...9z8y is blocked."
    broke = httpx.post(url, json=body(), headers={"Authorization": "Bearer xai-nocredits"})
    assert broke.status_code == 403
    assert "has either used all available credits" in broke.json()["error"]


def test_api_key_set() -> None:
    with DevServer(api_keys={"xai-good"}) as srv:
        url = srv.base_url + "/chat/completions"
        good = httpx.post(url, json=body(), headers={"Authorization": "Bearer xai-good"})
        assert good.status_code == 200
        other = httpx.post(url, json=body(), headers={"Authorization": "Bearer xai-other"})
        assert other.status_code == 400
        assert "xa***er" in other.text


def test_model_errors(client: httpx.Client) -> None:
    unknown = client.post("/chat/completions", json=body(model="grok-nope"))
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "Some requested entity was not found"
    assert unknown.json()["error"].startswith("The model grok-nope does not exist or your team ")
    retired = client.post("/chat/completions", json=body(model="grok-beta"))
    assert retired.status_code == 404
    assert retired.json()["error"] == (
        "The model grok-beta was deprecated on 2025-09-15 and is no longer accessible via the "
        "API. Please use grok-4.3 instead."
    )
    alias = client.post("/chat/completions", json=body(model="grok-4"))
    assert "grok-4 was deprecated on 2026-05-15" in alias.json()["error"]
    search = client.post("/chat/completions", json=body(search_parameters={"mode": "on"}))
    assert search.status_code == 410
    image_message = {
        "role": "user",
        "content": [{"type": "image_url", "image_url": {"url": uri(png())}}],
    }
    text_only = client.post(
        "/chat/completions",
        json={"model": "grok-3-mini", "messages": [image_message]},
    )
    assert text_only.status_code == 400
    assert text_only.json()["code"] == "Client specified an invalid argument"


def test_unknown_path_and_method(client: httpx.Client) -> None:
    missing = client.get("/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["code"] == "Some requested entity was not found"
    assert client.get("/chat/completions").status_code == 405


# -- scripts and directives ------------------------------------------------------------------


def test_times_semantics(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(status=429, times=2))
    srv.enqueue(Script(text="second script"))
    statuses = [client.post("/chat/completions", json=body(stream=False)) for _ in range(4)]
    assert [r.status_code for r in statuses] == [429, 429, 200, 200]
    assert statuses[2].json()["choices"][0]["message"]["content"] == "second script"
    assert statuses[3].json()["choices"][0]["message"]["content"] == "You said: hello"


def test_default_script() -> None:
    with DevServer(default_script=Script(text="always")) as srv:
        response = httpx.post(
            srv.base_url + "/chat/completions",
            json=body(stream=False),
            headers={"Authorization": f"Bearer {KEY}"},
        )
        assert response.json()["choices"][0]["message"]["content"] == "always"


def test_dev_directive(srv: DevServer, client: httpx.Client) -> None:
    srv.enqueue(Script(text="from the queue"))
    prompt = 'Tell me ::dev{"chunk_tokens": 2, "reasoning": "a {brace} \\"q\\""} please'
    parsed = chunks(
        client.post("/chat/completions", json=body(prompt, model="grok-3-mini")).content
    )
    assert content_of(parsed) == "You said: Tell me  please"
    reasoning = "".join(
        c["choices"][0]["delta"].get("reasoning_content", "") for c in parsed if c["choices"]
    )
    assert reasoning == 'a {brace} "q"'
    # The queue was left alone: the next plain request gets the queued script.
    queued = client.post("/chat/completions", json=body(stream=False)).json()
    assert queued["choices"][0]["message"]["content"] == "from the queue"
    scripted = client.post("/chat/completions", json=body('::dev{"status": 429}'))
    assert scripted.status_code == 429
    invalid = client.post("/chat/completions", json=body('::dev{"bogus": 1}'))
    assert invalid.status_code == 400
    assert "bogus" in invalid.json()["error"]


def test_script_dict_round_trip() -> None:
    script = Script(times=2, status=503, retry_after=1.5, text="x", usage="cumulative")
    assert Script.from_dict(script.to_dict()) == script
    assert Script.from_dict({}) == Script()
    with pytest.raises(ValueError, match="unknown"):
        Script.from_dict({"nope": 1})
    with pytest.raises(ValueError):
        Script.from_dict({"usage": "sometimes"})
    with pytest.raises(ValueError):
        Script.from_dict({"times": "two"})


# -- images ----------------------------------------------------------------------------------


def test_image_report(client: httpx.Client) -> None:
    image = png(64, 32)
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": "Look"},
            {"type": "image_url", "image_url": {"url": uri(image), "detail": "high"}},
            {"type": "image_url", "image_url": {"url": uri(b"nope!", "image/jpeg")}},
        ],
    }
    request = {"model": "grok-4.3", "messages": [message], "stream": False}
    reply = client.post("/chat/completions", json=request).json()
    assert reply["choices"][0]["message"]["content"] == (
        "You said: Look\n"
        f"Image 1: image/png 64x32, {len(image)} bytes, detail high\n"
        "Image 2: unreadable (image/jpeg, 5 bytes)"
    )
    usage = reply["usage"]
    assert usage["prompt_tokens_details"]["image_tokens"] == 512
    assert usage["prompt_tokens"] == 1 + 512
    assert usage["prompt_tokens_details"]["text_tokens"] == 1


# -- other endpoints -------------------------------------------------------------------------


def test_models_endpoints(client: httpx.Client) -> None:
    models = client.get("/models").json()
    assert models["object"] == "list"
    ids = [m["id"] for m in models["data"]]
    assert ids == [
        "grok-4.3",
        "grok-4.20-0309-reasoning",
        "grok-4.20-0309-non-reasoning",
        "grok-3-mini",
        "grok-code-fast-1",
    ]
    assert list(models["data"][0]) == ["id", "created", "object", "owned_by"]
    one = client.get("/models/grok-3-mini-latest").json()
    assert one["id"] == "grok-3-mini"
    assert client.get("/models/grok-beta").status_code == 404

    language = client.get("/language-models").json()["models"]
    assert list(language[0]) == [
        "id",
        "fingerprint",
        "created",
        "object",
        "owned_by",
        "version",
        "input_modalities",
        "output_modalities",
        "prompt_text_token_price",
        "cached_prompt_text_token_price",
        "prompt_image_token_price",
        "completion_text_token_price",
        "search_price",
        "aliases",
    ]
    mini = client.get("/language-models/grok-3-mini").json()
    assert mini["aliases"] == ["grok-3-mini-latest"]
    assert mini["prompt_text_token_price"] == 3000
    assert mini["input_modalities"] == ["text"]
    assert client.get("/language-models/grok-3").status_code == 404


def test_custom_model_table() -> None:
    spec = ModelSpec("my-model", 1, prompt_price=1, completion_price=2)
    with DevServer(models=[spec]) as srv:
        headers = {"Authorization": f"Bearer {KEY}"}
        listing = httpx.get(srv.base_url + "/models", headers=headers).json()
        assert [m["id"] for m in listing["data"]] == ["my-model"]
        reply = httpx.post(
            srv.base_url + "/chat/completions",
            json=body("abcd", model="my-model", stream=False),
            headers=headers,
        ).json()
        assert reply["usage"]["cost_in_usd_ticks"] == 1 * 1 + 3 * 2


def test_api_key_endpoint(srv: DevServer) -> None:
    url = srv.base_url + "/api-key"
    info = httpx.get(url, headers={"Authorization": "Bearer xai-abcdefgh1234"}).json()
    assert info["redacted_api_key"] == "xai-...1234"
    assert info["name"] == "Dev key"
    assert info["acls"] == ["api-key:model:*", "api-key:endpoint:*"]
    assert (info["team_blocked"], info["api_key_blocked"], info["api_key_disabled"]) == (
        False,
        False,
        False,
    )
    blocked = httpx.get(url, headers={"Authorization": "Bearer xai-blocked-1"})
    assert blocked.status_code == 200
    assert blocked.json()["api_key_blocked"] is True
    assert httpx.get(url, headers={"Authorization": "Bearer nope-1234"}).status_code == 400
    assert httpx.get(url).status_code == 401


def test_recorded_requests(srv: DevServer, client: httpx.Client) -> None:
    client.post("/chat/completions", json=body("rec", stream=False), headers={"X-Custom": "Yes"})
    client.get("/models")
    records = srv.requests
    assert [(r.method, r.path) for r in records] == [
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/models"),
    ]
    assert records[0].headers["x-custom"] == "Yes"
    assert records[0].headers["authorization"] == f"Bearer {KEY}"
    assert records[0].body is not None
    assert records[0].body["messages"][0]["content"] == "rec"
    assert records[1].body is None


# -- subprocess mode -------------------------------------------------------------------------


def test_subprocess_mode() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(APP_DIR), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "grok_desktop.devserver", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("GROK_DEVSERVER_URL=http://127.0.0.1:")
        base = line.strip().split("=", 1)[1]
        assert base.endswith("/v1")
        root = base[: -len("/v1")]
        queued = httpx.post(root + "/_dev/script", json={"text": "scripted", "times": 1})
        assert queued.status_code == 200
        assert httpx.post(root + "/_dev/script", json={"nope": 1}).status_code == 400
        reply = httpx.post(
            base + "/chat/completions",
            json=body(stream=False),
            headers={"Authorization": f"Bearer {KEY}"},
        ).json()
        assert reply["choices"][0]["message"]["content"] == "scripted"
        records = httpx.get(root + "/_dev/requests").json()
        assert [r["path"] for r in records] == ["/v1/chat/completions"]
        assert records[0]["body"]["model"] == PLAIN
        assert httpx.post(root + "/_dev/reset").status_code == 200
        assert httpx.get(root + "/_dev/requests").json() == []
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=5)
    assert proc.returncode == 0, err
    assert out == ""  # the URL line was the only output
