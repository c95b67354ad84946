"""The Troubleshoot page's cards and their search: find a card from what the learner pastes.

Learners do not type a diagnosis code; they paste what their program printed: an exception
name (``openai.NotFoundError``), Azure's error code (``DeploymentNotFound``) or a piece of the
message (``Resource not found``, ``Missing credentials``). :data:`PASTED` maps those literal
strings to the cards they point to, most likely first; :func:`search` ranks cards by them and by
the cards' own texts in both languages. Everything here is pure: the page only draws the result.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from aoai_lab.diagnosis import CODES, STEPS, Step, example
from aoai_lab.i18n import LANGS, Lang, t
from aoai_lab.versions import EXTRA_ENV


@dataclass(frozen=True)
class Card:
    """One entry of the page: a diagnosis code, or a note about the learner's own code."""

    id: str
    step: Step
    # A note is not a diagnosis the app makes; its texts live under trouble.note.<id>.*.
    note: bool = False

    def title(self, lang: Lang) -> str:
        """What happened, in one line."""
        return self._text("title", lang)

    def cause(self, lang: Lang) -> str:
        """Why it happens."""
        return self._text("cause", lang)

    def fix(self, lang: Lang) -> str:
        """What to do about it."""
        return self._text("fix", lang)

    def body(self, lang: Lang) -> str:
        """The card's body as one Markdown block: its tutorial step in small grey type, then the
        cause and the fix, a line each. (One element, not three: each costs the browser its own
        layout, issue 12.)"""
        where = t("card.step", lang, step=self.step, name=t(f"guide.step{self.step}.short", lang))
        return (
            f":small[:gray[{where}]]  \n"
            f"**{t('card.cause', lang)}** {self.cause(lang)}  \n"
            f"**{t('card.fix', lang)}** {self.fix(lang)}"
        )

    def _text(self, part: str, lang: Lang) -> str:
        if self.note:
            return t(f"trouble.note.{self.id}.{part}", lang)
        return _example_text(self.id, part, lang, os.environ.get(EXTRA_ENV, ""))


@cache
def _example_text(code: str, part: str, lang: Lang, extra_versions: str) -> str:
    """A diagnosis example's text: ~0.2 ms each to build, and the page draws 66 cards × 3 texts on
    every rerun (issue 12). Pure: the catalog and the api-version data (plus ``extra_versions``,
    which is in the key) never change while the process runs."""
    text: str = getattr(example(code), part)(lang)
    return text


# Failures of the learner's own program that the app itself never meets (so no diagnosis code).
NOTES: tuple[Card, ...] = (
    # Azure's first streamed event has "choices": [] (wire-format reference §6; DOC-STREAM
    # "prompt annotation message"; e.g. microsoft/semantic-kernel#3650, langfuse#2833).
    Card("stream_empty_choices", 4, note=True),
    Card("openai_not_installed", 4, note=True),
)

CARDS: tuple[Card, ...] = (*(Card(code, STEPS[code]) for code in CODES if code != "ok"), *NOTES)
BY_ID: Mapping[str, Card] = {card.id: card for card in CARDS}

