"""The request log: bounding, the typed frame, summaries, filters, chart frames, cost and export."""

from __future__ import annotations

import io
import json
import pickle
from dataclasses import FrozenInstanceError, fields
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, get_type_hints

import pandas as pd
import pytest

from aoai_lab.requestlog import (
    COLUMNS,
    DEFAULT_MAX_SIZE,
    DTYPES,
    NO_RESPONSE_LABEL,
    CostEstimate,
    FilterOptions,
    RequestLog,
    RequestRecord,
    empty_frame,
    errors_by_code_frame,
    estimate_cost,
    filter_frame,
    filter_options,
    host_of,
    status_label,
    summarise,
    timing_frame,
    to_csv_bytes,
    to_dataframe,
    to_json_bytes,
    tokens_per_turn,
)

T0 = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)


def make(**overrides: Any) -> RequestRecord:
    """A successful non-streamed chat record, with ``overrides``."""
    values: dict[str, Any] = {
        "time": T0,
        "page": "chat",
        "operation": "chat",
        "api_style": "classic",
        "host": "my-resource.openai.azure.com",
        "deployment": "gpt-5.1",
        "status": 200,
        "code": "ok",
        "request_id": "req-1",
        "ttft_ms": None,
        "latency_ms": 100.0,
        "prompt_tokens": None,
        "completion_tokens": None,
        "reasoning_tokens": None,
        "streamed": False,
    }
    values.update(overrides)
    return RequestRecord(**values)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


# Eight requests of a short session; the expected figures below are worked out by hand from them.
SESSION = (
    make(
        time=at(0), page="connect", operation="dns", status=None, code="dns_failure", request_id=None, latency_ms=30.0
    ),
    make(time=at(1), page="connect", operation="models", latency_ms=120.0),
    make(time=at(2), latency_ms=800.0, prompt_tokens=100, completion_tokens=50, reasoning_tokens=20),
    make(time=at(3), operation="chat_stream", status=429, code="rate_limited", latency_ms=40.0, streamed=True),
    make(
        time=at(4),
        operation="chat_stream",
        ttft_ms=150.0,
        latency_ms=900.0,
        prompt_tokens=120,
        completion_tokens=80,
        reasoning_tokens=0,
        streamed=True,
    ),
    make(time=at(5), page="troubleshoot", status=401, code="auth_invalid_key", latency_ms=60.0),
    make(
        time=at(6),
        page="troubleshoot",
        operation="tcp_tls",
        status=None,
        code="timeout",
        request_id=None,
        latency_ms=10000.0,
    ),
    make(time=at(7), operation="chat_stream", status=429, code="rate_limited", ttft_ms=None, latency_ms=35.0),
)


@pytest.fixture
def frame() -> pd.DataFrame:
    return to_dataframe(SESSION)


# --- the record -----------------------------------------------------------------------------


def test_record_fields_are_exactly_the_documented_set() -> None:
    # A field for headers, the key or message text would fail here: the log must never hold one.
    assert [f.name for f in fields(RequestRecord)] == [
        "time",
        "page",
        "operation",
        "api_style",
        "host",
        "deployment",
        "status",
        "code",
        "request_id",
        "ttft_ms",
        "latency_ms",
        "prompt_tokens",
        "completion_tokens",
        "reasoning_tokens",
        "streamed",
    ]


def test_record_fields_are_scalars_not_containers() -> None:
    # No dict, list or bytes field that a header set or a body could be put into.
    allowed = {datetime, str, bool, int | None, str | None, float | None}
    assert set(get_type_hints(RequestRecord).values()) <= allowed


def test_record_is_frozen_and_slotted() -> None:
    record = make()
    with pytest.raises(FrozenInstanceError):
        record.code = "changed"  # type: ignore[misc]
    assert not hasattr(record, "__dict__")


def test_record_rejects_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make(time=datetime(2026, 3, 2, 9, 0))  # naive on purpose


def test_record_stores_an_aware_time_in_utc() -> None:
    kst = timezone(timedelta(hours=9))
    record = make(time=datetime(2026, 3, 2, 18, 0, tzinfo=kst))
    assert record.time == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert record.time.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "host",
    [
        "https://my-resource.openai.azure.com",
        "my-resource.openai.azure.com/openai/v1",
        "user:secret@my-resource.openai.azure.com",
        "my-resource.openai.azure.com?api-key=abc",
        "my-resource.openai.azure.com#frag",
    ],
)
def test_record_rejects_anything_but_a_host(host: str) -> None:
    with pytest.raises(ValueError, match="host name only"):
        make(host=host)


