"""Request log: every request this session made, as a table, charts, a cost estimate and exports."""

import streamlit as st

from aoai_lab.presenter import mask_host
from aoai_lab.requestlog import (
    RequestLog,
    errors_by_code_frame,
    estimate_cost,
    filter_frame,
    filter_options,
    status_label,
    summarise,
    timing_frame,
    to_csv_bytes,
    to_dataframe,
    to_json_bytes,
    tokens_per_turn,
)
from aoai_lab.ui import frame, state
from aoai_lab.ui.state import tr

frame.leave_legacy_pages_mode()


def label(column: str) -> str:
    return tr(f"log.col.{column}")


def ms(value: float | None) -> str:
    return f"{value:.0f} ms" if value is not None else "—"


def clear_log() -> None:
    state.request_log().clear()


log = state.request_log()
st.title(tr("log.title"))
st.caption(tr("log.intro"))


def show(log: RequestLog) -> None:
    """The summary, table, charts, cost estimate and exports of a non-empty log."""
    if log.dropped:
        st.caption(tr("log.bounded", shown=len(log), total=log.total))

    frame_all = to_dataframe(log.records)
    options = filter_options(frame_all)
    filters = st.columns(3)
    statuses = filters[0].multiselect(
        tr("log.filter.status"), options.statuses, format_func=status_label, key="log.status"
    )
    codes = filters[1].multiselect(tr("log.filter.code"), options.codes, key="log.code")
    pages = filters[2].multiselect(
        tr("log.filter.page"), options.pages, format_func=lambda page: tr(f"nav.{page}"), key="log.page"
    )
    df = filter_frame(frame_all, statuses=statuses or None, codes=codes or None, pages=pages or None)

    summary = summarise(df)
    figures = st.columns(5)
    figures[0].metric(tr("log.requests"), summary.requests)
    figures[1].metric(tr("log.error_rate"), f"{summary.error_rate:.0%}")
    figures[2].metric(
        tr("log.latency"), ms(summary.latency_p50_ms), help=tr("log.p95", value=ms(summary.latency_p95_ms))
    )
    figures[3].metric(tr("log.ttft"), ms(summary.ttft_p50_ms), help=tr("log.p95", value=ms(summary.ttft_p95_ms)))
    figures[4].metric(
        tr("log.tokens"),
        f"{summary.tokens_in:,} / {summary.tokens_out:,}",
        help=tr("log.tokens_help", reasoning=summary.reasoning_tokens),
    )

    shown = [
        "time", "page", "operation", "status_label", "code", "deployment", "latency_ms", "ttft_ms",
        "prompt_tokens", "completion_tokens", "reasoning_tokens", "streamed", "request_id", "api_style", "host",
    ]  # fmt: skip
    table = df[shown]
    if state.presenter():  # no resource name on a projector (issue 9)
        table = table.assign(host=table["host"].map(lambda host: mask_host(str(host))))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "time": st.column_config.DatetimeColumn(label("time"), format="HH:mm:ss", timezone="Asia/Seoul"),
            "latency_ms": st.column_config.NumberColumn(label("latency_ms"), format="%.0f ms"),
            "ttft_ms": st.column_config.NumberColumn(label("ttft_ms"), format="%.0f ms"),
            "streamed": st.column_config.CheckboxColumn(label("streamed")),
            **{
                name: st.column_config.Column(label(name))
                for name in shown
                if name not in ("time", "latency_ms", "ttft_ms", "streamed")
            },
        },
        key="log.table",
    )

    charts = st.tabs([tr("log.chart.timing"), tr("log.chart.tokens"), tr("log.chart.errors")])
    with charts[0]:
        timing = timing_frame(df).rename(columns={c: label(c) for c in ("time", "latency_ms", "ttft_ms")})
        if timing.empty:
            st.caption(tr("log.chart.none"))
        else:
            st.line_chart(timing, x=label("time"), y=[label("latency_ms"), label("ttft_ms")], y_label="ms")
    with charts[1]:
        tokens = tokens_per_turn(df)
        if tokens.empty:
            st.caption(tr("log.chart.none"))
        else:
            # Reasoning tokens are inside completion tokens: stack only prompt and completion.
            stacked = tokens.rename(columns={c: label(c) for c in ("turn", "prompt_tokens", "completion_tokens")})
            st.bar_chart(stacked, x=label("turn"), y=[label("prompt_tokens"), label("completion_tokens")])
    with charts[2]:
        errors = errors_by_code_frame(df)
        if errors.empty:
            st.caption(tr("log.chart.no_errors"))
        else:
            st.bar_chart(
                errors.rename(columns={"code": label("code"), "count": tr("log.count")}),
                x=label("code"),
                y=tr("log.count"),
                horizontal=True,
            )

    with st.expander(tr("log.cost.title"), icon=":material/payments:"):
        st.caption(tr("log.cost.intro"))
        prices = st.columns(3)
        usd_in = prices[0].number_input(
            tr("log.cost.input"), min_value=0.0, value=0.0, step=0.0001, format="%.4f", key="log.usd_in"
        )
        usd_out = prices[1].number_input(
            tr("log.cost.output"), min_value=0.0, value=0.0, step=0.0001, format="%.4f", key="log.usd_out"
        )
        rate = prices[2].number_input(tr("log.cost.rate"), min_value=0.0, value=0.0, step=10.0, key="log.krw_per_usd")
        cost = estimate_cost(df, usd_per_1k_input=usd_in, usd_per_1k_output=usd_out, krw_per_usd=rate)
        totals = st.columns(2)
        totals[0].metric(tr("log.cost.usd"), f"${cost.usd:,.4f}")
        totals[1].metric(tr("log.cost.krw"), f"₩{cost.krw:,.0f}")
        st.caption(tr("log.cost.basis", input=cost.input_tokens, output=cost.output_tokens))

    tools = st.container(horizontal=True)
    tools.download_button(
        tr("log.csv"),
        data=lambda: to_csv_bytes(df),
        file_name="aoai-lab-requests.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/table:",
        key="log.csv",
    )
    tools.download_button(
        tr("log.json"),
        data=lambda: to_json_bytes(df),
        file_name="aoai-lab-requests.json",
        mime="application/json",
        on_click="ignore",
        icon=":material/data_object:",
        key="log.json",
    )
    tools.button(tr("log.clear"), on_click=clear_log, icon=":material/delete_sweep:", key="log.clear")


if len(log):
    show(log)
else:
    st.info(tr("log.empty"), icon=":material/info:")
