"""The composition root: builds settings, store, secrets, client and services, then the window,
and runs them on Qt's event loop through qasync. Nothing else constructs collaborators."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grok_desktop import APP_ID, APP_NAME, __version__
from grok_desktop.api.errors import ConfigError
from grok_desktop.api.transport import normalize_base_url, stall_timeout_from_env
from grok_desktop.platform.logs import setup_logging
from grok_desktop.platform.secrets import KeySource, ResolvedKey, open_secret_store, resolve_api_key
from grok_desktop.services.catalog import ModelCatalog
from grok_desktop.storage.paths import DataPaths
from grok_desktop.storage.settings import Settings
from grok_desktop.storage.store import Store

if TYPE_CHECKING:
    from grok_desktop.api.client import XaiClient
    from grok_desktop.ui.main_window import MainWindow

DEMO_KEY = "xai-demo-key-0000"


@dataclass
class AppParts:
    """Everything the window needs, built once; `close()` releases it in reverse order.

    The API client is made on first use (`client`): httpx and the TLS setup cost ~100 ms of
    imports that the window's first paint does not need."""

    paths: DataPaths
    settings: Settings
    store: Store
    make_client: Callable[[], XaiClient]
    catalog: ModelCatalog
    key: ResolvedKey
    demo: bool = False
    notices: list[str] = field(default_factory=list)
    _closers: list[Callable[[], Any]] = field(default_factory=list)
    _client: XaiClient | None = None

    @property
    def client(self) -> XaiClient:
        if self._client is None:
            self._client = self.make_client()
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self.store.close()
        for close in reversed(self._closers):
            close()


def build_parts(args: argparse.Namespace, env: dict[str, str] | None = None) -> AppParts:
    env = dict(os.environ) if env is None else env
    paths = DataPaths.resolve(getattr(args, "data_dir", None) or env.get("GROK_DESKTOP_DATA_DIR"))
    paths.ensure()
    setup_logging(paths.logs, debug=bool(getattr(args, "debug", False)))
    settings = Settings.load(paths.settings)
    closers: list[Callable[[], Any]] = []
    notices: list[str] = []
    if settings.load_warning:  # a damaged settings file was moved aside: say where
        notices.append(settings.load_warning)
    demo = bool(getattr(args, "demo", False))
    if demo:
        from grok_desktop.devserver import DevServer, Script

        server = DevServer(default_script=Script(tokens_per_second=60.0)).start()
        closers.append(server.stop)
        base_url = server.base_url
        key = ResolvedKey(DEMO_KEY, KeySource.MEMORY)
    else:
        base_url = (
            getattr(args, "base_url", None)
            or env.get("GROK_DESKTOP_BASE_URL")
            or str(settings.get("base_url"))
        )
        if env.get("XAI_API_KEY", "").strip():
            key = ResolvedKey(env["XAI_API_KEY"].strip(), KeySource.ENVIRONMENT)
        else:
            secrets, problem = open_secret_store()
            if problem:
                notices.append(problem)
            key = resolve_api_key(secrets, env)
    allow_http = bool(getattr(args, "allow_insecure_http", False)) or bool(
        settings.get("allow_insecure_http")
    )
    base_url = normalize_base_url(base_url, allow_insecure_http=allow_http)
    stall = (
        stall_timeout_from_env(env)
        if "GROK_DESKTOP_STALL_TIMEOUT" in env
        else float(settings.get("stall_timeout"))
    )
    store = Store.open(paths)
    if getattr(store, "recovered_from", None) is not None:
        notices.append(
            f"The history database was damaged; it was moved to {store.recovered_from} "
            "and a new history was started."
        )
    if store.read_only is not None:
        from grok_desktop.storage.errors import ReadOnlyStoreError

        notices.append(f"History is read-only. {ReadOnlyStoreError(store.read_only)}")

    def make_client() -> XaiClient:
        from grok_desktop.api.client import XaiClient

        return XaiClient(
            base_url=base_url, api_key=key.key, stall_timeout=stall, allow_insecure_http=allow_http
        )

    catalog = ModelCatalog(paths.cache / "language-models.json", base_url)
    if key.key is None:
        notices.append(
            "No API key is set. Set the XAI_API_KEY environment variable or run "
            "`grok-desktop key set`, then restart; or try `grok-desktop --demo`."
            + (f" ({key.problem})" if key.problem else "")
        )
    return AppParts(paths, settings, store, make_client, catalog, key, demo, notices, closers)


