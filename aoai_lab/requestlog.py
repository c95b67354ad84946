"""The session's request log: what each call did, as typed data for the request-log page.

Pure logic, no Streamlit: the app appends a :class:`RequestRecord` per request to a
:class:`RequestLog` kept in ``st.session_state``; the page turns the records into a typed frame
(:func:`to_dataframe`), then filters, summarises, charts and exports that frame with the functions
below. Column names are data identifiers; the page translates the labels it shows.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from aoai_lab.connection import safe_split, url_host

if TYPE_CHECKING:  # pandas is imported by the functions that build frames: the Guide never does (issue 12)
    import pandas as pd

# Operations that are one chat turn each (the ``turn`` column counts them); a chat turn's
# operation may carry why it was sent after a "+" ("chat_stream+regenerate", issue 13).
CHAT_OPERATIONS = frozenset({"chat", "chat_stream", "responses", "responses_stream"})
OK_CODE = "ok"
# ``status_label`` of a request that got no HTTP response (DNS, TCP/TLS or timeout failures).
NO_RESPONSE_LABEL = "—"
DEFAULT_MAX_SIZE = 500

# Characters a bare host name never has; a URL's path, query or user info could carry a key.
_NOT_IN_HOST = frozenset("/?#@ \t\r\n")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the app made: where, what, how it ended, how long it took and what it used.

    There is deliberately no field for headers, keys or message text: the log must never hold the
    API key or any header value that could hold one (``tests/test_requestlog.py`` pins the field
    set). ``host`` is the endpoint's host name only (see :func:`host_of`).
    """

    time: datetime
    page: str
    operation: str
    api_style: str
    host: str
    deployment: str
    status: int | None
    code: str
    request_id: str | None
    ttft_ms: float | None
    latency_ms: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    reasoning_tokens: int | None
    streamed: bool

    def __post_init__(self) -> None:
        """Reject naive times and anything but a bare host; store the time in UTC."""
        if self.time.tzinfo is None or self.time.utcoffset() is None:
            raise ValueError("RequestRecord.time must be timezone-aware")
        if _NOT_IN_HOST.intersection(self.host):
            raise ValueError("RequestRecord.host must be a host name only, not a URL")
        # Frozen: normalising the stored value needs object.__setattr__.
        object.__setattr__(self, "time", self.time.astimezone(UTC))


def host_of(endpoint: str) -> str:
    """The host name (and port, if any) of ``endpoint``, without scheme, user info, path or query."""
    # Chat runs without pre-flight, so this sees whatever was typed ("http://[::1", ":99999",
    # spaces): never raise, keep IPv6 brackets, and drop what a host name cannot hold.
    parts = safe_split(endpoint if "//" in endpoint else f"//{endpoint}")
    if parts is None:
        return ""
    host = "".join(ch for ch in url_host(parts.hostname or "") if ch.isprintable() and ch not in _NOT_IN_HOST)
    return f"{host[:253]}:{parts.port}" if parts.port is not None else host[:253]


class RequestLog:
    """A bounded, append-only log of one session's requests, oldest first.

    A plain picklable object (it lives in ``st.session_state``): no locks, no globals. Once it
    holds ``max_size`` records, each append drops the oldest one and counts it in ``dropped``, so
    a long class cannot grow memory without end and the page can say "last 500 of ``total``".
    """

    __slots__ = ("_dropped", "_records")

    def __init__(self, max_size: int = DEFAULT_MAX_SIZE) -> None:
        """An empty log that keeps at most ``max_size`` (>= 1) records."""
        if max_size < 1:
            raise ValueError(f"max_size must be >= 1, got {max_size}")
        self._records: deque[RequestRecord] = deque(maxlen=max_size)
        self._dropped = 0

    def append(self, record: RequestRecord) -> None:
        """Add ``record`` as the newest; drop the oldest when the log is full."""
        if len(self._records) == self.max_size:
            self._dropped += 1
        self._records.append(record)

    def clear(self) -> None:
        """Forget every record and reset ``dropped``: the log starts over."""
        self._records.clear()
        self._dropped = 0

    @property
    def records(self) -> tuple[RequestRecord, ...]:
        """The kept records, oldest first (a snapshot: later appends do not change it)."""
        return tuple(self._records)

    @property
    def max_size(self) -> int:
        """How many records the log keeps."""
        maxlen = self._records.maxlen
        assert maxlen is not None  # always set in __init__
        return maxlen

    @property
    def dropped(self) -> int:
        """How many old records were dropped to stay within ``max_size`` since the last clear."""
        return self._dropped

    @property
    def total(self) -> int:
        """Every record appended since the last clear, kept or dropped."""
        return len(self._records) + self._dropped

    def __len__(self) -> int:
        """How many records are kept."""
        return len(self._records)

    def __repr__(self) -> str:
        return f"RequestLog(len={len(self)}, max_size={self.max_size}, dropped={self._dropped})"