@pytest.mark.parametrize(
    ("endpoint", "host"),
    [
        ("https://my-resource.openai.azure.com/", "my-resource.openai.azure.com"),
        ("https://my-resource.openai.azure.com/openai/v1?api-key=secret", "my-resource.openai.azure.com"),
        ("https://user:secret@my-resource.openai.azure.com", "my-resource.openai.azure.com"),
        ("http://127.0.0.1:8765/", "127.0.0.1:8765"),
        ("my-resource.openai.azure.com", "my-resource.openai.azure.com"),
    ],
)
def test_host_of_keeps_only_the_host_and_port(endpoint: str, host: str) -> None:
    assert host_of(endpoint) == host
    make(host=host_of(endpoint))  # and the record accepts it


# --- the bounded log ------------------------------------------------------------------------


def test_log_keeps_the_last_500_of_501_and_counts_the_dropped() -> None:
    log = RequestLog()
    for i in range(501):
        log.append(make(request_id=f"req-{i}"))
    assert DEFAULT_MAX_SIZE == 500
    assert len(log) == 500
    assert log.dropped == 1
    assert log.total == 501
    ids = [r.request_id for r in log.records]
    assert ids[0] == "req-1"  # req-0, the oldest, went first
    assert ids[-1] == "req-500"
    assert ids == [f"req-{i}" for i in range(1, 501)]


def test_log_counts_every_drop_at_a_small_size() -> None:
    log = RequestLog(max_size=3)
    for i in range(10):
        log.append(make(request_id=f"req-{i}"))
    assert [r.request_id for r in log.records] == ["req-7", "req-8", "req-9"]
    assert (len(log), log.dropped, log.total, log.max_size) == (3, 7, 10, 3)


def test_log_below_its_size_drops_nothing() -> None:
    log = RequestLog()
    log.append(make(request_id="a"))
    log.append(make(request_id="b"))
    assert [r.request_id for r in log.records] == ["a", "b"]
    assert log.dropped == 0


def test_log_records_is_a_snapshot_tuple() -> None:
    log = RequestLog()
    log.append(make())
    snapshot = log.records
    log.append(make())
    assert isinstance(snapshot, tuple)
    assert len(snapshot) == 1
    assert len(log.records) == 2


def test_log_clear_empties_it_and_resets_the_dropped_count() -> None:
    log = RequestLog(max_size=2)
    for _ in range(5):
        log.append(make())
    log.clear()
    assert len(log) == 0
    assert log.records == ()
    assert (log.dropped, log.total, log.max_size) == (0, 0, 2)


def test_log_survives_pickling_with_its_size_and_count() -> None:
    log = RequestLog(max_size=2)
    for i in range(3):
        log.append(make(request_id=f"req-{i}"))
    copy = pickle.loads(pickle.dumps(log))  # noqa: S301 (our own bytes, as session state would)
    assert copy.records == log.records
    assert (copy.dropped, copy.max_size) == (1, 2)
    copy.append(make(request_id="req-3"))
    assert [r.request_id for r in copy.records] == ["req-2", "req-3"]
    assert copy.dropped == 2


@pytest.mark.parametrize("size", [0, -1])
def test_log_rejects_a_size_below_one(size: int) -> None:
    with pytest.raises(ValueError, match="max_size"):
        RequestLog(max_size=size)


# --- the typed frame ------------------------------------------------------------------------

EXPECTED_DTYPES = {
    "time": "datetime64[ns, UTC]",
    "page": "string",
    "operation": "string",
    "api_style": "string",
    "host": "string",
    "deployment": "string",
    "status": "Int64",
    "code": "string",
    "request_id": "string",
    "ttft_ms": "Float64",
    "latency_ms": "Float64",
    "prompt_tokens": "Int64",
    "completion_tokens": "Int64",
    "reasoning_tokens": "Int64",
    "streamed": "boolean",
    "status_label": "string",
    "ok": "boolean",
    "turn": "Int64",
}


