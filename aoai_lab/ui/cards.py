"""Shared cards: a diagnosis (what went wrong, why, how to fix it) and a successful check."""

from __future__ import annotations

import streamlit as st

from aoai_lab.check import CheckReport
from aoai_lab.diagnosis import Diagnosis
from aoai_lab.preflight import Finding
from aoai_lab.ui.state import lang, tr

_ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


def diagnosis_card(diagnosis: Diagnosis, *, key: str) -> None:
    """The card for one diagnosis: title, tutorial step, cause, fix, hints and redacted evidence."""
    with st.container(border=True, key=f"diag-{key}"):
        title = diagnosis.title(lang())
        banner = st.error if diagnosis.severity == "error" else st.warning
        banner(f"**{title}**", icon=_ICONS[diagnosis.severity])
        st.caption(
            tr("card.step", step=diagnosis.step, name=tr(f"guide.step{diagnosis.step}.short"))
            + f" · `{diagnosis.code}`"
        )
        st.markdown(f"**{tr('card.cause')}** {diagnosis.cause(lang())}")
        st.markdown(f"**{tr('card.fix')}** {diagnosis.fix(lang())}")
        for hint in diagnosis.hint_texts(lang()):
            st.info(hint, icon=":material/lightbulb:")
        evidence = list(diagnosis.evidence.items())
        if evidence:
            with st.expander(tr("card.evidence")):
                for name, value in evidence:
                    st.markdown(f"**{tr('card.ev.' + name)}**")
                    st.code(value, language=None, wrap_lines=True)


def success_card(report: CheckReport) -> None:
    """The card for a check that passed: model, family, region, latency."""
    with st.container(border=True, key="check-success"):
        st.success(f"**{report.diagnosis.title(lang())}**", icon=":material/check_circle:")
        cols = st.columns(4)
        cols[0].metric(tr("card.model"), report.model or "—")
        cols[1].metric(tr("card.family"), tr(f"family.{report.family}"))
        cols[2].metric(tr("card.region"), report.region or "—")
        latency = f"{report.latency_ms:.0f} ms" if report.latency_ms is not None else "—"
        cols[3].metric(tr("card.latency"), latency)
        st.markdown(report.diagnosis.fix(lang()))


def finding_line(finding: Finding) -> None:
    """One pre-flight finding under a field: info as one line, warnings and errors with the fix."""
    language = lang()
    if finding.severity == "info":
        for hint in finding.diagnosis().hint_texts(language):
            st.caption(f":material/auto_fix_high: {hint}")
        return
    diagnosis = finding.diagnosis()
    message = f"**{diagnosis.title(language)}** — {diagnosis.fix(language)}"
    for hint in diagnosis.hint_texts(language):
        message += f"\n\n{hint}"
    (st.error if finding.severity == "error" else st.warning)(message, icon=_ICONS[finding.severity])
