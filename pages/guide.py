"""Guide: the tutorial's four steps, drawn from the learner's own values."""

import streamlit as st

from aoai_lab.advice import version_advice
from aoai_lab.guide import ROLE_STEP, anatomy_html, checklist, flow_html, masked_root, url_forms
from aoai_lab.ui import frame, state
from aoai_lab.ui.state import tr

frame.leave_legacy_pages_mode()

conn = state.connection()
mask = state.presenter()
ticks = checklist(state.last_check() or state.report(), st.session_state.get(state.CHATTED, 0))
steps = [tr(f"guide.step{n}.short") for n in range(1, 5)]

st.title(tr("guide.title"))
st.caption(tr("guide.intro"))

# --- the flow, with this learner's values on the arrows, ticking itself
# Presenter mode: masked_root for the usual https://<name>.… form, and ``shown`` for any other.
resource = state.shown((masked_root(conn) if mask else conn.root).split("://")[-1]) or "—"
values = [
    tr("guide.flow.resource", host=resource),
    tr("guide.flow.deployment", deployment=conn.deployment or "—"),
    tr("guide.flow.key"),
]
st.html(flow_html(steps, values, ticks.done()))

# --- the checklist
st.subheader(tr("guide.checklist"))
# One Markdown block, a line per step: every element is drawn by the browser on each visit (issue 12).
st.markdown(
    "  \n".join(
        f"{':material/check_box:' if done else ':material/check_box_outline_blank:'} "
        f"**{number}. {steps[number - 1]}** — {tr(f'guide.check{number}')}"
        for number, done in enumerate(ticks.done(), start=1)
    )
)
if not any(ticks.done()):
    st.page_link("pages/connect.py", label=tr("guide.go_connect"), icon=":material/cable:")

# --- the four steps
st.subheader(tr("guide.steps"))
for number in range(1, 5):
    # A step's body is drawn only while it is open (the first one starts open).
    step = st.expander(
        f"{number}. {tr(f'guide.step{number}.title')}",
        expanded=number == 1,
        icon=":material/counter_" + str(number) + ":",
        key=f"guide.step{number}.open",
        on_change="rerun",
    )
    if step.open:
        left, right = step.columns(2)
        left.markdown(f"**{tr('guide.click')}**\n\n{tr(f'guide.step{number}.click')}")
        right.markdown(f"**{tr('guide.value')}**\n\n{tr(f'guide.step{number}.value')}")

# --- the URL, part by part
st.subheader(tr("guide.anatomy"))
st.caption(tr("guide.anatomy_intro"))
labels = {role: tr(f"guide.role.{role}", step=step) for role, step in ROLE_STEP.items()}
# The api-version shown and recommended fits the deployment's model family (issue 9).
advice = version_advice(conn.deployment, state.family())
for style, segments in url_forms(conn, mask_host=mask, family=advice.family).items():
    current = tr("guide.current") if style == conn.style else ""
    st.markdown(f"**{tr(f'connect.style.{style}')}** {current}")
    st.html(state.shown(anatomy_html(segments, labels)))
st.caption(tr("guide.anatomy_v1_model", deployment=conn.deployment or "—"))

# --- where the tutorial and today's Azure differ
st.subheader(tr("guide.differences"))
# One box, a bullet per difference: six boxes were six elements to draw on every visit (issue 12).
differences = ("max_tokens", "api_version", "v1", "keys", "endpoint", "studio")
st.warning(
    "\n".join(
        f"- {tr(f'guide.diff.{name}', deployment=conn.deployment or '—', **advice.params())}" for name in differences
    ),
    icon=":material/difference:",
)
