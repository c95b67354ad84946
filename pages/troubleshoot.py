"""Troubleshoot: every diagnosis with its cause and fix, searchable; in demo mode, try each one."""

import streamlit as st

from aoai_lab.experiments import BY_CODE, Experiment, Trial, run
from aoai_lab.recording import trial_records
from aoai_lab.troubleshoot import CARDS, COMMON, Card, common_first, normalise, search
from aoai_lab.ui import frame, state
from aoai_lab.ui.cards import diagnosis_card
from aoai_lab.ui.demo import demo_connection, is_demo
from aoai_lab.ui.state import tr

frame.leave_legacy_pages_mode()

TRIALS = "trouble.trials"
SEARCH = "trouble.search"
STEP = "trouble.step"
SHOW_ALL = "trouble.all"


def shown_value(field: str, value: str) -> str:
    """How an experiment's changed value is shown: keys are never printed whole."""
    if field == "api_key":
        return f"{value[:3]}… ({len(value)})" if value.strip() else tr("trouble.empty")
    if len(value) > 80:
        return value[:77] + "…"
    return value or tr("trouble.empty")


def describe(experiment: Experiment) -> str:
    parts = [f"`{field}` = `{shown_value(field, value)}`" for field, value in experiment.changes.items()]
    parts += [f"`{name}` = `{value}`" for name, value in experiment.params.as_dict().items()]
    if experiment.fault:
        parts.append(tr("trouble.fault", fault=experiment.fault))
    how = tr(f"trouble.kind.{experiment.kind}")
    return f"{how} — " + (", ".join(parts) if parts else tr("trouble.no_change"))


def card_key(code: str) -> str:
    """The widget key of a card's expander; its session-state value says whether it is open."""
    return f"trouble.card.{code}"


def show_trial(trial: Trial) -> None:
    st.caption(tr("trouble.result"))
    if trial.report is not None:
        for rung in trial.report.rungs:
            st.caption(f"{tr('rung.' + rung.rung)} — {tr('rung.state.' + rung.state)}")
    if trial.result is not None and trial.result.text:
        st.markdown(f"> {trial.result.text}")
    diagnosis_card(trial.diagnosis, key=f"trial-{trial.experiment.code}")
    if trial.diagnosis.code == trial.experiment.code:
        st.caption(f":material/check: {tr('trouble.reproduced')}")


def draw_card(card: Card, demo: bool, trials: dict[str, Trial]) -> None:
    """The body of one open card: where it belongs, cause and fix, and in demo mode its trial."""
    code = card.id
    st.markdown(card.body(state.lang()))
    experiment = BY_CODE.get(code)
    if card.note:
        st.caption(tr("trouble.own_program"))
    elif experiment is None:
        st.caption(tr("trouble.no_experiment"))
    elif demo:
        st.caption(describe(experiment))
        if st.button(tr("trouble.try"), key=f"try.{code}", icon=":material/play_arrow:"):
            with st.spinner(tr("trouble.running")):
                trial = run(experiment, state.connection(), state.lang())
            trials[code] = trial
            state.record(trial_records(trial))
        if code in trials:
            show_trial(trials[code])


st.title(tr("trouble.title"))
st.caption(tr("trouble.intro"))

demo = is_demo(state.connection())
if not demo:
    st.info(tr("trouble.demo_only"), icon=":material/science:")
    if st.button(tr("trouble.use_demo"), icon=":material/science:", key="trouble.use_demo"):
        state.use_connection(demo_connection())
        st.rerun()

query = st.text_input(tr("trouble.search"), key=SEARCH, live=True, placeholder=tr("trouble.search_hint"))
step = st.segmented_control(
    tr("trouble.step"),
    options=[1, 2, 3, 4],
    format_func=lambda n: f"{n}. {tr(f'guide.step{n}.short')}",
    key=STEP,
)
searching = bool(normalise(query or "")) or step is not None
# Not searching: the common cards first, and only they until the learner asks for all (issue 12).
show_all = st.toggle(
    tr("trouble.show_all", total=len(CARDS)),
    key=SHOW_ALL,
    disabled=searching,
    help=tr("trouble.show_all_help"),
    persist_state="session",  # still on when the learner comes back to the page
)
trials: dict[str, Trial] = st.session_state.setdefault(TRIALS, {})

# Best match first: a pasted error message names its card.
if searching:
    cards = [card for card in search(query or "") if step is None or card.step == step]
    st.caption(tr("trouble.count", shown=len(cards), total=len(CARDS)))
else:
    cards = common_first()
    if not show_all:
        cards = cards[: len(COMMON)]
    st.caption(tr("trouble.count" if show_all else "trouble.count_common", shown=len(cards), total=len(CARDS)))
for card in cards:
    code = card.id
    # A card tracks whether it is open (opening it reruns the page), so a closed card's body is
    # never drawn: 66 full bodies cost the browser 300-400 ms per visit. A card that holds a trial
    # result starts open; a card filtered out and back in, or met again after leaving the page,
    # starts from that default again, as every other widget on a page does.
    card_box = st.expander(
        f"{card.title(state.lang())} · `{code}`",
        expanded=code in trials,
        key=card_key(code),
        on_change="rerun",
        icon=":material/report:",
    )
    if not card_box.open:
        continue
    with card_box:
        draw_card(card, demo, trials)