# What learners paste → the cards it points to, most likely first. Sources: the openai SDK's own
# exception classes and messages (openai-python 3.57: _exceptions.py, lib/azure.py, _base_client.py
# "Error code: {status} - {body}"), and Azure's error bodies (wire-format reference §3.2, §4).
PASTED: tuple[tuple[str, tuple[str, ...]], ...] = (
    # --- openai SDK exception names (str(error) starts "Error code: 404 - {...}")
    ("NotFoundError", ("deployment_not_found", "resource_not_found", "api_version_unknown", "endpoint_regional")),
    ("AuthenticationError", ("auth_invalid_key", "auth_bearer_on_classic")),
    ("PermissionDeniedError", ("auth_forbidden_network", "auth_key_disabled")),
    ("RateLimitError", ("rate_limited",)),
    ("InternalServerError", ("server_error",)),
    ("APITimeoutError", ("timeout",)),
    (
        "APIConnectionError",
        ("connection_failed", "dns_failure", "key_whitespace", "endpoint_missing_scheme", "tls_error"),
    ),
    (
        "BadRequestError",
        (
            "unsupported_parameter",
            "api_version_too_old_for_model",
            "operation_not_supported",
            "unknown_parameter",
            "content_filtered",
            "context_length_exceeded",
            "api_version_on_v1",
            "bad_request",
        ),
    ),
    ("ContentFilterFinishReasonError", ("content_filtered",)),
    ("APIResponseValidationError", ("unexpected_response",)),
    # --- the SDK's own messages
    ("Connection error.", ("connection_failed", "dns_failure", "key_whitespace", "endpoint_missing_scheme")),
    ("Request timed out.", ("timeout",)),
    ("Missing credentials", ("key_missing",)),
    ("AZURE_OPENAI_API_KEY", ("key_missing",)),
    ("Must provide either the `api_version` argument", ("api_version_missing",)),
    ("OPENAI_API_VERSION", ("api_version_missing",)),
    ("Must provide one of the `base_url` or `azure_endpoint` arguments", ("endpoint_missing",)),
    ("AZURE_OPENAI_ENDPOINT", ("endpoint_missing",)),
    # --- what the SDK's HTTP library says underneath "Connection error." (reference §1.4)
    ("Illegal header value", ("key_whitespace",)),
    ("LocalProtocolError", ("key_whitespace",)),
    ("missing an 'http://' or 'https://' protocol", ("endpoint_missing_scheme",)),
    ("UnsupportedProtocol", ("endpoint_missing_scheme",)),
    ("getaddrinfo failed", ("dns_failure",)),
    ("Name or service not known", ("dns_failure",)),
    ("nodename nor servname provided", ("dns_failure",)),
    ("Temporary failure in name resolution", ("dns_failure",)),
    ("gaierror", ("dns_failure",)),
    ("Connection refused", ("connection_failed",)),
    ("ConnectionRefusedError", ("connection_failed",)),
    ("ConnectError", ("connection_failed", "dns_failure")),
    ("CERTIFICATE_VERIFY_FAILED", ("tls_error",)),
    ("SSLError", ("tls_error",)),
    ("ReadTimeout", ("timeout",)),
    ("ConnectTimeout", ("timeout",)),
    ("RemoteProtocolError", ("stream_interrupted",)),
    ("incomplete chunked read", ("stream_interrupted",)),
    ("peer closed connection", ("stream_interrupted",)),
    ("JSONDecodeError", ("unexpected_response",)),
    # --- Azure's error codes and messages (wire-format reference §3.2, §4)
    ("DeploymentNotFound", ("deployment_not_found",)),
    ("The API deployment for this resource does not exist", ("deployment_not_found",)),
    ("Resource not found", ("resource_not_found", "api_version_unknown", "api_version_missing", "endpoint_has_path")),
    ("Access denied due to invalid subscription key", ("auth_invalid_key",)),
    ("Access token is missing, invalid", ("auth_bearer_on_classic",)),
    ("AuthenticationTypeDisabled", ("auth_key_disabled",)),
    ("Key based authentication is disabled", ("auth_key_disabled",)),
    ("Virtual Network/Firewall rules", ("auth_forbidden_network",)),
    ("A Virtual Network is configured", ("auth_forbidden_network",)),
    ("OperationNotSupported", ("operation_not_supported",)),
    ("does not work with the specified model", ("operation_not_supported",)),
    ("is enabled only for api versions", ("api_version_too_old_for_model",)),
    ("API version not supported", ("api_version_on_v1",)),
    ("Unsupported parameter", ("unsupported_parameter",)),
    ("Unsupported value", ("unsupported_parameter",)),
    ("unsupported_parameter", ("unsupported_parameter",)),
    ("unsupported_value", ("unsupported_parameter",)),
    ("invalid_value", ("unsupported_parameter",)),
    ("Use 'max_completion_tokens' instead", ("unsupported_parameter",)),
    ("Unknown parameter", ("unknown_parameter",)),
    ("Unrecognized request argument supplied", ("unknown_parameter",)),
    ("context_length_exceeded", ("context_length_exceeded",)),
    ("maximum context length", ("context_length_exceeded",)),
    ("exceeded token rate limit", ("rate_limited",)),
    ("exceeded call rate limit", ("rate_limited",)),
    ("have exceeded the token rate limit", ("rate_limited",)),
    ("Please retry after", ("rate_limited",)),
    ("experiencing high demand", ("rate_limited",)),
    ("content_filter", ("content_filtered",)),
    ("ResponsibleAIPolicyViolation", ("content_filtered",)),
    ("content management policy", ("content_filtered",)),
    ("The server had an error while processing your request", ("server_error",)),
    ("Internal server error", ("server_error",)),
    # --- the learner's own program
    ("IndexError", ("stream_empty_choices",)),
    ("list index out of range", ("stream_empty_choices",)),
    ("ModuleNotFoundError", ("openai_not_installed",)),
    ("No module named 'openai'", ("openai_not_installed",)),
    # --- the tutorial's example values, pasted as they are
    ("my-aoai-lab.openai.azure.com", ("endpoint_is_tutorial_example",)),
    ("xxxxxxxxxxxxxxxx", ("key_is_tutorial_example",)),
    ("2026-01-01-preview", ("api_version_unknown",)),
)