@pytest.mark.parametrize("records", [SESSION, ()], ids=["session", "empty"])
def test_frame_has_every_column_in_order_with_its_dtype(records: tuple[RequestRecord, ...]) -> None:
    df = to_dataframe(records)
    assert list(df.columns) == list(EXPECTED_DTYPES) == list(COLUMNS)
    assert {name: str(dtype) for name, dtype in df.dtypes.items()} == EXPECTED_DTYPES
    assert len(df) == len(records)


@pytest.mark.parametrize("records", [SESSION, ()], ids=["session", "empty"])
def test_string_columns_are_the_na_string_dtype(records: tuple[RequestRecord, ...]) -> None:
    # pandas 3's default "str" dtype uses NaN; the log's strings use <NA> like its numbers.
    df = to_dataframe(records)
    for name, dtype in EXPECTED_DTYPES.items():
        if dtype == "string":
            column_dtype = df[name].dtype
            assert isinstance(column_dtype, pd.StringDtype)
            assert column_dtype.na_value is pd.NA


def test_empty_frame_matches_the_empty_log_frame() -> None:
    pd.testing.assert_frame_equal(empty_frame(), to_dataframe([]))
    assert empty_frame().empty


def test_frame_keeps_values_and_missing_values(frame: pd.DataFrame) -> None:
    first, third = frame.iloc[0], frame.iloc[2]
    assert first["time"] == pd.Timestamp(T0)
    assert first["page"] == "connect"
    assert first["status"] is pd.NA
    assert first["request_id"] is pd.NA
    assert first["prompt_tokens"] is pd.NA
    assert third["status"] == 200
    assert third["prompt_tokens"] == 100
    assert third["completion_tokens"] == 50
    assert third["reasoning_tokens"] == 20
    assert third["latency_ms"] == 800.0
    assert list(frame["streamed"]) == [False, False, False, True, True, False, False, False]


def test_frame_time_keeps_microseconds() -> None:
    df = to_dataframe([make(time=T0)])
    assert df["time"].iloc[0].to_pydatetime() == T0


def test_derived_ok_and_status_label(frame: pd.DataFrame) -> None:
    assert list(frame["ok"]) == [False, True, True, False, True, False, False, False]
    assert list(frame["status_label"]) == [
        NO_RESPONSE_LABEL,
        "200",
        "200",
        "429",
        "200",
        "401",
        NO_RESPONSE_LABEL,
        "429",
    ]
    assert status_label(None) == NO_RESPONSE_LABEL
    assert status_label(503) == "503"


def test_turn_numbers_the_chat_requests_only(frame: pd.DataFrame) -> None:
    # Rows 2, 3, 4, 5 and 7 are chat or chat_stream (failed ones count too); dns/models/tcp_tls are not.
    assert frame["turn"].tolist() == [pd.NA, pd.NA, 1, 2, 3, 4, pd.NA, 5]


def test_turn_survives_filtering(frame: pd.DataFrame) -> None:
    errors_only = filter_frame(frame, codes=["rate_limited"])
    assert errors_only["turn"].tolist() == [2, 5]


# --- summary --------------------------------------------------------------------------------


def test_summary_of_the_session_matches_hand_computed_figures(frame: pd.DataFrame) -> None:
    summary = summarise(frame)
    assert summary.requests == 8
    assert summary.errors == 5
    assert summary.error_rate == pytest.approx(5 / 8)
    # Latencies sorted: 30 35 40 60 120 800 900 10000 (n=8, linear: position q*(n-1)).
    # p50 at 3.5 -> 60 + 0.5*(120-60) = 90; p95 at 6.65 -> 900 + 0.65*(10000-900) = 6815.
    assert summary.latency_p50_ms == pytest.approx(90.0)
    assert summary.latency_p95_ms == pytest.approx(6815.0)
    assert summary.ttft_p50_ms == pytest.approx(150.0)  # one value: every percentile is it
    assert summary.ttft_p95_ms == pytest.approx(150.0)
    assert summary.tokens_in == 220
    assert summary.tokens_out == 130
    assert summary.reasoning_tokens == 20


def test_summary_errors_by_code_most_frequent_first_then_by_code(frame: pd.DataFrame) -> None:
    by_code = summarise(frame).errors_by_code
    assert list(by_code.items()) == [("rate_limited", 2), ("auth_invalid_key", 1), ("dns_failure", 1), ("timeout", 1)]
    assert "ok" not in by_code


