"""`grok-desktop ask` in-process against the local dev server, one test per scripted behaviour:
stdout, stderr wording, exit code, and what the history holds afterwards."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Result
from PIL import Image

from grok_desktop.cli import main
from grok_desktop.devserver import DevServer, RecordedRequest, Script
from grok_desktop.domain.conversation import Conversation, Message, MessageStatus
from grok_desktop.domain.pricing import CostSource
from grok_desktop.storage import Store

ANSWER = "You said: hello there"

Ask = Callable[..., Result]


@pytest.fixture
def ask(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    def run(*argv: str, stdin: str | None = None) -> Result:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main(["ask", *argv])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def chats(srv: DevServer) -> list[RecordedRequest]:
    return [r for r in srv.requests if r.path.endswith("/chat/completions")]


def history(data: Path) -> list[tuple[Conversation, list[Message]]]:
    with Store.open(data) as store:
        return [(c, store.branch_path(c.id)) for c in store.list_conversations()]


def only_exchange(data: Path) -> tuple[Conversation, Message, Message]:
    """The one conversation: its question and its reply."""
    ((conversation, messages),) = history(data)
    user, reply = messages
    assert user.role.value == "user"
    assert reply.role.value == "assistant"
    return conversation, user, reply


def nothing_stored(data: Path) -> bool:
    return not (data / "grok-desktop.sqlite3").exists() or history(data) == []


# -- answers ---------------------------------------------------------------------------------


def test_answer_on_stdout_usage_and_cost_on_stderr(ask: Ask, srv: DevServer, data: Path) -> None:
    r = ask("hello", "there")
    assert r.code == 0, r.err
    assert r.out == ANSWER + "\n"
    assert r.err.startswith("grok-4.3 · ")
    assert "in · " in r.err and " out" in r.err and "$" in r.err
    assert len(r.err.splitlines()) == 1
    (request,) = chats(srv)
    assert request.body is not None
    assert request.body["model"] == "grok-4.3"  # the newest model, chosen from the list
    assert request.body["stream"] is True
    assert request.body["messages"] == [{"role": "user", "content": "hello there"}]
    conversation, user, reply = only_exchange(data)
    assert conversation.model == "grok-4.3"
    assert (user.content, user.status) == ("hello there", MessageStatus.COMPLETE)
    assert (reply.content, reply.status, reply.error) == (ANSWER, MessageStatus.COMPLETE, None)
    assert reply.model == "grok-4.3"
    assert reply.usage is not None
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (3, 4)
    assert reply.usage.reasoning_tokens == 3  # grok-4.3's hidden reasoning
    assert reply.cost_source is CostSource.SERVER
    assert reply.cost_usd == Decimal(reply.usage.cost_ticks or 0) / 10**10 > 0


def test_the_chosen_model_is_remembered(ask: Ask, srv: DevServer) -> None:
    assert ask("one").code == 0
    assert ask("two").code == 0
    assert [r.path for r in srv.requests].count("/v1/language-models") == 1
    assert [r.body["model"] for r in chats(srv) if r.body] == ["grok-4.3", "grok-4.3"]


def test_reasoning_model_shows_reasoning_on_stderr_only(ask: Ask, data: Path) -> None:
    r = ask("--model", "grok-3-mini", "--show-reasoning", "hello there")
    assert r.code == 0, r.err
    assert r.out == ANSWER + "\n"
    lines = r.err.splitlines()
    assert lines[0] == "Thinking about it."  # on a line of its own, before the usage line
    assert lines[1].startswith("grok-3-mini · ") and "3 reasoning" in lines[1]
    _, _, reply = only_exchange(data)
    assert reply.reasoning == "Thinking about it."
    assert reply.content == ANSWER
    assert reply.usage is not None and reply.usage.reasoning_tokens == 3


def test_reasoning_is_not_printed_unless_asked(ask: Ask, data: Path) -> None:
    r = ask("--model", "grok-3-mini", "hello there")
    assert r.code == 0, r.err
    assert r.out == ANSWER + "\n"
    assert "Thinking" not in r.err  # stderr is not a terminal: no progress line either
    assert only_exchange(data)[2].reasoning == "Thinking about it."


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_thinking_line_on_a_terminal_is_cleared(
    ask: Ask, srv: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert ask("--model", "grok-3-mini", "hello there").code == 0
    assert terminal.getvalue().startswith("Thinking…\r\033[Kgrok-3-mini · ")
    # A failure before any text: the progress line is cleared before the error too.
    terminal.seek(0)
    terminal.truncate()
    srv.enqueue(Script(malformed_after=0))
    assert ask("--model", "grok-3-mini", "hi").code == 5
    assert terminal.getvalue().startswith("Thinking…\r\033[Kerror: ")


def test_hidden_reasoning_empty_deltas(ask: Ask, srv: DevServer, data: Path) -> None:
    srv.enqueue(Script(hidden_reasoning=7, text="Done thinking."))
    r = ask("--show-reasoning", "think hard")
    assert r.code == 0, r.err
    assert r.out == "Done thinking.\n"
    assert "7 reasoning" in r.err
    assert r.err.count("\n") == 1  # empty deltas print nothing
    _, _, reply = only_exchange(data)
    assert (reply.content, reply.reasoning) == ("Done thinking.", "")
    assert reply.usage is not None and reply.usage.reasoning_tokens == 7


def test_cumulative_usage_keeps_the_last_report(ask: Ask, srv: DevServer, data: Path) -> None:
    srv.enqueue(Script(usage="cumulative", text="one two three four five"))
    r = ask("count")
    assert r.code == 0, r.err
    assert r.out == "one two three four five\n"
    assert "5 out" in r.err
    _, _, reply = only_exchange(data)
    assert reply.usage is not None
    assert reply.usage.completion_tokens == 5  # not 1+2+3+4+5
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + 5 + 3


def test_no_usage_reported(ask: Ask, srv: DevServer, data: Path) -> None:
    srv.enqueue(Script(usage="none", text="plain"))
    r = ask("hi")
    assert (r.code, r.out, r.err) == (0, "plain\n", "")
    _, _, reply = only_exchange(data)
    assert (reply.usage, reply.cost_usd, reply.cost_source) == (None, None, CostSource.UNKNOWN)


def test_cost_from_the_price_list_when_the_server_sends_none(
    ask: Ask, srv: DevServer, data: Path
) -> None:
    srv.enqueue(Script(cost_ticks=False, cached_tokens=1))
    r = ask("hello there")
    assert r.code == 0, r.err
    assert "3 in (1 cached)" in r.err
    _, _, reply = only_exchange(data)
    assert reply.usage is not None and reply.usage.cost_ticks is None
    assert reply.cost_source is CostSource.PRICE_LIST
    # grok-4.3: $3/M prompt, $0.75/M cached, $15/M completion (reasoning billed alike).
    expected = (2 * 3 + 1 * Decimal("0.75") + (4 + 3) * 15) / Decimal(10**6)
    assert reply.cost_usd == expected


def test_json_prints_one_document_with_usage_and_cost(ask: Ask, data: Path) -> None:
    r = ask("--json", "hello there")
    assert r.code == 0, r.err
    doc = json.loads(r.out)  # the whole of stdout is one JSON document
    assert doc["content"] == ANSWER
    assert doc["status"] == "complete"
    assert doc["role"] == "assistant"
    assert doc["usage"]["prompt_tokens"] == 3
    assert doc["usage"]["completion_tokens"] == 4
    assert doc["usage"]["cost_in_usd_ticks"] > 0
    assert Decimal(doc["cost_usd"]) == Decimal(doc["usage"]["cost_in_usd_ticks"]) / 10**10
    assert doc["cost_source"] == "server"
    _, _, reply = only_exchange(data)
    assert doc["id"] == reply.id
    assert doc["conversation_id"] == reply.conversation_id


def test_prompt_from_stdin(ask: Ask, srv: DevServer, data: Path) -> None:
    r = ask("-", stdin="line one\nline two\n")
    assert r.code == 0, r.err
    assert r.out == "You said: line one\nline two\n"
    assert only_exchange(data)[1].content == "line one\nline two\n"


def test_other_stream_shapes_give_the_same_text(ask: Ask, srv: DevServer) -> None:
    text = "héllo wörld ✓ 🎉 end"
    for script in (
        Script(text=text, split_utf8=True),
        Script(text=text, crlf=True),
        Script(text=text, chunk_tokens=3),
        Script(text=text, headers_delay=0.2),
        Script(text=text * 500, burst=True, chunk_tokens=50),
    ):
        srv.enqueue(script)
        r = ask("go")
        assert r.code == 0, (script, r.err)
        assert r.out == (script.text or "") + "\n", script


# -- conversations ---------------------------------------------------------------------------


def test_continue_a_conversation_by_id_prefix_with_system_prompt(
    ask: Ask, srv: DevServer, data: Path
) -> None:
    assert ask("first question").code == 0
    ((conversation, _),) = history(data)
    r = ask("--conversation", conversation.id[:8], "--system", "Be brief.", "second question")
    assert r.code == 0, r.err
    assert r.out == "You said: second question\n"
    body = chats(srv)[-1].body
    assert body is not None
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "You said: first question"},
        {"role": "user", "content": "second question"},
    ]
    r = ask("-c", conversation.id, "third")
    assert r.code == 0, r.err
    body = chats(srv)[-1].body
    assert body is not None
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}  # remembered
    assert len(body["messages"]) == 6
    ((stored, messages),) = history(data)  # still one conversation
    assert stored.system_prompt == "Be brief."
    assert [m.content for m in messages] == [
        "first question",
        "You said: first question",
        "second question",
        "You said: second question",
        "third",
        "You said: third",
    ]
    assert all(m.status is MessageStatus.COMPLETE for m in messages)


def test_new_conversation_with_system_prompt(ask: Ask, srv: DevServer, data: Path) -> None:
    assert ask("--system", "You are terse.", "hi").code == 0
    body = chats(srv)[-1].body
    assert body is not None
    assert body["messages"][0] == {"role": "system", "content": "You are terse."}
    assert only_exchange(data)[0].system_prompt == "You are terse."


def test_unknown_conversation(ask: Ask, srv: DevServer) -> None:
    r = ask("--conversation", "nope1234", "hi")
    assert r.code == 2
    assert "history list" in r.err
    assert chats(srv) == []


# -- the key ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "code", "words"),
    [
        ("not-an-xai-key", 3, ["Incorrect API key", "grok-desktop key set"]),
        ("xai-blocked-key-1", 3, ["is blocked", "console.x.ai"]),
        ("xai-nocredits-key-1", 4, ["used all available credits", "Add credits"]),
    ],
)
def test_key_problems(
    ask: Ask,
    srv: DevServer,
    data: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    code: int,
    words: list[str],
) -> None:
    monkeypatch.setenv("XAI_API_KEY", key)
    r = ask("--model", "grok-4.3", "hi")
    assert r.code == code, r.err
    assert r.out == ""
    for word in words:
        assert word in r.err
    assert key not in r.err  # never echoed whole
    assert len(chats(srv)) == 1  # not retried
    _, user, reply = only_exchange(data)
    assert user.content == "hi"
    assert reply.status is MessageStatus.ERROR
    assert reply.error is not None and words[0] in reply.error


def test_key_problem_while_choosing_the_model(
    ask: Ask, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XAI_API_KEY", "not-an-xai-key")
    r = ask("hi")
    assert r.code == 3
    assert "Incorrect API key" in r.err
    assert nothing_stored(data)


def test_no_key_at_all(
    ask: Ask, srv: DevServer, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XAI_API_KEY")
    r = ask("hi")
    assert r.code == 3
    assert r.out == ""
    assert "No xAI API key is set" in r.err
    assert "grok-desktop key set" in r.err and "XAI_API_KEY" in r.err
    assert srv.requests == []
    assert nothing_stored(data)


# -- the API refuses -------------------------------------------------------------------------


def test_unknown_model_names_the_available_ones(ask: Ask, srv: DevServer, data: Path) -> None:
    r = ask("--model", "grok-99", "hi")
    assert r.code == 4
    assert r.out == ""
    assert "grok-99" in r.err
    assert "Models your key can use: grok-4.3," in r.err
    assert "grok-3-mini" in r.err
    _, _, reply = only_exchange(data)
    assert reply.status is MessageStatus.ERROR
    assert reply.error is not None and "grok-99" in reply.error


def test_retired_model(ask: Ask, data: Path) -> None:
    r = ask("--model", "grok-3", "hi")
    assert r.code == 4
    assert "deprecated on 2026-05-15" in r.err
    assert "Please use grok-4.3 instead" in r.err
    listed = r.err.split("Models your key can use:")[1]
    assert "grok-4.3" in listed and "grok-3," not in listed
    assert only_exchange(data)[2].status is MessageStatus.ERROR


@pytest.mark.parametrize(
    ("script", "code", "words"),
    [
        (Script(status=410), 4, "Live search is deprecated"),
        (Script(status=422), 4, "Failed to deserialize the JSON body"),
        (Script(status=400), 4, "maximum prompt length"),
        (Script(status=413), 4, "Send smaller or fewer images"),
        (Script(status=415), 4, "Content-Type: application/json"),
        (Script(status=401), 3, "No credentials presented"),
        (Script(status=403), 4, "credits"),
        (
            Script(status=400, error_body='{"error":{"message":"Bad thing","type":"x"}}'),
            4,
            "HTTP 400: Bad thing",
        ),
        (Script(status=500, times=5), 5, "Internal error"),
        (Script(status=503, times=5), 5, "The service is currently unavailable"),
        (Script(status=504, times=5), 5, "504 Gateway Timeout"),
        (Script(status=429, times=5, retry_after=0), 4, "Rate limit exceeded"),
    ],
    ids=lambda v: str(v.status) if isinstance(v, Script) else None,
)
def test_http_errors(
    ask: Ask, srv: DevServer, data: Path, script: Script, code: int, words: str
) -> None:
    srv.enqueue(script)
    r = ask("--retries", "0", "hi")
    assert r.code == code, r.err
    assert r.out == ""
    assert r.err.startswith("error: ")
    assert words in r.err
    assert "Traceback" not in r.err
    assert len(chats(srv)) == 1
    _, _, reply = only_exchange(data)
    assert (reply.status, reply.content) == (MessageStatus.ERROR, "")
    assert reply.error is not None and reply.error.splitlines()[0] in r.err


def test_rate_limited_once_then_answered(ask: Ask, srv: DevServer, data: Path) -> None:
    srv.enqueue(Script(status=429, retry_after=0))
    r = ask("hello there")
    assert r.code == 0, r.err
    assert r.out == ANSWER + "\n"
    assert "Rate limit exceeded. Retrying in 0.0 s (attempt 2 of 4)" in r.err
    assert len(chats(srv)) == 2
    assert only_exchange(data)[2].status is MessageStatus.COMPLETE


def test_persistent_errors_are_retried_as_often_as_asked(ask: Ask, srv: DevServer) -> None:
    srv.enqueue(Script(status=503, times=10, retry_after=0))
    r = ask("--retries", "2", "hi")
    assert r.code == 5
    assert r.err.count("Retrying") == 2
    assert len(chats(srv)) == 3
    srv.reset()
    srv.enqueue(Script(status=429, times=10, retry_after=0))
    r = ask("hi")  # default: 3 retries
    assert r.code == 4
    assert r.err.count("Retrying") == 3
    assert len(chats(srv)) == 4


# -- the stream breaks -----------------------------------------------------------------------

WORDS = "one two three four five six seven eight"


def _partial_kept(data: Path, partial: str) -> Message:
    _, _, reply = only_exchange(data)
    assert reply.status is MessageStatus.ERROR
    assert reply.content == partial
    assert reply.error
    return reply


def test_reset_mid_stream_keeps_the_partial_answer(ask: Ask, srv: DevServer, data: Path) -> None:
    srv.enqueue(Script(text=WORDS, reset_after=3))
    r = ask("hi")
    assert r.code == 5
    assert r.out == "one two three \n"
    assert "closed mid-answer" in r.err
    assert "partial answer above was kept in history" in r.err
    assert len(chats(srv)) == 1  # never retried once text arrived
    reply = _partial_kept(data, "one two three ")
    assert reply.error is not None and "closed mid-answer" in reply.error


def test_reset_before_any_text_is_retried(ask: Ask, srv: DevServer, data: Path) -> None:
    srv.enqueue(Script(text=WORDS, reset_after=0))
    r = ask("--retries", "1", "hi")  # the script breaks the first attempt only
    assert r.code == 0, r.err
    assert r.out == "You said: hi\n"
    assert "Retrying" in r.err
    assert len(chats(srv)) == 2
    assert only_exchange(data)[2].status is MessageStatus.COMPLETE


def test_stall_gives_up_after_the_stall_timeout(
    ask: Ask, srv: DevServer, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROK_DESKTOP_STALL_TIMEOUT", "1")
    srv.enqueue(Script(text=WORDS, stall_after=2, stall_seconds=30))
    r = ask("--retries", "0", "hi")
    assert r.code == 5
    assert r.out == "one two \n"
    assert "No data arrived for 1 s." in r.err
    assert "GROK_DESKTOP_STALL_TIMEOUT" in r.err
    _partial_kept(data, "one two ")


def test_bad_stall_timeout_is_a_usage_error(
    ask: Ask, srv: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROK_DESKTOP_STALL_TIMEOUT", "soon")
    r = ask("hi")
    assert r.code == 2
    assert "GROK_DESKTOP_STALL_TIMEOUT" in r.err
    assert chats(srv) == []


def test_inband_error_keeps_the_partial_answer(ask: Ask, srv: DevServer, data: Path) -> None:
    srv.enqueue(Script(text=WORDS, inband_error_after=2))
    r = ask("hi")
    assert r.code == 5
    assert r.out == "one two \n"
    assert "Timed out waiting for first token" in r.err
    assert "kept in history" in r.err
    _partial_kept(data, "one two ")


@pytest.mark.parametrize("after", [0, 2])
def test_malformed_event(ask: Ask, srv: DevServer, data: Path, after: int) -> None:
    srv.enqueue(Script(text=WORDS, malformed_after=after))
    r = ask("hi")
    assert r.code == 5
    partial = " ".join(WORDS.split()[:after]) + " " if after else ""
    assert r.out == (partial + "\n" if partial else "")
    assert "unreadable event" in r.err
    assert len(chats(srv)) == 1  # a garbled stream is not retried
    _partial_kept(data, partial)


def test_json_answer_where_a_stream_was_expected(ask: Ask, srv: DevServer, data: Path) -> None:
    srv.enqueue(Script(content_type="application/json"))
    r = ask("hi")
    assert r.code == 5
    assert "not valid JSON" in r.err
    assert only_exchange(data)[2].status is MessageStatus.ERROR


def test_partial_answer_in_json_mode(ask: Ask, srv: DevServer, data: Path) -> None:
    srv.enqueue(Script(text=WORDS, reset_after=3))
    r = ask("--json", "hi")
    assert r.code == 5
    doc = json.loads(r.out)
    assert (doc["status"], doc["content"]) == ("error", "one two three ")
    assert doc["error"]


class _ClosedPipe(io.StringIO):
    """stdout of `grok-desktop ask ... | head -c 12`: the reader goes away after a while."""

    def write(self, text: str) -> int:
        if self.tell() >= 12:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_stdout_closed_mid_answer_settles_the_reply(
    ask: Ask, srv: DevServer, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe = _ClosedPipe()
    monkeypatch.setattr("sys.stdout", pipe)
    srv.enqueue(Script(text=WORDS))
    r = ask("hi")
    assert r.code == 0  # like other tools when the reader of their output is gone
    assert "Traceback" not in r.err
    assert pipe.getvalue() == "one two three "
    _, _, reply = only_exchange(data)
    # Not left `streaming` (to be found `interrupted`, its last text unsaved, on the next
    # start): settled now, with everything that had arrived.
    assert reply.status is MessageStatus.CANCELLED
    assert reply.content == "one two three four "


# -- images ----------------------------------------------------------------------------------


def _png(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    Image.new("RGB", size, (200, 30, 30)).save(path)
    return path


def test_image_is_sent_and_stored(ask: Ask, srv: DevServer, data: Path, tmp_path: Path) -> None:
    image = _png(tmp_path / "red.png")
    r = ask("--image", str(image), "--detail", "low", "what is this?")
    assert r.code == 0, r.err
    assert r.out.startswith("You said: what is this?\nImage 1: image/png 64x48")
    assert "detail low" in r.out
    body = chats(srv)[-1].body
    assert body is not None
    parts = body["messages"][-1]["content"]
    assert parts[0]["type"] == "image_url"
    assert parts[0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert parts[0]["image_url"]["detail"] == "low"
    _, user, reply = only_exchange(data)
    (attachment,) = user.attachments
    assert (attachment.mime, attachment.width, attachment.height) == ("image/png", 64, 48)
    assert attachment.detail == "low"
    with Store.open(data) as store:
        assert store.attachment_path(attachment).is_file()
    assert reply.usage is not None and reply.usage.image_tokens > 0


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("missing", "no such file"),
        ("text", "not an image"),
        ("empty", "the file is empty (0 bytes)"),
        ("folder", "is a folder, not an image"),
    ],
)
def test_bad_image_sends_nothing(
    ask: Ask, srv: DevServer, data: Path, tmp_path: Path, kind: str, words: str
) -> None:
    path = tmp_path / f"{kind}.png"
    if kind == "text":
        path.write_text("this is not a picture")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
    r = ask("--image", str(path), "hi")
    assert r.code == 2
    assert r.out == ""
    assert str(path) in r.err
    assert "Nothing was sent" in r.err
    assert words in r.err
    assert srv.requests == []
    assert nothing_stored(data)


def test_text_only_model_refuses_images(
    ask: Ask, srv: DevServer, data: Path, tmp_path: Path
) -> None:
    image = _png(tmp_path / "a.png")
    r = ask("--model", "grok-3-mini", "--image", str(image), "hi")
    assert r.code == 2
    assert "grok-3-mini does not accept images" in r.err
    assert "Models that do: grok-4.3" in r.err
    assert "Nothing was sent" in r.err
    assert chats(srv) == []


def test_too_many_images(ask: Ask, srv: DevServer, data: Path, tmp_path: Path) -> None:
    image = str(_png(tmp_path / "a.png"))
    r = ask(*["--image", image] * 11, "hi")
    assert r.code == 2
    assert "11 images given; at most 10" in r.err
    assert srv.requests == []


# -- bad usage -------------------------------------------------------------------------------


@pytest.mark.parametrize("prompt", ["", "   ", "-"])
def test_empty_prompt(ask: Ask, srv: DevServer, data: Path, prompt: str) -> None:
    r = ask(prompt, stdin="  \n")
    assert r.code == 2
    assert "The question is empty" in r.err
    assert srv.requests == []
    assert nothing_stored(data)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--bogus", "hi"], "unrecognized arguments: --bogus"),
        (["--retries", "-1", "hi"], "must be 0 or more"),
        (["--detail", "huge", "hi"], "invalid choice"),
        (["--new", "--conversation", "x", "hi"], "not allowed with"),
        ([], "the following arguments are required"),
    ],
)
def test_bad_flags(
    data: Path, capsys: pytest.CaptureFixture[str], srv: DevServer, argv: list[str], words: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["ask", *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert words in err
    assert err.startswith("usage: ")
    assert srv.requests == []


def test_retries_option_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--retries N" in out
    assert "default 3; 0: never" in out


def test_plain_http_to_another_host_is_refused(ask: Ask, srv: DevServer, data: Path) -> None:
    r = ask("--base-url", "http://example.com/v1", "hi")
    assert r.code == 2
    assert "Refusing to send the API key over plain http to example.com" in r.err
    assert "--allow-insecure-http" in r.err
    assert srv.requests == []


def test_flags_win_over_the_environment(
    ask: Ask, srv: DevServer, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROK_DESKTOP_BASE_URL", "http://127.0.0.1:9/v1")  # nothing there
    other = tmp_path / "other"
    r = ask("--base-url", srv.base_url, "--data-dir", str(other), "hello there")
    assert r.code == 0, r.err
    assert nothing_stored(data)
    assert only_exchange(other)[2].content == ANSWER


def test_base_url_that_is_not_http(ask: Ask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROK_DESKTOP_BASE_URL", "ftp://example.com/v1")
    r = ask("hi")
    assert r.code == 2
    assert "not an http(s) URL" in r.err


# -- models ----------------------------------------------------------------------------------


def _models(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    capsys.readouterr()
    code = main(["models", *argv])
    out, err = capsys.readouterr()
    return Result(code, out, err)


def test_models_table(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = _models(capsys)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split() == ["MODEL", "INPUT", "$/M", "IN", "CACHED", "OUT"]
    assert lines[1].split() == ["*grok-4.3", "text+image", "$3.00", "$0.75", "$15.00"]
    assert any(line.split()[:2] == ["grok-3-mini", "text"] for line in lines)
    assert "grok-3 " not in r.out and "grok-4-0709" not in r.out  # retired ones are not listed
    assert lines[-1] == "* default for new chats"


def test_models_json(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = _models(capsys, "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    by_id = {m["id"]: m for m in doc}
    assert "grok-3" not in by_id
    assert by_id["grok-4.3"]["default"] is True
    assert by_id["grok-4.3"]["input_modalities"] == ["text", "image"]
    assert by_id["grok-4.3"]["price_usd_per_million"]["completion"] == "15"
    assert by_id["grok-3-mini"]["aliases"] == ["grok-3-mini-latest"]
    assert sum(m["default"] for m in doc) == 1


def test_models_key_problems(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XAI_API_KEY", "not-an-xai-key")
    r = _models(capsys)
    assert r.code == 3
    assert "Incorrect API key" in r.err
    monkeypatch.delenv("XAI_API_KEY")
    r = _models(capsys)
    assert r.code == 3
    assert "No xAI API key is set" in r.err