def _install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> None:
    # qasync sets no async-generator hooks on Unix; without them leaving an SSE loop early
    # warns "async generator ignored GeneratorExit".
    sys.set_asyncgen_hooks(
        firstiter=loop._asyncgen_firstiter_hook,  # type: ignore[attr-defined]
        finalizer=loop._asyncgen_finalizer_hook,  # type: ignore[attr-defined]
    )


def build_window(parts: AppParts) -> MainWindow:
    """The services and the main window over `parts` (not shown). The app and the UI tests
    build it the same way; needs a QApplication and an asyncio loop set."""
    from grok_desktop.services.chat import ChatService
    from grok_desktop.services.conversations import ConversationService
    from grok_desktop.services.keys import KeyService
    from grok_desktop.services.models import ModelService
    from grok_desktop.ui.main_window import MainWindow, load_attachment_image
    from grok_desktop.ui.theme import ThemeController

    chat = ChatService(parts.store, lambda: parts.client, parts.catalog)
    conversations = ConversationService(parts.store)
    models = ModelService(parts.catalog, lambda: parts.client, parts.settings)
    theme = ThemeController(parts.settings)  # the whole app light or dark, now and on changes
    window = MainWindow(
        chat=chat,
        conversations=conversations,
        models=models,
        settings=parts.settings,
        palette=theme.palette,
        state_file=parts.paths.root / "window.ini",
        image_loader=lambda sha: load_attachment_image(parts.store, sha),
        demo=parts.demo,
        notice=" ".join(parts.notices) or None,
        keys=None if parts.demo else KeyService(lambda: parts.client, parts.key),
    )
    theme.setParent(window)
    theme.chat_palette_changed.connect(window.view.set_palette)
    window.theme = theme  # type: ignore[attr-defined]
    return window


def run_app(args: argparse.Namespace) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication, QMessageBox

    from grok_desktop.platform.single_instance import SingleInstance, command_from_args
    from grok_desktop.storage.errors import StorageError

    command = command_from_args(args)
    instance = SingleInstance.for_data_dir(getattr(args, "data_dir", None))
    if not instance.claim():  # Grok Desktop already runs on this data: hand it the command
        return instance.forward(command)

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    from grok_desktop.ui.tray import app_icon

    app.setWindowIcon(app_icon())  # every window: title bars, taskbars, Alt+Tab
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    _install_asyncgen_hooks(loop)
    instance.listen()  # commands from later `grok-desktop` runs queue until the window exists

    try:
        parts = build_parts(args)
    except (StorageError, ConfigError, OSError) as exc:
        text = exc.user_message() if isinstance(exc, ConfigError) else str(exc)
        QMessageBox.critical(None, APP_NAME, text)
        print(f"error: {text}", file=sys.stderr)
        return 1

    window = build_window(parts)
    window.show()
    from grok_desktop.ui.quick_ask_wiring import install_quick_ask

    quick_ask = install_quick_ask(window, parts, instance, command)  # hotkey, tray, Quick Ask
    window.theme.chat_palette_changed.connect(quick_ask.quick.view.set_palette)  # type: ignore[attr-defined]

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    app.lastWindowClosed.connect(closed.set)
    quick_ask.quit_requested.connect(closed.set)
    from grok_desktop.ui.onboarding import start_onboarding

    onboarding = start_onboarding(  # no key yet: paste one, or restart in demo mode
        window,
        demo=parts.demo,
        quit_app=closed.set,
        data_dir=getattr(args, "data_dir", None),
        debug=bool(getattr(args, "debug", False)),
    )
    with loop:
        loop.run_until_complete(closed.wait())
        window.chat.stop()
        quick_ask.shutdown()
        loop.run_until_complete(parts.aclose())
        loop.run_until_complete(loop.shutdown_asyncgens())
    sys.set_asyncgen_hooks(None, None)
    if onboarding is not None and onboarding.demo_asked:
        instance.release()  # the demo app, started next, claims this data dir
        onboarding.relaunch_if_asked()
    return 0