def test_percentiles_on_a_known_list() -> None:
    # [10, 20, 30, 40, 50]: p50 at 2 -> 30; p95 at 3.8 -> 40 + 0.8*10 = 48.
    # TTFT [5, 1, 3, 2] sorted 1 2 3 5: p50 at 1.5 -> 2.5; p95 at 2.85 -> 3 + 0.85*2 = 4.7.
    latencies = [50.0, 10.0, 40.0, 20.0, 30.0]
    ttfts = [5.0, 1.0, 3.0, 2.0, None]
    df = to_dataframe([make(latency_ms=lat, ttft_ms=ttft) for lat, ttft in zip(latencies, ttfts, strict=True)])
    summary = summarise(df)
    assert summary.latency_p50_ms == pytest.approx(30.0)
    assert summary.latency_p95_ms == pytest.approx(48.0)
    assert summary.ttft_p50_ms == pytest.approx(2.5)
    assert summary.ttft_p95_ms == pytest.approx(4.7)


def test_summary_of_an_empty_frame() -> None:
    summary = summarise(empty_frame())
    assert (summary.requests, summary.errors, summary.error_rate) == (0, 0, 0.0)
    assert dict(summary.errors_by_code) == {}
    assert summary.latency_p50_ms is None
    assert summary.latency_p95_ms is None
    assert summary.ttft_p50_ms is None
    assert summary.ttft_p95_ms is None
    assert (summary.tokens_in, summary.tokens_out, summary.reasoning_tokens) == (0, 0, 0)


def test_summary_without_errors_has_rate_zero() -> None:
    summary = summarise(to_dataframe([make(), make()]))
    assert summary.errors == 0
    assert summary.error_rate == 0.0
    assert dict(summary.errors_by_code) == {}


# --- filters --------------------------------------------------------------------------------


def test_filter_by_status_with_no_response_as_none(frame: pd.DataFrame) -> None:
    picked = filter_frame(frame, statuses=[429, None])
    assert picked["status_label"].tolist() == [NO_RESPONSE_LABEL, "429", NO_RESPONSE_LABEL, "429"]
    assert picked["code"].tolist() == ["dns_failure", "rate_limited", "timeout", "rate_limited"]


def test_filter_by_no_response_only(frame: pd.DataFrame) -> None:
    picked = filter_frame(frame, statuses={None})
    assert picked["operation"].tolist() == ["dns", "tcp_tls"]
    assert picked["status"].isna().all()


def test_filter_by_status_without_none_leaves_out_no_response(frame: pd.DataFrame) -> None:
    picked = filter_frame(frame, statuses=[200])
    assert len(picked) == 3
    assert picked["status"].tolist() == [200, 200, 200]


def test_filter_by_codes_and_pages_combine(frame: pd.DataFrame) -> None:
    assert filter_frame(frame, codes=["ok"])["ok"].all()
    assert len(filter_frame(frame, pages=["troubleshoot"])) == 2
    both = filter_frame(frame, pages=["chat"], codes=["rate_limited", "ok"], statuses=[429])
    assert both["time"].tolist() == [pd.Timestamp(at(3)), pd.Timestamp(at(7))]


