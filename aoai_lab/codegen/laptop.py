"""Which connection the Code page writes its snippets for, so they run on a student's laptop (issue 11).

On a classroom server the connection in the fields is often useless on a laptop:

* the built-in demo listens on the *server's* loopback (``127.0.0.1``): with ``demo_url`` set (the
  instructor runs ``python -m aoai_lab emulator --host 0.0.0.0 --port 8765``), demo snippets point
  at ``demo_url`` instead and carry the demo key (public), so they run unchanged;
* the shared key is held by the server and never leaves it: the snippet keeps reading the
  student's *own* key from ``AZURE_OPENAI_API_KEY`` — or, when ``demo_url`` is set, the student
  may pick the class demo instead.

Outside classroom mode nothing changes. Pure logic: the page passes in what it knows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from aoai_lab.connection import Connection
from aoai_lab.emulator import DEMO_KEY

# The choice the Code page offers with the shared key: the student's own key, or the class demo.
Choice = Literal["own_key", "class_demo"]
CHOICES: tuple[Choice, ...] = ("own_key", "class_demo")


@dataclass(frozen=True)
class CodeTarget:
    """What the snippets are written for: the connection, whether the key is written into the code
    (only ever the public demo key, or the learner's own when they asked), and why (i18n key)."""

    connection: Connection
    reveal_key: bool
    notice: str | None = None
    params: dict[str, str] = field(default_factory=dict)


def laptop_demo(demo: Connection, demo_url: str) -> Connection:
    """``demo`` as a laptop reaches it: the class demo endpoint, the public demo key."""
    return replace(demo, endpoint=demo_url.strip(), api_key=DEMO_KEY, source="demo")


def code_target(
    conn: Connection,
    *,
    demo: Connection,
    on_demo: bool,
    classroom: bool,
    demo_url: str | None,
    choice: Choice = "own_key",
    reveal: bool = False,
    presenter: bool = False,
    keyless: bool = False,
) -> CodeTarget:
    """The connection the Code page writes its snippets for, and whether the key goes into them.

    ``conn`` is the session's connection, ``demo`` the built-in demo's (its deployment and
    api-version), ``on_demo`` whether ``conn`` is that demo. Presenter mode never writes a key.
    """
    show_demo_key = not presenter and not keyless  # the demo key is public, but not on a projector
    if classroom and demo_url and on_demo:
        return CodeTarget(laptop_demo(conn, demo_url), show_demo_key, "code.classroom.demo_url", {"url": demo_url})
    if classroom and conn.key_on_server:
        if demo_url and choice == "class_demo":
            return CodeTarget(
                laptop_demo(demo, demo_url), show_demo_key, "code.classroom.demo_chosen", {"url": demo_url}
            )
        # The shared key stays on the server: the code reads the student's own key variable.
        return CodeTarget(conn, False, "code.classroom.server_key")
    return CodeTarget(conn, reveal and not (conn.key_on_server or presenter or keyless))