# --- the typed frame ------------------------------------------------------------------------

# Dtype names, not objects, so that importing this module does not import pandas. "string" is
# ``pd.StringDtype()`` (na_value=pd.NA: missing strings are <NA>, not NaN), not pandas 3's ``str``.
STRING: Final = "string"
TIME: Final = "datetime64[ns, UTC]"

# Record fields in declaration order, then the derived columns; every frame has exactly these.
DTYPES: Mapping[str, str] = {
    "time": TIME,
    "page": STRING,
    "operation": STRING,
    "api_style": STRING,
    "host": STRING,
    "deployment": STRING,
    "status": "Int64",
    "code": STRING,
    "request_id": STRING,
    "ttft_ms": "Float64",
    "latency_ms": "Float64",
    "prompt_tokens": "Int64",
    "completion_tokens": "Int64",
    "reasoning_tokens": "Int64",
    "streamed": "boolean",
    # Derived: "200", "429", ... or NO_RESPONSE_LABEL; a ready-made filter choice and label.
    "status_label": STRING,
    "ok": "boolean",
    # 1-based count of chat requests (failed ones too) in the records given; <NA> on other rows.
    "turn": "Int64",
}
COLUMNS: tuple[str, ...] = tuple(DTYPES)
RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RequestRecord))


def status_label(status: int | None) -> str:
    """The ``status_label`` of ``status``: its digits, or :data:`NO_RESPONSE_LABEL` for ``None``."""
    return NO_RESPONSE_LABEL if status is None else str(status)


def _turns(operations: Iterable[str]) -> list[int | None]:
    """1-based turn numbers of the chat operations, ``None`` for the others."""
    turns: list[int | None] = []
    count = 0
    for operation in operations:
        if operation.partition("+")[0] in CHAT_OPERATIONS:
            count += 1
            turns.append(count)
        else:
            turns.append(None)
    return turns


def to_dataframe(records: Iterable[RequestRecord]) -> pd.DataFrame:
    """The records as a frame with the columns of :data:`DTYPES`, in that order and of those dtypes.

    Rows keep the records' order. ``turn`` numbers the chat requests among ``records``, so a
    filtered frame keeps each row's turn. No records give an empty frame with the same columns.
    """
    rows = list(records)
    raw: dict[str, list[object]] = {name: [getattr(r, name) for r in rows] for name in RECORD_FIELDS}
    raw["status_label"] = [status_label(r.status) for r in rows]
    raw["ok"] = [r.code == OK_CODE for r in rows]
    raw["turn"] = list(_turns(r.operation for r in rows))
    import pandas as pd  # here, not at the top (see the imports)

    return pd.DataFrame({name: pd.Series(raw[name], dtype=dtype) for name, dtype in DTYPES.items()})


def empty_frame() -> pd.DataFrame:
    """A frame with no rows and the columns and dtypes of :func:`to_dataframe`."""
    return to_dataframe(())


