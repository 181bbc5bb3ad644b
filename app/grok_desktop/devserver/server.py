"""The HTTP side: request routing, auth, validation, and the DevServer object."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from grok_desktop.devserver import errors
from grok_desktop.devserver.errors import ErrorResponse, compact
from grok_desktop.devserver.models import DEFAULT_MODELS, ModelSpec, ModelTable
from grok_desktop.devserver.prompt import BodyError, ChatRequest, message_text, parse_chat_body
from grok_desktop.devserver.reply import build_reply
from grok_desktop.devserver.script import Script, extract_directive
from grok_desktop.devserver.state import RecordedRequest, ServerState
from grok_desktop.devserver.stream import INBAND, MALFORMED, completion_body, stream_events
from grok_desktop.devserver.writer import Aborted, StreamWriter, reset_connection

USER_ID = "3f0c2a9e-1b7d-4c55-8e21-0d6a9b4f7c13"
API_KEY_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
KEY_TIME = "2025-06-01T12:00:00.000000Z"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: ServerState) -> None:
        self.state = state
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that leaves early (a cancelled stream, a test that stops reading) is
        # normal here: only unexpected errors get a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def _retry_after(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _guess_type(body: str) -> str:
    try:
        json.loads(body)
    except ValueError:
        return errors.TEXT
    return errors.JSON


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "grok-devserver"
    _responded = False

    def version_string(self) -> str:
        return self.server_version

    # -- plumbing --------------------------------------------------------------------------

    @property
    def state(self) -> ServerState:
        return cast(_HTTPServer, self.server).state

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.state.open_connection(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.state.close_connection(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if body or status != 405:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _send_error(self, error: ErrorResponse) -> None:
        self._send(error.status, error.body, error.content_type)

    def _send_json(self, obj: object, status: int = 200) -> None:
        self._send(status, compact(obj), errors.JSON)

    def send_response(self, code: int, message: str | None = None) -> None:
        self._responded = True
        super().send_response(code, message)

    def _dispatch(self) -> None:
        self._responded = False
        try:
            try:
                body = self._read_body()
            except ValueError:
                self.close_connection = True
                self._send_error(errors.text_error(400, "Invalid request body framing"))
                return
            path = unquote(urlsplit(self.path).path)
            if path.startswith("/_dev/"):
                self._control(path, body)
                return
            self._record(body)
            self._route(path, body)
        except (Aborted, OSError):  # a reset on purpose, a stop, or a client gone away
            self.close_connection = True
        except Exception:  # a bug here: say so in the log and answer 500 if still possible
            self.close_connection = True
            traceback.print_exc()
            if not self._responded:
                self._send_error(errors.json_error(500, errors.INTERNAL, "Internal error"))

    def _record(self, body: bytes) -> None:
        parsed: dict[str, Any] | None = None
        try:
            value = json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError):
            value = None
        if isinstance(value, dict):
            parsed = value
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.state.record(RecordedRequest(self.command, self.path, headers, parsed))

    # -- routing ---------------------------------------------------------------------------

    def _route(self, path: str, body: bytes) -> None:
        method = self.command
        if path == "/v1/chat/completions":
            if method != "POST":
                self._send_error(errors.method_not_allowed())
                return
            self._chat(body)
            return
        for prefix, handler in (
            ("/v1/models", self._models),
            ("/v1/language-models", self._language_models),
        ):
            if path == prefix or path.startswith(prefix + "/"):
                if method != "GET":
                    self._send_error(errors.method_not_allowed())
                    return
                if self._authorize(chat=False) is not None:
                    handler(path[len(prefix) + 1 :])
                return
        if path == "/v1/api-key":
            if method != "GET":
                self._send_error(errors.method_not_allowed())
                return
            self._api_key()
            return
        self._send_error(errors.not_found_path(path))

    def _bearer(self) -> str | None:
        header = self.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, key = header.strip().partition(" ")
        return key.strip() if scheme.lower() == "bearer" else header.strip()

    def _key_error(self, key: str | None) -> ErrorResponse | None:
        """401 without a key, 400 for a key that is not accepted."""
        if key is None:
            return errors.no_credentials()
        keys = self.state.api_keys
        valid = key.startswith("xai-") if keys is None else key in keys
        return None if valid else errors.invalid_key(key)

    def _authorize(self, chat: bool) -> str | None:
        """The key when it may call this endpoint; otherwise sends the error, returns None."""
        key = self._bearer()
        error = self._key_error(key)
        if error is None and key is not None:
            if "blocked" in key:
                error = errors.blocked_key(key)
            elif chat and "nocredits" in key:
                error = errors.no_credits()
        if error is not None:
            self._send_error(error)
            return None
        return key

    def _models(self, model_id: str) -> None:
        table = self.state.models
        if not model_id:
            data = [m.model_entry() for m in table.active]
            self._send_json({"data": data, "object": "list"})
            return
        spec = table.find(model_id)
        if spec is None or spec.retired:
            self._send_error(errors.unknown_model(model_id))
            return
        self._send_json(spec.model_entry())

    def _language_models(self, model_id: str) -> None:
        table = self.state.models
        if not model_id:
            self._send_json({"models": [m.language_model_entry() for m in table.active]})
            return
        spec = table.find(model_id)
        if spec is None or spec.retired:
            self._send_error(errors.unknown_model(model_id))
            return
        self._send_json(spec.language_model_entry())

    def _api_key(self) -> None:
        key = self._bearer()
        error = self._key_error(key)
        if error is not None or key is None:
            self._send_error(error or errors.no_credentials())
            return
        self._send_json(
            {
                "redacted_api_key": errors.redact_valid(key),
                "user_id": USER_ID,
                "name": "Dev key",
                "create_time": KEY_TIME,
                "modify_time": KEY_TIME,
                "modified_by": USER_ID,
                "team_id": errors.TEAM_ID,
                "acls": ["api-key:model:*", "api-key:endpoint:*"],
                "api_key_id": API_KEY_ID,
                "team_blocked": False,
                "api_key_blocked": "blocked" in key,
                "api_key_disabled": False,
            }
        )

    # -- chat completions ------------------------------------------------------------------

    def _chat(self, body: bytes) -> None:
        if self._authorize(chat=True) is None:
            return
        content_type = self.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            self._send_error(errors.unsupported_media_type())
            return
        try:
            request = parse_chat_body(body)
        except BodyError as exc:
            self._send_error(errors.unprocessable(str(exc)))
            return
        if request.has_search_parameters:
            self._send_error(errors.live_search_gone())
            return
        spec = self.state.models.find(request.model)
        if spec is None:
            self._send_error(errors.unknown_model(request.model))
            return
        if spec.retired:
            self._send_error(errors.retired_model(request.model, spec.retired, spec.replacement))
            return
        if request.image_count and not spec.accepts_images:
            self._send_error(errors.images_unsupported(spec.id))
            return
        last = request.last_user()
        user_text = message_text(last) if last is not None else ""
        try:
            directive = extract_directive(user_text)
        except ValueError as exc:
            self._send_error(errors.bad_argument(str(exc)))
            return
        if directive is not None:
            script = directive.script
            user_text = directive.stripped_text
        else:
            script = self.state.next_script()
        self._answer(request, spec, script, user_text)

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self.state.stopping.wait(seconds):
            raise Aborted("server stopping")

    def _answer(self, request: ChatRequest, spec: ModelSpec, script: Script, text: str) -> None:
        self._wait(script.headers_delay)
        extra = {}
        if script.retry_after is not None:
            extra["Retry-After"] = _retry_after(script.retry_after)
        if script.error_body is not None:
            ctype = script.content_type or _guess_type(script.error_body)
            self._send(script.status, script.error_body.encode(), ctype, extra)
            return
        if script.status != 200:
            error = errors.scripted_error(script.status, request.model)
            ctype = script.content_type or error.content_type
            self._send(error.status, error.body, ctype, extra)
            return
        reply = build_reply(request, spec, script, text)
        if not request.stream:
            self._answer_whole(script, completion_body(reply), extra)
            return
        self.send_response(200)
        self.send_header("Content-Type", script.content_type or "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        events = stream_events(reply, request.include_usage)
        writer = StreamWriter(self.connection, self.wfile, self.rfile, script, self.state.stopping)
        writer.write(events)

    def _answer_whole(self, script: Script, body: bytes, extra: dict[str, str]) -> None:
        """A non-streamed answer, with the script's faults applied to the whole body."""
        if script.reset_after is not None:
            reset_connection(self.connection, self.rfile)
            raise Aborted("reset")
        if script.stall_after is not None:
            self._wait(script.stall_seconds)
        if script.inband_error_after is not None:
            body = INBAND
        elif script.malformed_after is not None:
            body = MALFORMED
        self._send(200, body, script.content_type or errors.JSON, extra)

    # -- control endpoints -----------------------------------------------------------------

    def _control(self, path: str, body: bytes) -> None:
        state = self.state
        if path == "/_dev/script" and self.command == "POST":
            try:
                state.enqueue(Script.from_dict(json.loads(body or b"{}")))
            except ValueError as exc:  # JSONDecodeError is a ValueError
                self._send_json({"error": str(exc)}, 400)
                return
            self._send_json({"queued": state.queued()})
        elif path == "/_dev/requests" and self.command == "GET":
            self._send_json([r.to_dict() for r in state.records])
        elif path == "/_dev/reset" and self.command == "POST":
            state.reset()
            self._send_json({})
        else:
            self._send_error(errors.not_found_path(path))


class DevServer:
    """A local xAI-compatible server on 127.0.0.1 for tests, benchmarks and demo mode."""

    def __init__(
        self,
        models: Iterable[ModelSpec] | None = None,
        api_keys: Iterable[str] | None = None,
        default_script: Script | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        table = ModelTable(DEFAULT_MODELS if models is None else models)
        self._state = ServerState(table, api_keys, default_script)
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> DevServer:
        if self._httpd is not None:
            return self
        self._state.stopping.clear()
        self._httpd = _HTTPServer(self._address, self._state)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="grok-devserver",
            daemon=True,
        )
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("DevServer not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._address[0]}:{self.port}/v1"

    def enqueue(self, script: Script) -> None:
        self._state.enqueue(script)

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._state.records

    def reset(self) -> None:
        """Clear the script queue and the recorded requests."""
        self._state.reset()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop serving and cut open connections (stalled streams included)."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        deadline = time.monotonic() + timeout
        self._state.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(max(0.0, deadline - time.monotonic()))
        for worker in self._state.cut_all():
            worker.join(max(0.0, deadline - time.monotonic()))
        self._httpd = None
        self._thread = None

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