def test_filter_none_keeps_all_and_empty_keeps_nothing(frame: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(filter_frame(frame), frame)
    nothing = filter_frame(frame, statuses=[])
    assert nothing.empty
    assert list(nothing.dtypes) == list(frame.dtypes)


def test_filtered_frame_keeps_dtypes_and_a_fresh_index(frame: pd.DataFrame) -> None:
    picked = filter_frame(frame, pages=["troubleshoot"])
    assert list(picked.index) == [0, 1]
    assert list(picked.dtypes) == list(frame.dtypes)


def test_filter_options_list_the_choices(frame: pd.DataFrame) -> None:
    assert filter_options(frame) == FilterOptions(
        statuses=(200, 401, 429, None),
        codes=("auth_invalid_key", "dns_failure", "ok", "rate_limited", "timeout"),
        pages=("chat", "connect", "troubleshoot"),
    )
    assert filter_options(to_dataframe([make()])).statuses == (200,)
    assert filter_options(empty_frame()) == FilterOptions(statuses=(), codes=(), pages=())


# --- chart frames ---------------------------------------------------------------------------


def test_timing_frame_is_wide_and_time_ordered() -> None:
    records = [
        make(time=at(2), latency_ms=300.0, ttft_ms=50.0),
        make(time=at(0), latency_ms=100.0),
        make(time=at(1), latency_ms=None, ttft_ms=None),  # no timing at all: not plotted
    ]
    timing = timing_frame(to_dataframe(records))
    assert list(timing.columns) == ["time", "latency_ms", "ttft_ms"]
    assert timing["time"].tolist() == [pd.Timestamp(at(0)), pd.Timestamp(at(2))]
    assert timing["latency_ms"].tolist() == [100.0, 300.0]
    assert timing["ttft_ms"].tolist() == [pd.NA, 50.0]
    assert str(timing["latency_ms"].dtype) == "Float64"


def test_tokens_per_turn_has_a_row_per_chat_turn(frame: pd.DataFrame) -> None:
    tokens = tokens_per_turn(frame)
    assert list(tokens.columns) == ["turn", "prompt_tokens", "completion_tokens", "reasoning_tokens"]
    assert tokens["turn"].tolist() == [1, 2, 3, 4, 5]
    assert tokens["prompt_tokens"].tolist() == [100, pd.NA, 120, pd.NA, pd.NA]
    assert tokens["completion_tokens"].tolist() == [50, pd.NA, 80, pd.NA, pd.NA]
    assert tokens["reasoning_tokens"].tolist() == [20, pd.NA, 0, pd.NA, pd.NA]
    assert all(str(dtype) == "Int64" for dtype in tokens.dtypes)


def test_errors_by_code_frame_counts_non_ok_codes(frame: pd.DataFrame) -> None:
    errors = errors_by_code_frame(frame)
    assert list(errors.columns) == ["code", "count"]
    assert errors["code"].tolist() == ["rate_limited", "auth_invalid_key", "dns_failure", "timeout"]
    assert errors["count"].tolist() == [2, 1, 1, 1]
    assert dict(zip(errors["code"], errors["count"], strict=True)) == dict(summarise(frame).errors_by_code)


def test_chart_frames_of_an_empty_frame_are_empty_with_columns() -> None:
    empty = empty_frame()
    assert list(timing_frame(empty).columns) == ["time", "latency_ms", "ttft_ms"]
    assert timing_frame(empty).empty
    assert list(tokens_per_turn(empty).columns) == ["turn", "prompt_tokens", "completion_tokens", "reasoning_tokens"]
    assert tokens_per_turn(empty).empty
    errors = errors_by_code_frame(empty)
    assert list(errors.columns) == ["code", "count"]
    assert errors.empty
    assert (str(errors["code"].dtype), str(errors["count"].dtype)) == ("string", "Int64")


# --- cost -----------------------------------------------------------------------------------


def test_cost_estimate_from_token_sums(frame: pd.DataFrame) -> None:
    # 220 in at $0.002/1k = $0.00044; 130 out at $0.008/1k = $0.00104; total $0.00148 -> x1400 = 2.072 KRW.
    cost = estimate_cost(frame, usd_per_1k_input=0.002, usd_per_1k_output=0.008, krw_per_usd=1400.0)
    assert (cost.input_tokens, cost.output_tokens) == (220, 130)
    assert cost.usd == pytest.approx(0.00148)
    assert cost.krw == pytest.approx(2.072)


def test_cost_does_not_bill_reasoning_tokens_twice() -> None:
    # 1000 completion tokens of which 900 reasoning: 1000 output tokens, not 1900.
    df = to_dataframe([make(prompt_tokens=0, completion_tokens=1000, reasoning_tokens=900)])
    cost = estimate_cost(df, usd_per_1k_input=1.0, usd_per_1k_output=10.0, krw_per_usd=1.0)
    assert cost == CostEstimate(usd=10.0, krw=10.0, input_tokens=0, output_tokens=1000)


def test_cost_of_nothing_and_at_zero_prices(frame: pd.DataFrame) -> None:
    assert estimate_cost(empty_frame(), usd_per_1k_input=1.0, usd_per_1k_output=1.0, krw_per_usd=1.0) == CostEstimate(
        0.0, 0.0, 0, 0
    )
    free = estimate_cost(frame, usd_per_1k_input=0.0, usd_per_1k_output=0.0, krw_per_usd=0.0)
    assert (free.usd, free.krw, free.input_tokens) == (0.0, 0.0, 220)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("usd_per_1k_input", {"usd_per_1k_input": -0.01, "usd_per_1k_output": 1.0, "krw_per_usd": 1.0}),
        ("usd_per_1k_output", {"usd_per_1k_input": 1.0, "usd_per_1k_output": -1.0, "krw_per_usd": 1.0}),
        ("krw_per_usd", {"usd_per_1k_input": 1.0, "usd_per_1k_output": 1.0, "krw_per_usd": -1400.0}),
        ("usd_per_1k_input", {"usd_per_1k_input": float("nan"), "usd_per_1k_output": 1.0, "krw_per_usd": 1.0}),
        ("krw_per_usd", {"usd_per_1k_input": 1.0, "usd_per_1k_output": 1.0, "krw_per_usd": float("inf")}),
    ],
)
def test_cost_rejects_negative_or_non_finite_rates(name: str, kwargs: dict[str, float], frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=f"^{name} must be a finite number >= 0"):
        estimate_cost(frame, **kwargs)