# --- summary --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogSummary:
    """Headline figures of a (possibly filtered) frame.

    Percentiles are pandas' ``quantile`` with linear interpolation over the non-missing values
    (numpy's default "linear" method); ``None`` when there are none. Token sums skip missing values.
    """

    requests: int
    errors: int
    error_rate: float
    # Code -> count, most frequent first (ties by code), without "ok".
    errors_by_code: Mapping[str, int]
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None
    tokens_in: int
    tokens_out: int
    reasoning_tokens: int


def _quantile(values: pd.Series, q: float) -> float | None:
    """The linear-interpolated ``q`` quantile of the non-missing ``values``; ``None`` if there are none."""
    present = values.dropna()
    if present.empty:
        return None
    return float(present.astype("float64").quantile(q, interpolation="linear"))


def _total(values: pd.Series) -> int:
    """The sum of the non-missing ``values`` (0 when there are none)."""
    return int(values.dropna().astype("int64").sum())


def _error_counts(df: pd.DataFrame) -> list[tuple[str, int]]:
    """``(code, count)`` of the non-ok rows, most frequent first, ties in code order."""
    counts: dict[str, int] = {}
    for code in df["code"].dropna():
        if code != OK_CODE:
            counts[str(code)] = counts.get(str(code), 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def summarise(df: pd.DataFrame) -> LogSummary:
    """Counts, error rate, errors by code, latency/TTFT p50 and p95 and token sums of ``df``."""
    requests = len(df)
    by_code = _error_counts(df)
    errors = sum(count for _, count in by_code)
    return LogSummary(
        requests=requests,
        errors=errors,
        error_rate=errors / requests if requests else 0.0,
        errors_by_code=dict(by_code),
        latency_p50_ms=_quantile(df["latency_ms"], 0.50),
        latency_p95_ms=_quantile(df["latency_ms"], 0.95),
        ttft_p50_ms=_quantile(df["ttft_ms"], 0.50),
        ttft_p95_ms=_quantile(df["ttft_ms"], 0.95),
        tokens_in=_total(df["prompt_tokens"]),
        tokens_out=_total(df["completion_tokens"]),
        reasoning_tokens=_total(df["reasoning_tokens"]),
    )


# --- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterOptions:
    """The values present in a frame, as choices for the page's filters.

    ``statuses`` are sorted with ``None`` (no HTTP response) last; label them with
    :func:`status_label`.
    """

    statuses: tuple[int | None, ...]
    codes: tuple[str, ...]
    pages: tuple[str, ...]


def filter_options(df: pd.DataFrame) -> FilterOptions:
    """The distinct statuses, codes and pages of ``df``, sorted."""
    present = sorted({int(s) for s in df["status"].dropna()})
    statuses: tuple[int | None, ...] = (*present, None) if df["status"].isna().any() else tuple(present)
    return FilterOptions(
        statuses=statuses,
        codes=tuple(sorted({str(c) for c in df["code"].dropna()})),
        pages=tuple(sorted({str(p) for p in df["page"].dropna()})),
    )


def filter_frame(
    df: pd.DataFrame,
    *,
    statuses: Collection[int | None] | None = None,
    codes: Collection[str] | None = None,
    pages: Collection[str] | None = None,
) -> pd.DataFrame:
    """The rows of ``df`` whose status, code and page are among the chosen ones.

    Each argument left ``None`` does not filter. In ``statuses``, ``None`` chooses the requests
    that got no HTTP response (``status`` is <NA>, ``status_label`` is :data:`NO_RESPONSE_LABEL`).
    An empty collection chooses nothing; a page treating an empty multiselect as "all" passes
    ``selection or None``. Rows keep their order; the index is reset.
    """
    import pandas as pd  # here, not at the top (see the imports)

    keep = pd.Series(True, index=df.index, dtype="boolean")
    if statuses is not None:
        codes_wanted = [s for s in statuses if s is not None]
        by_status = df["status"].isin(codes_wanted).fillna(False)
        if None in statuses:
            by_status = by_status | df["status"].isna()
        keep &= by_status
    if codes is not None:
        keep &= df["code"].isin(list(codes)).fillna(False)
    if pages is not None:
        keep &= df["page"].isin(list(pages)).fillna(False)
    return df.loc[keep.to_numpy(dtype=bool)].reset_index(drop=True)


# --- chart frames ---------------------------------------------------------------------------


def timing_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Wide ``time, latency_ms, ttft_ms`` of the rows with either timing, oldest first.

    Wide so ``st.line_chart(frame, x="time", y=["latency_ms", "ttft_ms"])`` draws it as is (for
    altair, ``transform_fold`` the two columns). A missing value (e.g. no TTFT without streaming)
    stays <NA>: the line skips it rather than dropping to zero.
    """
    timed = df[["time", "latency_ms", "ttft_ms"]]
    timed = timed.loc[timed[["latency_ms", "ttft_ms"]].notna().any(axis=1).to_numpy(dtype=bool)]
    return timed.sort_values("time", kind="stable").reset_index(drop=True)


def tokens_per_turn(df: pd.DataFrame) -> pd.DataFrame:
    """``turn, prompt_tokens, completion_tokens, reasoning_tokens`` of each chat turn, in turn order.

    ``reasoning_tokens`` are part of ``completion_tokens``: stack prompt and completion, never all
    three. A turn without usage (a failed call) keeps <NA> tokens, so every turn has a row.
    """
    columns = ["turn", "prompt_tokens", "completion_tokens", "reasoning_tokens"]
    turns = df.loc[df["turn"].notna().to_numpy(dtype=bool), columns]
    return turns.sort_values("turn", kind="stable").reset_index(drop=True)


def errors_by_code_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``code, count`` of the non-ok rows, most frequent first (ties by code); ok rows excluded."""
    by_code = _error_counts(df)
    import pandas as pd  # here, not at the top (see the imports)

    return pd.DataFrame(
        {
            "code": pd.array([code for code, _ in by_code], dtype=STRING),
            "count": pd.array([count for _, count in by_code], dtype="Int64"),
        }
    )


# --- cost -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostEstimate:
    """What ``input_tokens`` and ``output_tokens`` cost at the user's prices."""

    usd: float
    krw: float
    input_tokens: int
    output_tokens: int


def _check_rate(name: str, value: float) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number >= 0."""
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def estimate_cost(
    df: pd.DataFrame, *, usd_per_1k_input: float, usd_per_1k_output: float, krw_per_usd: float
) -> CostEstimate:
    """The cost of ``df``'s tokens at prices the user enters (no price table is built in).

    Input is the sum of ``prompt_tokens``, output the sum of ``completion_tokens``.
    """
    _check_rate("usd_per_1k_input", usd_per_1k_input)
    _check_rate("usd_per_1k_output", usd_per_1k_output)
    _check_rate("krw_per_usd", krw_per_usd)
    input_tokens = _total(df["prompt_tokens"])
    # Reasoning tokens are billed as output and are already inside completion_tokens: adding
    # reasoning_tokens here would bill them twice.
    output_tokens = _total(df["completion_tokens"])
    usd = input_tokens / 1000 * usd_per_1k_input + output_tokens / 1000 * usd_per_1k_output
    return CostEstimate(usd=usd, krw=usd * krw_per_usd, input_tokens=input_tokens, output_tokens=output_tokens)


# --- export ---------------------------------------------------------------------------------


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as CSV (no index, missing values empty), UTF-8 with a byte-order mark."""
    # Excel reads a BOM-less CSV in the system code page (CP949 on Korean Windows) and garbles
    # Korean text; the UTF-8 BOM makes it read UTF-8.
    return df.to_csv(index=False).encode("utf-8-sig")


def to_json_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as a JSON array of row objects: ISO 8601 UTC times, missing values ``null``, UTF-8."""
    text = df.to_json(orient="records", date_format="iso", date_unit="us", force_ascii=False)
    return (text or "[]").encode("utf-8")
