"""The SSE decoder on awkward framings, checked against every split of the input."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grok_desktop.api import errors
from grok_desktop.api.sse import SSEDecoder


def decode(parts: list[str]) -> list[str]:
    d = SSEDecoder()
    out: list[str] = []
    for p in parts:
        out.extend(d.feed(p))
    return out + d.close()


def test_fields_comments_and_multiline_data() -> None:
    raw = ": comment\nevent: x\nid: 1\ndata: a\ndata:b\ndata\n\nretry: 5\ndata: c\n\n"
    assert decode([raw]) == ["a\nb\n", "c"]


def test_last_event_without_blank_line_still_counts() -> None:
    assert decode(["data: one\n\ndata: [DONE]"]) == ["one", "[DONE]"]


@given(st.data())
def test_any_split_and_any_line_ending_gives_the_same_events(data: st.DataObject) -> None:
    events = data.draw(st.lists(st.text(alphabet="ab ü👋{}:", max_size=8), max_size=5))
    eol = data.draw(st.sampled_from(["\n", "\r\n", "\r"]))
    raw = "".join(f"data: {e}{eol}{eol}" for e in events)
    cuts = sorted(data.draw(st.sets(st.integers(0, len(raw)), max_size=6)))
    parts = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    assert decode(parts) == events


@pytest.mark.parametrize("payload", [b"42", b"null", b"true", b'"text"', b"[1]"])
def test_json_that_is_not_an_object_is_malformed(payload: bytes) -> None:
    from grok_desktop.api.client import XaiClient
    from grok_desktop.domain.content import ChatRequest, user_message

    body = b"data: " + payload + b"\n\n"
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(
            lambda r: httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=body
            )
        )
    )
    client = XaiClient(base_url="http://127.0.0.1:1/v1", api_key="xai-t", http=http)

    async def go() -> None:
        async for _ in client.stream_chat(ChatRequest("m", (user_message("x"),))):
            pass

    with pytest.raises(errors.MalformedStreamError):
        asyncio.run(go())
