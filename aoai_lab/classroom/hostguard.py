"""Which endpoints a classroom server may call: a shared server must not be turned against its host.

In classroom mode a typed endpoint must be ``https://`` on the default port, name a host that
matches ``allowed_hosts``, and resolve only to public addresses. Everything else — loopback,
private and link-local ranges in any spelling (``2130706433``, ``0x7f.1``, ``[::1]``,
``[::ffff:127.0.0.1]``), cloud metadata names, other ports of this machine — is refused before any
connection is attempted. This is server-side request forgery protection as OWASP describes it:
https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

Resolver = Callable[[str], Sequence[str]]
RESOLVE_TIMEOUT = 3.0
RESOLVE_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class HostRefusal:
    """Why an endpoint is refused: a catalog code (``diag.<code>``) and its placeholders."""

    code: str
    params: dict[str, str] = field(default_factory=dict)


def host_matches(host: str, patterns: Sequence[str]) -> bool:
    """True when ``host`` matches one pattern (``*.x.y`` matches one or more labels before ``.x.y``)."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif fnmatchcase(host, pattern):
            return True
    return False


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address ``host`` spells, in any form a resolver would accept, else None.

    ``inet_aton`` accepts what ``getaddrinfo`` accepts for IPv4: ``127.1``, ``2130706433``,
    ``0x7f000001``, ``0177.0.0.1``. IPv6 may carry brackets and a zone (``fe80::1%eth0``).
    """
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except (OSError, ValueError):
        return None


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True only for globally routable unicast addresses (IPv4 inside IPv6 judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


def check_endpoint(endpoint: str, allowed: Sequence[str], resolve: Resolver | None = None) -> HostRefusal | None:
    """Why ``endpoint`` may not be called from a classroom server, or None when it may.

    ``resolve`` returns the host's addresses; by default the system resolver (with a timeout and
    a short cache). A name that does not resolve is not refused here: nothing can connect to it,
    and the check's DNS rung explains it.
    """
    text = endpoint.strip()
    parts = urlsplit(text if "://" in text else "https://" + text)
    try:
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:  # a port that is not a number
        return HostRefusal("classroom_host_refused", {"host": parts.netloc})
    shown = host or parts.netloc or text
    if parts.scheme != "https":
        return HostRefusal("classroom_https_only", {"host": shown})
    if parts.username is not None or parts.password is not None or port not in (None, 443):
        return HostRefusal("classroom_host_refused", {"host": parts.netloc})
    if not host or literal_address(host) is not None or not host_matches(host, allowed):
        return HostRefusal("classroom_host_refused", {"host": shown})
    for text_address in (resolve or resolve_cached)(host):
        address = literal_address(text_address)
        if address is None or not is_public(address):
            return HostRefusal("classroom_host_private", {"host": host, "address": text_address})
    return None


def system_resolve(host: str) -> list[str]:
    """Every address the system resolver gives ``host`` (empty when it does not resolve in time)."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        infos = pool.submit(socket.getaddrinfo, host, 443, type=socket.SOCK_STREAM).result(RESOLVE_TIMEOUT)
    except Exception:  # no answer, or no such name: nothing to connect to either
        return []
    finally:
        pool.shutdown(wait=False)
    return sorted({str(info[4][0]) for info in infos})


_cache: dict[str, tuple[float, list[str]]] = {}
_cache_lock = threading.Lock()


def resolve_cached(host: str) -> list[str]:
    """:func:`system_resolve`, remembered for a few seconds (pre-flight runs on every keystroke)."""
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(host)
    if hit is not None and now - hit[0] < RESOLVE_CACHE_SECONDS:
        return hit[1]
    addresses = system_resolve(host)
    with _cache_lock:
        if len(_cache) > 1024:  # a bounded cache: names typed by a whole class, not by an attacker
            _cache.clear()
        _cache[host] = (now, addresses)
    return addresses
