"""Presenter mode: the resource name never reaches the screen.

A resource's endpoint is ``https://<resource>.openai.azure.com/``; on a projector the resource
name tells the room where to aim. Every text that may carry it (the endpoint, a URL in the
evidence, a server message) goes through :func:`mask_resource` before it is shown.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from aoai_lab.connection import Connection
from aoai_lab.preflight import is_loopback

MASK = "•••"


def resource_name(connection: Connection) -> str | None:
    """The secret part of the endpoint's host (its first label), or None when it has none.

    The local demo and other servers on this machine, and bare IP addresses, have no resource
    name: their address is not a secret.
    """
    host = host_of(connection.endpoint)
    if not host or is_loopback(host) or _is_ip(host):
        return None
    name = host.split(".", 1)[0]
    return name or None


def mask_resource(text: str, *connections: Connection) -> str:
    """``text`` with the resource name of each of ``connections`` replaced by ``•••``.

    The name is replaced wherever it stands as a whole word (in a host, a URL, a message),
    whatever its case; ``https://my-lab.openai.azure.com`` becomes ``https://•••.openai.azure.com``.
    """
    for connection in connections:
        name = resource_name(connection)
        if name:
            text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", MASK, text, flags=re.IGNORECASE)
    return text


def mask_host(host: str) -> str:
    """A host name as presenter mode shows it, whichever connection it came from:
    ``my-lab.openai.azure.com`` becomes ``•••.openai.azure.com`` (local and IP hosts stay)."""
    name, colon, port = host.rpartition(":") if not host.startswith("[") else ("", "", "")
    if not (colon and port.isdigit()):  # no port (or a bare IPv6 address): the whole is the name
        name, colon, port = host, "", ""
    if not name or is_loopback(name) or _is_ip(name):
        return host
    _, dot, domain = name.partition(".")
    return f"{MASK}{dot}{domain}{colon}{port}"


def masked_endpoint(connection: Connection) -> str:
    """The endpoint as presenter mode shows it."""
    return mask_resource(connection.endpoint, connection)


def host_of(endpoint: str) -> str:
    """The host of an endpoint as typed (with or without a scheme); '' when it has none."""
    try:
        return urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}").hostname or ""
    except ValueError:  # an unparsable endpoint (e.g. an unclosed IPv6 bracket) has no host
        return ""


def _is_ip(host: str) -> bool:
    return host.replace(".", "").isdigit() or ":" in host
