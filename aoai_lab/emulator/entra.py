"""Keyless (Microsoft Entra ID) auth as far as an offline emulator can check it.

The Code page's Entra ID snippets send ``Authorization: Bearer <token>`` from
``get_bearer_token_provider(DefaultAzureCredential(), "https://cognitiveservices.azure.com/.default")``
(reference §1.2, §2). The emulator accepts a bearer token when it *looks* like such a token: a JWT
(``header.payload.signature``, base64url) whose payload has ``aud`` equal to
``https://cognitiveservices.azure.com`` (with or without a trailing slash) and an ``exp`` in the
future.

What real Entra ID checks and this cannot: the token's signature against Microsoft's published
signing keys, the issuer (``iss``: ``https://sts.windows.net/{tenant}/``) and that the tenant is
the resource's, and that the principal holds a data-plane role such as "Cognitive Services OpenAI
User" on the resource (without it Azure answers 401 ``PermissionDenied``, reference §4.2). The
signature is deliberately not verified: nothing offline could issue a token Azure would sign.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

AUDIENCE = "https://cognitiveservices.azure.com"
_AUDIENCES = (AUDIENCE, AUDIENCE + "/")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def demo_token(expires_in: int = 3600) -> str:
    """An unsigned-looking JWT the emulator accepts as an Entra ID token for ``expires_in`` seconds.

    It is useless against real Azure: its signature is random bytes.
    """
    now = int(time.time())
    header = {"alg": "RS256", "kid": "aoai-lab-demo", "typ": "JWT"}
    payload = {
        "aud": AUDIENCE,
        "exp": now + expires_in,
        "iat": now,
        "iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
        "nbf": now,
        "oid": "00000000-0000-0000-0000-000000000000",
        "tid": "00000000-0000-0000-0000-000000000000",
    }
    parts = [json.dumps(header).encode(), json.dumps(payload).encode(), uuid.uuid4().bytes * 4]
    return ".".join(_b64url(part) for part in parts)


def token_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT-shaped ``token``, or None when it is not one."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    try:
        header = json.loads(_unb64url(parts[0]))
        payload = json.loads(_unb64url(parts[1]))
        _unb64url(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return None
    return payload


def is_entra_token(token: str, clock: Callable[[], float] = time.time) -> bool:
    """True when ``token`` is a JWT for Azure OpenAI's audience that has not expired (see module doc)."""
    claims = token_claims(token)
    if claims is None:
        return False
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or isinstance(expires, bool):
        return False
    return claims.get("aud") in _AUDIENCES and expires > clock()
