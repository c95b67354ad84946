"""One truth about the connection: what it points at and whether *these* values were checked.

The Connect page's fields are the connection (Chat and Code use them as they are). A check is a
fact about the values it ran on: once a field changes, a passed check no longer vouches for the
connection, and every page says so. :func:`connection_status` is the one place that decides it;
the Connect page, the sidebar, Chat and Code all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from aoai_lab.connection import ApiStyle, Connection
from aoai_lab.preflight import is_loopback
from aoai_lab.presenter import host_of

if TYPE_CHECKING:  # the check module pulls in the SDK; a status needs only the report's fields
    from aoai_lab.check import CheckReport

Kind = Literal["demo", "local", "azure"]
CheckState = Literal["unchecked", "changed", "ok", "failed"]
# The fields a learner edits, in the order the Connect page shows them.
FIELDS = ("endpoint", "api_key", "deployment", "api_version", "style")


@dataclass(frozen=True)
class ConnectionStatus:
    """The connection in the fields, what it points at, and what the last check says about it."""

    connection: Connection
    kind: Kind
    check: CheckState
    # The last check, whatever values it ran on (for "changed": the values before the edit).
    last: CheckReport | None = None
    # For "changed": the fields that differ from the checked values (names only, never values).
    changed: tuple[str, ...] = ()

    @property
    def report(self) -> CheckReport | None:
        """The last check when it ran on exactly these values (passed or failed), else None."""
        return self.last if self.check in ("ok", "failed") else None

    @property
    def ok(self) -> bool:
        """True when a check passed for exactly the values in the fields."""
        return self.check == "ok"


def kind_of(connection: Connection, demo_root: str) -> Kind:
    """``demo`` for this app's emulator, ``local`` for any other server on this machine, else ``azure``."""
    if demo_root and connection.root == demo_root.rstrip("/"):
        return "demo"
    host = host_of(connection.endpoint)
    if host and is_loopback(host):
        return "local"
    return "azure"


def changed_fields(before: Connection, after: Connection) -> tuple[str, ...]:
    """The names of the fields whose values differ between two connections."""
    return tuple(name for name in FIELDS if getattr(before, name) != getattr(after, name))


def connection_status(connection: Connection, last_check: CheckReport | None, *, demo_root: str) -> ConnectionStatus:
    """The status of ``connection`` given the last check run in this session (on any values)."""
    kind = kind_of(connection, demo_root)
    if last_check is None:
        return ConnectionStatus(connection, kind, "unchecked")
    changed = changed_fields(last_check.connection, connection)
    if changed:
        return ConnectionStatus(connection, kind, "changed", last_check, changed)
    return ConnectionStatus(connection, kind, "ok" if last_check.ok else "failed", last_check)


def style_switch(api_version: str, saved: str, new_style: ApiStyle, *, is_v1_version: bool) -> tuple[str, str]:
    """The api-version field and the value put aside when the learner switches the API style.

    v1 needs no api-version, and a dated one fails there (``api_version_on_v1``): switching to
    v1 puts a dated value aside and empties the field; switching back to classic restores it
    when the field is still empty. Returns ``(field value, value put aside)``.
    """
    if new_style == "v1":
        if api_version and not is_v1_version:
            return "", api_version
        return api_version, saved
    if not api_version and saved:
        return saved, ""
    return api_version, saved