# A card whose own texts contain every word of the query ranks below one a pasted string names.
_TEXT_SCORE = 0.5
_TITLE_SCORE = 0.25
# Terms this long cannot hide inside another word by accident (the key placeholder xxxx… is all one word).
_WHOLE_WORDS_BELOW = 12
_QUOTES = re.compile(r"[`'\"‘’“”]")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, no quotes or backticks, single spaces: how a pasted string is compared."""
    return _SPACES.sub(" ", _QUOTES.sub("", text)).strip().lower()


def _term_pattern(term: str) -> re.Pattern[str]:
    if len(term) >= _WHOLE_WORDS_BELOW:
        return re.compile(re.escape(term))
    # A short term matches whole words only ("ssl" must not match "classic").
    head = r"(?<![a-z0-9_])" if term[:1].isalnum() else ""
    tail = r"(?![a-z0-9_])" if term[-1:].isalnum() else ""
    return re.compile(head + re.escape(term) + tail)


@cache
def _terms() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    return tuple((_term_pattern(normalise(term)), cards) for term, cards in PASTED)


@cache
def _haystack(card_id: str) -> str:
    """Everything a card says, in both languages, plus its id and the strings that point to it."""
    card = BY_ID[card_id]
    texts = [card.id, card.id.replace("_", " ")]
    for lang in LANGS:
        texts += [card.title(lang), card.cause(lang), card.fix(lang)]
    texts += [term for term, cards in PASTED if card_id in cards]
    return normalise(" ".join(texts))


def scores(query: str) -> dict[str, float]:
    """Each matching card's score for ``query`` (higher is a better match)."""
    needle = normalise(query)
    found: dict[str, float] = {}
    for pattern, cards in _terms():
        if pattern.search(needle):
            for rank, card_id in enumerate(cards):
                # A string shared by many cards says less; its first card is the likeliest.
                found[card_id] = found.get(card_id, 0.0) + 1 / len(cards) + (len(cards) - rank) * 1e-3
    words = needle.split(" ")
    for card in CARDS:
        if all(word in _haystack(card.id) for word in words):
            found[card.id] = found.get(card.id, 0.0) + _TEXT_SCORE
            if any(all(word in normalise(card.title(lang)) for word in words) for lang in LANGS):
                found[card.id] += _TITLE_SCORE  # what the card is about, not a word in passing
    return found


# Listed first, and alone until the learner asks for every card, when nothing is searched or
# filtered: the failures the tutorial's own steps lead to. A wrong key, resource or deployment
# name; a portal or project URL pasted as the endpoint; the tutorial's dated api-version and its
# max_tokens on today's models; a class's shared quota and content filter. 15 expanders, not 66,
# on every visit of the page (issue 12: each costs the browser a few ms).
COMMON: tuple[str, ...] = (
    "auth_invalid_key",
    "deployment_not_found",
    "resource_not_found",
    "dns_failure",
    "endpoint_is_portal",
    "endpoint_has_path",
    "endpoint_is_foundry_project",
    "key_openai_format",
    "api_version_unknown",
    "api_version_too_old_for_model",
    "unsupported_parameter",
    "auth_key_disabled",
    "rate_limited",
    "content_filtered",
    "timeout",
)


def common_first(cards: Sequence[Card] = CARDS) -> list[Card]:
    """``cards`` with the :data:`COMMON` ones first, in that order, then the rest as they were."""
    rank = {code: index for index, code in enumerate(COMMON)}
    return sorted(cards, key=lambda card: rank.get(card.id, len(COMMON)))  # stable: the rest keep order


def search(query: str, cards: Sequence[Card] = CARDS) -> list[Card]:
    """``cards`` that match ``query``, best first; every card, in order, for an empty query."""
    if not normalise(query):
        return list(cards)
    found = scores(query)
    order = {card.id: index for index, card in enumerate(cards)}
    matching = [card for card in cards if card.id in found]
    return sorted(matching, key=lambda card: (-found[card.id], order[card.id]))
