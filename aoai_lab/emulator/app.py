"""The emulator's ASGI app: Azure OpenAI's data-plane routes, checks and bodies.

The work is split by stage: ``routes`` (which handler answers which path), ``gateway`` (api-version
and auth), ``validation`` (the model's checks, pure functions), ``completion`` / ``embeddings`` /
``responses_api`` (the replies and their streams), ``respond`` (headers) and ``wire`` (Azure's
literal texts). This module only assembles them; ``EmulatorState``, ``RecordedRequest`` and
``StreamDropped`` stay importable from here.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aoai_lab.emulator.completion import StreamDropped
from aoai_lab.emulator.config import EmulatorConfig
from aoai_lab.emulator.respond import REASON_HEADER
from aoai_lab.emulator.routes import dispatch
from aoai_lab.emulator.state import AuthScheme, EmulatorState, RecordedRequest

__all__ = ["REASON_HEADER", "AuthScheme", "EmulatorState", "RecordedRequest", "StreamDropped", "create_app"]


def create_app(config: EmulatorConfig | None = None, state: EmulatorState | None = None) -> Starlette:
    """The emulator as an ASGI app. ``state`` may be passed in so a caller can read the record."""
    state = state or EmulatorState(config or EmulatorConfig())

    async def handle(request: Request) -> Response:
        return await dispatch(request, state)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    app = Starlette(routes=[Route("/{path:path}", handle, methods=methods)])
    app.state.emulator = state
    return app
