"""Shared cards: a diagnosis (what went wrong, why, how to fix it) and a successful check."""

from __future__ import annotations

import streamlit as st

from aoai_lab.check import CheckReport
from aoai_lab.classroom import ConfigError
from aoai_lab.classroom.config import DEFAULT_ALLOWED_HOSTS
from aoai_lab.classroom.evidence import EVERYTHING, StudentView
from aoai_lab.codegen import KEYLESS_QUERY
from aoai_lab.diagnosis import Diagnosis
from aoai_lab.literal import code_span
from aoai_lab.preflight import Finding
from aoai_lab.ui.demo import demo_endpoint
from aoai_lab.ui.state import lang, shown, status, tr

_ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


def student_view() -> StudentView:
    """What this session may see of a response's evidence: everything outside classroom mode; in
    it, raw evidence only from Azure hosts (``allowed_hosts``) and this process's demo (issue 11)."""
    from aoai_lab.classroom.session import config

    try:
        conf = config()
    except ConfigError:  # the app stops on it; until then, the strictest view
        return StudentView(DEFAULT_ALLOWED_HOSTS)
    if conf is None:
        return EVERYTHING
    return StudentView(conf.allowed_hosts, (demo_endpoint(),))


def diagnosis_card(diagnosis: Diagnosis, *, key: str) -> None:
    """The card for one diagnosis: title, tutorial step, cause, fix, hints and redacted evidence
    (in classroom mode, a non-Azure host's evidence is withheld: :func:`student_view`)."""
    diagnosis = student_view().diagnosis(diagnosis)
    with st.container(border=True, key=f"diag-{key}"):
        title = diagnosis.title(lang())
        banner = st.error if diagnosis.severity == "error" else st.warning
        banner(f"**{shown(title)}**", icon=_ICONS[diagnosis.severity])
        st.caption(
            tr("card.step", step=diagnosis.step, name=tr(f"guide.step{diagnosis.step}.short"))
            + f" · `{diagnosis.code}`"
        )
        # Every text that may quote the endpoint goes through ``shown`` (presenter mode). Cause and
        # fix are one element: the browser pays for each element on every run (issue 12).
        cause = f"**{tr('card.cause')}** {shown(diagnosis.cause(lang()))}"
        st.markdown(f"{cause}\n\n**{tr('card.fix')}** {shown(diagnosis.fix(lang()))}")
        if diagnosis.code == "auth_key_disabled":  # the fix is keyless code: link straight to it
            st.page_link(
                "pages/code.py",
                label=tr("code.page.keyless_link"),
                icon=":material/key_off:",
                query_params=KEYLESS_QUERY,
            )
        for hint in diagnosis.hint_texts(lang()):
            st.info(shown(hint), icon=":material/lightbulb:")
        evidence = list(diagnosis.evidence.items())
        if evidence:
            with st.expander(tr("card.evidence")):
                for name, value in evidence:
                    st.markdown(f"**{tr('card.ev.' + name)}**")
                    st.code(shown(str(value)), language=None, wrap_lines=True)


def success_facts(report: CheckReport) -> str:
    """A passed check's facts on one line: model, family, region, latency."""
    latency = f"{report.latency_ms:.0f} ms" if report.latency_ms is not None else "—"
    facts = [
        (tr("card.model"), code_span(report.model)),
        (tr("card.family"), tr(f"family.{report.family}")),
        (tr("card.region"), code_span(report.region)),
        (tr("card.latency"), latency),
    ]
    return " · ".join(f"**{label}** {value}" for label, value in facts)


def success_card(report: CheckReport) -> None:
    """The card for a check that passed: model, family, region, latency, and what to do next.

    The facts are one Markdown line, not four ``st.metric`` in columns: the "offline demo" click
    waits for the browser to draw every element of its run (issue 12), and these were nine.
    """
    with st.container(border=True, key="check-success"):
        st.success(f"**{report.diagnosis.title(lang())}**", icon=":material/check_circle:")
        st.markdown(f"{success_facts(report)}\n\n{report.diagnosis.fix(lang())}")


def finding_line(finding: Finding) -> None:
    """One pre-flight finding under a field: info as one line, warnings and errors with the fix."""
    language = lang()
    if finding.severity == "info":
        for hint in finding.diagnosis().hint_texts(language):
            st.caption(f":material/auto_fix_high: {shown(hint)}")
        return
    diagnosis = finding.diagnosis()
    message = f"**{diagnosis.title(language)}** — {diagnosis.fix(language)}"
    for hint in diagnosis.hint_texts(language):
        message += f"\n\n{hint}"
    message = shown(message)
    (st.error if finding.severity == "error" else st.warning)(message, icon=_ICONS[finding.severity])


def changed_names(fields: tuple[str, ...]) -> str:
    """Changed Connect fields by their labels (names only, never values)."""
    return ", ".join(tr("connect.style_label") if f == "style" else tr(f"connect.field.{f}") for f in fields)


def connection_notice(prefix: str = "notice", unchecked: str = "unchecked") -> bool:
    """For a page that uses the connection (Code, Chat): what it uses when the values in the fields
    were not checked, were changed since, or failed their check, in the catalog texts
    ``<prefix>.changed``, ``<prefix>.failed`` and ``<prefix>.<unchecked>``. Says nothing after a
    passed check; returns whether it said something."""
    current = status()
    if current.check == "ok":
        return False
    if current.check == "changed":
        st.warning(tr(f"{prefix}.changed", fields=changed_names(current.changed)), icon=":material/edit_note:")
    elif current.check == "failed" and current.last is not None:
        st.warning(tr(f"{prefix}.failed", code=current.last.diagnosis.code), icon=":material/error:")
    else:
        st.info(tr(f"{prefix}.{unchecked}"), icon=":material/info:")
    return True