# --- export ---------------------------------------------------------------------------------

KOREAN = make(page="채팅", deployment="배포-gpt-5.1", code="rate_limited", status=429, request_id="요청-1")


def _read_csv(data: bytes) -> pd.DataFrame:
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    return back.astype(dict(DTYPES))


def test_csv_starts_with_the_utf8_bom_and_round_trips(frame: pd.DataFrame) -> None:
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8").splitlines()[0] == ",".join(COLUMNS)
    pd.testing.assert_frame_equal(_read_csv(data), frame)


def test_csv_keeps_korean_text() -> None:
    df = to_dataframe([KOREAN, *SESSION])
    data = to_csv_bytes(df)
    assert "배포-gpt-5.1".encode() in data
    back = _read_csv(data)
    assert back.loc[0, "page"] == "채팅"
    assert back.loc[0, "deployment"] == "배포-gpt-5.1"
    pd.testing.assert_frame_equal(back, df)


def test_csv_of_an_empty_frame_is_the_header() -> None:
    data = to_csv_bytes(empty_frame())
    assert data == b"\xef\xbb\xbf" + ",".join(COLUMNS).encode() + b"\n"


def test_json_is_records_with_iso_utc_times_and_nulls(frame: pd.DataFrame) -> None:
    rows = json.loads(to_json_bytes(frame).decode("utf-8"))
    assert isinstance(rows, list)
    assert len(rows) == 8
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["time"] == "2026-03-02T09:00:00.123456Z"
    assert datetime.fromisoformat(rows[0]["time"]) == T0
    assert rows[0]["status"] is None
    assert rows[0]["request_id"] is None
    assert rows[0]["status_label"] == NO_RESPONSE_LABEL
    assert rows[0]["ok"] is False
    assert rows[0]["turn"] is None
    assert rows[2]["prompt_tokens"] == 100
    assert rows[2]["latency_ms"] == 800.0
    assert rows[4]["streamed"] is True
    assert rows[7]["turn"] == 5


def test_json_round_trips_to_the_same_frame(frame: pd.DataFrame) -> None:
    back = pd.DataFrame(json.loads(to_json_bytes(frame)), columns=list(COLUMNS)).astype(dict(DTYPES))
    pd.testing.assert_frame_equal(back, frame)


def test_json_keeps_korean_text_unescaped() -> None:
    data = to_json_bytes(to_dataframe([KOREAN]))
    assert "채팅".encode() in data  # ensure_ascii off: raw UTF-8, not \uXXXX escapes
    assert b"\\u" not in data
    assert json.loads(data)[0]["deployment"] == "배포-gpt-5.1"


def test_json_of_an_empty_frame_is_an_empty_list() -> None:
    assert json.loads(to_json_bytes(empty_frame())) == []


def test_export_has_only_the_record_fields_and_derived_columns() -> None:
    row = json.loads(to_json_bytes(to_dataframe([make()])))[0]
    assert set(row) == {f.name for f in fields(RequestRecord)} | {"status_label", "ok", "turn"}
