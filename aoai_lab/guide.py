"""What the guide page draws from the learner's own values: the request URL's anatomy, the flow
from resource to API call, and the checklist that ticks itself."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from aoai_lab.advice import version_advice
from aoai_lab.connection import ApiStyle, Connection
from aoai_lab.models import Family
from aoai_lab.preflight import is_loopback

if TYPE_CHECKING:  # the check pulls in the HTTP stack (httpcore2, trio): the Guide needs only the type
    from aoai_lab.check import CheckReport

Role = Literal["endpoint", "path", "deployment", "api_version"]
# The tutorial step that each part of the URL comes from.
ROLE_STEP: Mapping[Role, int] = {"endpoint": 3, "path": 4, "deployment": 2, "api_version": 4}
ROLE_COLOR: Mapping[Role, str] = {
    "endpoint": "#0F6CBD",
    "path": "#5B6470",
    "deployment": "#B4009E",
    "api_version": "#107C10",
}


@dataclass(frozen=True)
class Segment:
    """One piece of the request URL and where its value comes from."""

    text: str
    role: Role


def masked_root(connection: Connection) -> str:
    """The endpoint with the resource name hidden (presenter mode): ``https://•••.openai.azure.com``."""
    root = connection.root
    if not connection.host or is_loopback(connection.host) or connection.host.replace(".", "").isdigit():
        return root  # the local demo's address is not a secret
    scheme, _, rest = root.partition("://")
    name, dot, domain = rest.partition(".")
    return f"{scheme}://{'•' * 3}.{domain}" if name and dot else root


def url_anatomy(connection: Connection, *, mask_host: bool = False) -> list[Segment]:
    """The chat URL built from ``connection``, cut into the parts a learner copies from each step."""
    root = masked_root(connection) if mask_host else connection.root
    root = root or "https://{resource}.openai.azure.com"
    if connection.style == "v1":
        segments = [Segment(root, "endpoint"), Segment("/openai/v1/chat/completions", "path")]
        if connection.api_version:
            segments.append(Segment(f"?api-version={connection.api_version}", "api_version"))
        return segments
    return [
        Segment(root, "endpoint"),
        Segment("/openai/deployments/", "path"),
        Segment(connection.deployment or "{deployment}", "deployment"),
        Segment("/chat/completions", "path"),
        Segment(f"?api-version={connection.api_version or '{api-version}'}", "api_version"),
    ]


def url_forms(
    connection: Connection, *, mask_host: bool = False, family: Family | None = None
) -> dict[ApiStyle, list[Segment]]:
    """Both URL forms for the learner's values: classic (the tutorial's) and v1.

    Without a dated version of its own, the classic form shows the one recommended for the
    deployment's ``family`` (learned by the check, else guessed from the name).
    """
    version = connection.api_version if connection.style == "classic" else ""
    recommended = version_advice(connection.deployment, family).first
    classic = replace(connection, style="classic", api_version=version or recommended)
    v1 = replace(connection, style="v1", api_version="")
    return {"classic": url_anatomy(classic, mask_host=mask_host), "v1": url_anatomy(v1, mask_host=mask_host)}


def anatomy_html(segments: Sequence[Segment], labels: Mapping[Role, str]) -> str:
    """The anatomy as HTML: each part coloured, with its label under it. Values are escaped."""
    cells = []
    for segment in segments:
        color = ROLE_COLOR[segment.role]
        cells.append(
            '<span style="display:inline-flex;flex-direction:column;align-items:flex-start;margin-right:1px">'
            f'<code style="color:{color};background:{color}14;border-bottom:3px solid {color};padding:2px 3px;'
            f'font-size:0.95rem;word-break:break-all">{html.escape(segment.text)}</code>'
            f'<span style="color:{color};font-size:0.75rem;padding:2px 3px">{html.escape(labels[segment.role])}</span>'
            "</span>"
        )
    return (
        '<div style="display:flex;flex-wrap:wrap;align-items:flex-start;line-height:1.2">' + "".join(cells) + "</div>"
    )


@dataclass(frozen=True)
class Checklist:
    """The tutorial's four steps, each done or not, as the learner's own actions show."""

    resource: bool
    deployment: bool
    key_and_endpoint: bool
    api_call: bool

    def done(self) -> list[bool]:
        """The four ticks in step order."""
        return [self.resource, self.deployment, self.key_and_endpoint, self.api_call]


def checklist(last_check: CheckReport | None, replies: int) -> Checklist:
    """Ticks from the last connection check's rungs and the number of chat replies received."""
    passed = {r.rung for r in last_check.rungs if r.state in ("ok", "warning")} if last_check else set()
    return Checklist(
        resource={"dns", "tcp_tls"} <= passed,
        deployment="deployment" in passed,
        key_and_endpoint="key" in passed,
        api_call=replies > 0,
    )


def flow_html(names: Sequence[str], values: Sequence[str], done: Sequence[bool]) -> str:
    """The tutorial's steps on one row, each arrow labelled with the value it hands on; a step
    done is green with a tick. Values are escaped.

    HTML, not ``st.graphviz_chart``: the browser loads a WebAssembly Graphviz to lay out and draw
    that chart on every visit of the Guide, the app's first page (issue 12).
    """
    box = (
        "border:1.5px solid {border};background:{fill};color:#1F2328;border-radius:8px;"
        "padding:6px 10px;font-size:0.9rem;white-space:nowrap"
    )
    arrow = (
        "display:flex;flex-direction:column;align-items:center;color:#5B6470;font-size:0.75rem;"
        "font-family:monospace;text-align:center;overflow-wrap:anywhere;line-height:1.2"
    )
    cells = []
    for index, (name, ok) in enumerate(zip(names, done, strict=True)):
        fill, border = ("#DFF6DD", "#107C10") if ok else ("#F3F6FA", "#8A94A0")
        mark = "✔ " if ok else ""
        cells.append(
            f'<div style="{box.format(border=border, fill=fill)}">{index + 1}. {mark}{html.escape(name)}</div>'
        )
        if index < len(values):
            cells.append(
                f'<div style="{arrow}"><span>{html.escape(values[index])}</span>'
                '<span style="font-size:1.4rem;line-height:1">⟶</span></div>'
            )
    # One row: a box per step and, between two boxes, a column as wide as the row leaves.
    columns = " minmax(0,1fr) ".join(["auto"] * len(names))
    grid = f"display:grid;grid-template-columns:{columns};align-items:center;column-gap:6px"
    return f'<div style="{grid}">' + "".join(cells) + "</div>"
