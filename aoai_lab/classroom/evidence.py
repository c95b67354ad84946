"""What a student sees of a failed response in classroom mode: the diagnosis, never raw bodies
from hosts that are not Azure's (issue 11).

A classroom server is on the internet: whatever a non-Azure host answered (an instructor's proxy,
a look-alike server, an internal service reached some other way) must not be relayed to the
browser, the diagnostic report or the request log. The diagnosis itself (its code, title, cause
and fix, all from our catalog) is always shown; what goes is the evidence copied out of the
response: the error message and code from the body, the request id, the detail line, and a
``param`` that is not a plain parameter name. Hosts that match ``allowed_hosts`` over https keep
their evidence (Azure's own error bodies are what the learner needs), and so does this process's
own demo emulator (``trusted_roots``), whose bodies are ours.

Outside classroom mode (``allowed_hosts`` None) nothing changes. Pure functions: the cards, the
report and the tests pass in what they know.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from aoai_lab.classroom.hostguard import host_matches
from aoai_lab.connection import safe_split
from aoai_lab.diagnosis import Diagnosis, Evidence
from aoai_lab.requestlog import RequestRecord, host_of

# A parameter name Azure reports (``max_tokens``, ``response_format.json_schema``); anything else
# in a non-Azure body's ``param`` field is not repeated in the diagnosis's texts.
_PARAM_NAME = re.compile(r"[A-Za-z0-9_.\[\]-]{1,64}")
WITHHELD_PARAM = "?"


def raw_allowed(url: str | None, allowed_hosts: Sequence[str] | None, trusted_roots: Sequence[str] = ()) -> bool:
    """Whether the evidence of a response from ``url`` may be shown as it came.

    True outside classroom mode, for an ``https://`` URL on an allowed (Azure) host, and for a URL
    under one of ``trusted_roots`` (this process's demo emulator); False otherwise, also for a
    response whose URL is unknown.
    """
    if allowed_hosts is None:
        return True
    if not url:
        return False
    if any(root and (url == root.rstrip("/") or url.startswith(root.rstrip("/") + "/")) for root in trusted_roots):
        return True
    parts = safe_split(url)
    if parts is None or parts.scheme != "https" or not parts.hostname:
        return False
    return parts.port in (None, 443) and host_matches(parts.hostname, allowed_hosts)


def student_evidence(
    evidence: Evidence, allowed_hosts: Sequence[str] | None, trusted_roots: Sequence[str] = ()
) -> Evidence:
    """``evidence`` as a classroom student may see it: only the HTTP status and the (redacted)
    URL they called are kept from a non-Azure host's response."""
    if evidence.status is None and evidence.url is None:
        return evidence  # nothing was received (pre-flight, a classroom refusal): nothing to withhold
    if raw_allowed(evidence.url, allowed_hosts, trusted_roots):
        return evidence
    return Evidence(status=evidence.status, url=evidence.url)


def student_diagnosis(
    diagnosis: Diagnosis, allowed_hosts: Sequence[str] | None, trusted_roots: Sequence[str] = ()
) -> Diagnosis:
    """``diagnosis`` with :func:`student_evidence`, and a non-Azure body's odd ``param`` withheld
    from its texts (the titles quote it)."""
    received = diagnosis.evidence.status is not None or diagnosis.evidence.url is not None
    if not received or raw_allowed(diagnosis.evidence.url, allowed_hosts, trusted_roots):
        return diagnosis
    evidence = student_evidence(diagnosis.evidence, allowed_hosts, trusted_roots)
    params = dict(diagnosis.params)
    param = params.get("param")
    if param and not _PARAM_NAME.fullmatch(param):
        params["param"] = WITHHELD_PARAM
    return replace(diagnosis, evidence=evidence, params=params)


def student_record(
    record: RequestRecord, allowed_hosts: Sequence[str] | None, trusted_roots: Sequence[str] = ()
) -> RequestRecord:
    """A request-log row as a classroom student may see it: the row holds no body by design, so
    only a non-Azure host's request id (a header it chose) is withheld."""
    if allowed_hosts is None or record.request_id is None:
        return record
    if record.host in {host_of(root) for root in trusted_roots}:
        return record
    # A log row keeps the host only; the https:// rule was applied before the request was sent.
    if raw_allowed(f"https://{record.host}/", allowed_hosts):
        return record
    return replace(record, request_id=None)


@dataclass(frozen=True)
class StudentView:
    """The classroom's rule for evidence, ready to apply: ``allowed_hosts`` None means classroom
    mode is off (everything is shown); ``trusted_roots`` are this process's demo emulator."""

    allowed_hosts: tuple[str, ...] | None = None
    trusted_roots: tuple[str, ...] = ()

    def evidence(self, evidence: Evidence) -> Evidence:
        """:func:`student_evidence` under this view."""
        return student_evidence(evidence, self.allowed_hosts, self.trusted_roots)

    def diagnosis(self, diagnosis: Diagnosis) -> Diagnosis:
        """:func:`student_diagnosis` under this view."""
        return student_diagnosis(diagnosis, self.allowed_hosts, self.trusted_roots)

    def record(self, record: RequestRecord) -> RequestRecord:
        """:func:`student_record` under this view."""
        return student_record(record, self.allowed_hosts, self.trusted_roots)


EVERYTHING = StudentView()  # outside classroom mode
