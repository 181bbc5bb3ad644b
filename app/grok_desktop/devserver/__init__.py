"""A local xAI-compatible HTTP server for tests, benchmarks and the app's demo mode.

    with DevServer() as srv:
        srv.enqueue(Script(text="Hello!"))
        ...  # point a client at srv.base_url

See `Script` for the behaviours it can act out (errors, reasoning, stalls, resets, ...).
"""

from grok_desktop.devserver.models import DEFAULT_MODELS, ModelSpec
from grok_desktop.devserver.script import Script
from grok_desktop.devserver.server import DevServer
from grok_desktop.devserver.state import RecordedRequest

__all__ = ["DEFAULT_MODELS", "DevServer", "ModelSpec", "RecordedRequest", "Script"]
